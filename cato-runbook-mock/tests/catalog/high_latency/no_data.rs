//! A component without data on the fakes: the diagnosis names it unavailable and ranks no cause
//! on it; the ladder takes only the steps that do not read it.

use cato_runbook_core::catalog::facts;
use cato_runbook_core::catalog::high_latency::Config;

use super::{ID, replicas, runbook, world};
use crate::world_engine::{Rig, applied, entries, minutes};

#[tokio::test(start_paused = true)]
async fn a_cache_without_data_blames_neither_the_cache_nor_the_orchestrator() {
    // Shadow Self is fast and the orchestrator busy, as when the orchestrator is ranked first;
    // but the cache the runbook watches publishes nothing.
    let world = world(10, 6, true, 2300.0);
    let mut config = Config::default();
    config.cache.cluster_id = "cato-cache-gone".into();
    let rig = Rig::auto(&world, runbook(config));
    rig.run_until(minutes(20)).await;

    let inc = rig.incident(ID).await;
    let components = inc
        .findings()
        .iter()
        .find(|f| f.source == "component-latencies")
        .unwrap();
    assert!(
        components
            .evidence
            .iter()
            .any(|e| e.contains("no CacheHitRate data for cato-cache-gone")),
        "{components:?}"
    );
    assert!(
        components
            .summary
            .ends_with("unknown: the cache's CacheHitRate"),
        "{}",
        components.summary
    );
    for fact in [
        facts::CACHE_HIT_RATE_PERCENT.name(),
        facts::CACHE_HIT_RATE_LOW.name(),
    ] {
        assert!(!components.facts.contains_key(fact), "{fact}");
    }
    let causes: Vec<_> = inc.root_causes().iter().map(|c| c.cause.as_str()).collect();
    assert!(
        !causes
            .iter()
            .any(|c| *c == "insufficient capacity: orchestrator"
                || *c == "network latency"
                || *c == "cache miss spike"),
        "{causes:?}"
    );
    // Scaling the orchestrator reads no cache figure; pointing at the cache would.
    assert_eq!(applied(&inc), ["scale-orchestrator"]);
    assert_eq!(replicas(&world), [12]);
    assert!(entries(&inc, "mitigation_planned", Some("link-likelier-cause")).is_empty());
}
