//! The traffic-control fake (Cato admin API).

use std::collections::BTreeMap;

use async_trait::async_trait;
use cato_runbook_core::ports::{TrafficControl, TrafficState, check_region_weights};
use cato_runbook_core::{Error, IdempotencyKey, Result};
use serde_json::json;

use super::FakeTrafficControl;
use crate::ops::Op;
use crate::world::{Reply, State};

const PROVIDER: &str = "fake-cato-traffic-api";

impl FakeTrafficControl {
    async fn set(
        &self,
        op: Op,
        args: serde_json::Value,
        key: &IdempotencyKey,
        check: Option<(&str, f64)>,
        change: impl FnOnce(&mut State),
    ) -> Result<()> {
        self.world
            .call(op, PROVIDER, args.clone(), Some(key), |sim, now| {
                sim.idempotent(op, "traffic", key, &args, |sim| {
                    if let Some((what, value)) = check
                        && (!value.is_finite() || !(0.0..=1.0).contains(&value))
                    {
                        return Err(Error::invalid_input(
                            op.as_str(),
                            format!("{what} {value} is not between 0 and 1"),
                        ));
                    }
                    let mut state = sim.edit(now);
                    change(&mut state);
                    sim.commit(now, state);
                    Ok(())
                })
                .map(crate::world::Reply::from_idempotent)
            })
            .await
    }
}

#[async_trait]
impl TrafficControl for FakeTrafficControl {
    async fn state(&self) -> Result<TrafficState> {
        self.world
            .call(Op::TrafficState, PROVIDER, json!({}), None, |sim, _| {
                let t = &sim.state().traffic;
                Ok(Reply::new(TrafficState {
                    shadow_self_share: t.shadow_self_share,
                    cache_similarity_threshold: t.threshold,
                    emergency_mode: t.emergency_mode,
                    regions: t.regions.clone(),
                }))
            })
            .await
    }

    async fn set_shadow_self_share(&self, share: f64, key: &IdempotencyKey) -> Result<()> {
        self.set(
            Op::TrafficSetShadowSelfShare,
            json!({ "share": share }),
            key,
            Some(("share", share)),
            |s| s.traffic.shadow_self_share = share,
        )
        .await
    }

    async fn set_cache_similarity_threshold(
        &self,
        threshold: f64,
        key: &IdempotencyKey,
    ) -> Result<()> {
        self.set(
            Op::TrafficSetCacheSimilarityThreshold,
            json!({ "threshold": threshold }),
            key,
            Some(("threshold", threshold)),
            |s| s.traffic.threshold = threshold,
        )
        .await
    }

    async fn set_emergency_mode(&self, on: bool, key: &IdempotencyKey) -> Result<()> {
        self.set(
            Op::TrafficSetEmergencyMode,
            json!({ "on": on }),
            key,
            None,
            |s| s.traffic.emergency_mode = on,
        )
        .await
    }

    /// Refuses a split [`check_region_weights`] refuses, and a region with no endpoint in the
    /// world (other than the home region).
    async fn set_region_weights(
        &self,
        weights: &BTreeMap<String, f64>,
        key: &IdempotencyKey,
    ) -> Result<()> {
        let op = Op::TrafficSetRegionWeights;
        let args = json!({ "weights": weights });
        let config = self.world.config();
        let others = config.other_regions();
        let known = |r: &String| *r == config.region || others.contains(&r.as_str());
        self.world
            .call(op, PROVIDER, args.clone(), Some(key), |sim, now| {
                sim.idempotent(op, "traffic", key, &args, |sim| {
                    check_region_weights(op.as_str(), weights)?;
                    if let Some(unknown) = weights.keys().find(|r| !known(r)) {
                        return Err(Error::invalid_input(
                            op.as_str(),
                            format!("no Shadow Self endpoint in region {unknown:?}"),
                        ));
                    }
                    let mut state = sim.edit(now);
                    state.traffic.regions = weights.clone();
                    sim.commit(now, state);
                    Ok(())
                })
                .map(Reply::from_idempotent)
            })
            .await
    }
}
