//! The likelier cause: an open cache-miss-spike incident, or a low hit rate, named instead of
//! scaling.

use std::sync::Arc;

use async_trait::async_trait;
use cato_runbook_core::catalog::Providers;
use cato_runbook_core::catalog::facts;
use cato_runbook_core::catalog::high_latency::{self, Config};
use cato_runbook_core::runbook::{Detector, Observation, ObserveContext, Runbook, Symptom};
use cato_runbook_core::{Impact, Result};
use cato_runbook_mock::{Op, World, WorldChange};

use super::{ID, instances, runbook};
use crate::world_engine::{Rig, applied, entries, minutes, skipped};

/// A stand-in for the cache-miss-spike runbook: its incident opens at T+1m.
#[derive(Debug)]
struct CacheMisses(World);

#[async_trait]
impl Detector for CacheMisses {
    fn name(&self) -> &str {
        "hit-rate"
    }
    fn resource(&self) -> &str {
        "cato-cache"
    }
    async fn observe(&self, _ctx: &ObserveContext) -> Result<Observation> {
        Ok(if self.0.now() >= self.0.at(minutes(1)) {
            Observation::Symptom(Symptom::new("hit rate 50 % < 70 %", Impact::degraded(0.3)?))
        } else {
            Observation::Healthy
        })
    }
}

fn with_cache_incident(
    config: Config,
    world: &World,
) -> impl FnOnce(&Providers) -> Result<Vec<Runbook>> {
    let world = world.clone();
    move |p| {
        let cache = Runbook::builder("cache-miss-spike", "Cache Miss Spike")
            .detector(Arc::new(CacheMisses(world)))
            .open_after(1)
            .build()?;
        Ok(vec![cache, high_latency::runbook(p, &config)?])
    }
}

fn cache_drop(world: &World) {
    world
        .schedule_in(
            minutes(1),
            WorldChange::CacheHitRatio {
                cache: "cato-cache".into(),
                ratio: 0.5,
            },
        )
        .unwrap();
}

#[tokio::test(start_paused = true)]
async fn an_open_cache_miss_incident_is_the_likelier_cause() {
    let world = World::default();
    cache_drop(&world);
    let rig = Rig::auto(&world, with_cache_incident(Config::default(), &world));
    rig.run_until(minutes(10)).await;

    let cache = rig.incident("cache-miss-spike").await;
    let inc = rig.incident(ID).await;
    let top = &inc.root_causes()[0];
    assert_eq!(top.cause, "cache miss spike");
    assert!(top.confidence >= 0.85, "{top:?}");
    assert!(
        top.evidence.iter().any(|e| e.contains(cache.id().as_str())),
        "{top:?}"
    );
    let components = inc
        .findings()
        .iter()
        .find(|f| f.source == "component-latencies")
        .unwrap();
    assert_eq!(
        components.facts[facts::RELATED_INCIDENT.name()].as_str(),
        Some(cache.id().as_str())
    );
    assert_eq!(
        components.facts[facts::CACHE_HIT_RATE_LOW.name()].as_bool(),
        Some(true)
    );
    assert_eq!(skipped(&inc, "scale-shadow-self").len(), 1);
    assert_eq!(skipped(&inc, "scale-orchestrator").len(), 1);
    assert_eq!(applied(&inc), ["link-likelier-cause"]);
    let linked = entries(&inc, "mitigation_applied", Some("link-likelier-cause"));
    assert!(
        linked[0].contains(&format!(
            "{} (cache-miss-spike: Cache Miss Spike)",
            cache.id()
        )),
        "{linked:?}"
    );
    assert!(world.calls().of(Op::EndpointSetInstanceCount).is_empty());
    assert!(world.calls().of(Op::WorkloadsScale).is_empty());
}

#[tokio::test(start_paused = true)]
async fn scaling_goes_ahead_when_told_not_to_defer() {
    let world = World::default();
    cache_drop(&world);
    let mut config = Config::default();
    config.related.defer_scaling = false;
    let rig = Rig::auto(&world, with_cache_incident(config, &world));
    rig.run_until(minutes(5)).await;

    let inc = rig.incident(ID).await;
    assert_eq!(inc.root_causes()[0].cause, "cache miss spike");
    assert_eq!(applied(&inc), ["scale-shadow-self"]);
    assert_eq!(instances(&world), [20]);
}

#[tokio::test(start_paused = true)]
async fn a_low_hit_rate_without_an_incident_is_named_for_people() {
    let world = World::default();
    cache_drop(&world);
    let mut config = Config::default();
    config.shadow_self.max_instances = 10;
    config.orchestrator.max_replicas = 10;
    let rig = Rig::auto(&world, runbook(config));
    rig.run_until(minutes(5)).await;

    let inc = rig.incident(ID).await;
    assert_eq!(applied(&inc), ["link-likelier-cause"]);
    let linked = entries(&inc, "mitigation_applied", Some("link-likelier-cause"));
    assert!(
        linked[0].contains("cache hit rate 50 % < 70 %: investigate cache issues"),
        "{linked:?}"
    );
}
