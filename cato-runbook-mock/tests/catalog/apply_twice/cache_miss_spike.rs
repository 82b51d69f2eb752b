//! Cache Miss Spike: the review, which sends nothing; the node-type change, sent twice.

use cato_runbook_core::catalog::facts;
use cato_runbook_core::runbook::Finding;
use cato_runbook_mock::{Op, WorldChange, WorldConfig};

use super::{Rung, Twins, alike, applied, apply_twice, minutes, record, repeated, writes};

const ID: &str = "cache-miss-spike";
const CACHE: &str = "cato-cache";

#[tokio::test(start_paused = true)]
async fn review_invalidations_applied_twice_changes_nothing() {
    let twins = Twins::new(WorldConfig::default()).unwrap(); // 2 invalidations a minute
    twins.wait(minutes(75)).await; // an hour of baseline
    twins
        .apply(WorldChange::CacheInvalidations {
            cache: CACHE.into(),
            per_minute: 200.0,
        })
        .unwrap();
    twins.wait(minutes(3)).await;
    let rung = Rung::new(ID, CACHE, "review-invalidations").diagnosed_by(&["cache-invalidations"]);
    let (twice, once) = twins.plan(&rung).await.unwrap();
    assert!(!twice.plan.reversible);
    assert!(twice.plan.changes.is_empty());

    let line = apply_twice(&twice, &once, minutes(1)).await.unwrap();
    assert!(line.starts_with("recorded for human review"), "{line}");
    let world = alike(&twice, &once, minutes(1)).await;
    assert_eq!(world.caches[0].node_type, "cache.r7g.large");
    assert!(writes(&twice).is_empty(), "{:?}", writes(&twice));
    assert!(writes(&once).is_empty(), "{:?}", writes(&once));
}

#[tokio::test(start_paused = true)]
async fn modify_cache_node_type_applied_twice_replaces_the_nodes_once() {
    let twins = Twins::new(WorldConfig::default()).unwrap(); // cache.r7g.large
    twins
        .apply(WorldChange::CacheWorkingSet {
            cache: CACHE.into(),
            gib: 16.0,
        })
        .unwrap();
    twins.wait(minutes(3)).await;
    // The cache-stats diagnosis judges evictions over the window its detector measured; no
    // detector runs here, so the verdict is given by hand.
    let undersized = Finding::new("cache-stats", "evictions show the cache is undersized")
        .with(facts::CACHE_UNDERSIZED, true);
    let rung = Rung::new(ID, CACHE, "modify-cache-node-type")
        .diagnosed_by(&["replication-group"])
        .with_finding(undersized);
    let (twice, once) = twins.plan(&rung).await.unwrap();
    assert!(!twice.plan.reversible);
    let target = twice.plan.changes[0].after.clone();
    assert_eq!(target, "cache.r7g.2xlarge");

    // The repeat comes after the modification finished (15 minutes): without the key it would
    // be "no modifications were requested".
    apply_twice(&twice, &once, minutes(16)).await.unwrap();
    let world = alike(&twice, &once, minutes(1)).await;
    let cache = &world.caches[0];
    assert_eq!(
        (cache.node_type.as_str(), cache.status.as_str()),
        (target.as_str(), "available")
    );

    let key = twice.key();
    assert_eq!(
        record(&twice, Op::CacheClusterModifyNodeType),
        [applied(&key), repeated(&key)]
    );
    assert_eq!(
        record(&once, Op::CacheClusterModifyNodeType),
        [applied(&key)]
    );
}
