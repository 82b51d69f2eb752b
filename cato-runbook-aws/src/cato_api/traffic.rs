//! [`TrafficControl`] over `/api/admin/cato/traffic/*`.

use std::collections::BTreeMap;

use async_trait::async_trait;
use cato_runbook_core::ports::{TrafficControl, TrafficState, check_region_weights};
use cato_runbook_core::{Error, IdempotencyKey, Result};
use reqwest::Method;

use super::wire::{RegionWeightsBody, TrafficConfigBody, TrafficStatusBody};
use super::{CatoAdminApi, PROVIDER};

const STATUS: &str = "/api/admin/cato/traffic/status";
const CONFIG: &str = "/api/admin/cato/traffic/config";
const REGIONS: &str = "/api/admin/cato/traffic/regions";
const RESOURCE: &str = "traffic";

fn fraction(operation: &'static str, name: &str, value: f64) -> Result<f64> {
    if value.is_finite() && (0.0..=1.0).contains(&value) {
        Ok(value)
    } else {
        Err(
            Error::invalid_input(operation, format!("{name} {value} is not within 0..=1"))
                .with_provider(PROVIDER)
                .with_resource(RESOURCE),
        )
    }
}

impl CatoAdminApi {
    async fn configure(
        &self,
        operation: &'static str,
        body: TrafficConfigBody,
        key: &IdempotencyKey,
    ) -> Result<()> {
        tracing::info!(provider = PROVIDER, operation, change = ?body, key = %key, "changing traffic controls");
        self.transport
            .call_empty(operation, RESOURCE, || {
                Ok(self
                    .request(Method::PUT, CONFIG)?
                    .header("Idempotency-Key", key.as_str())
                    .json(&body))
            })
            .await
    }
}

#[async_trait]
impl TrafficControl for CatoAdminApi {
    async fn state(&self) -> Result<TrafficState> {
        const OP: &str = "traffic.state";
        let body: TrafficStatusBody = self
            .transport
            .call_json(OP, RESOURCE, || self.request(Method::GET, STATUS))
            .await?;
        Ok(body.into())
    }

    async fn set_shadow_self_share(&self, share: f64, key: &IdempotencyKey) -> Result<()> {
        const OP: &str = "traffic.set_shadow_self_share";
        let share = fraction(OP, "shadowSelfShare", share)?;
        let body = TrafficConfigBody {
            shadow_self_share: Some(share),
            ..TrafficConfigBody::default()
        };
        self.configure(OP, body, key).await
    }

    async fn set_cache_similarity_threshold(
        &self,
        threshold: f64,
        key: &IdempotencyKey,
    ) -> Result<()> {
        const OP: &str = "traffic.set_cache_similarity_threshold";
        let threshold = fraction(OP, "cacheSimilarityThreshold", threshold)?;
        let body = TrafficConfigBody {
            cache_similarity_threshold: Some(threshold),
            ..TrafficConfigBody::default()
        };
        self.configure(OP, body, key).await
    }

    async fn set_emergency_mode(&self, on: bool, key: &IdempotencyKey) -> Result<()> {
        const OP: &str = "traffic.set_emergency_mode";
        let body = TrafficConfigBody {
            emergency_mode: Some(on),
            ..TrafficConfigBody::default()
        };
        self.configure(OP, body, key).await
    }

    async fn set_region_weights(
        &self,
        weights: &BTreeMap<String, f64>,
        key: &IdempotencyKey,
    ) -> Result<()> {
        const OP: &str = "traffic.set_region_weights";
        check_region_weights(OP, weights).map_err(|err| err.with_provider(PROVIDER))?;
        tracing::info!(provider = PROVIDER, weights = ?weights, key = %key, "splitting Shadow Self traffic between regions");
        let body = RegionWeightsBody { weights };
        self.transport
            .call_empty(OP, RESOURCE, || {
                Ok(self
                    .request(Method::PUT, REGIONS)?
                    .header("Idempotency-Key", key.as_str())
                    .json(&body))
            })
            .await
    }
}
