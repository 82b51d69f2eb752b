//! The hit-rate window: a healthy cache opens nothing, the window is counter deltas, no data is
//! neither healthy nor sick, a restart starts it again, a failing read is unknown.

use std::time::Duration;

use cato_runbook_core::catalog::{self, CatalogConfig};
use cato_runbook_core::ports::Clock;
use cato_runbook_core::runbook::ObserveContext;
use cato_runbook_mock::{Op, World, WorldChange, WorldConfig};

use super::{ID, MIN, Rig, TICK, hit_ratio};

#[tokio::test(start_paused = true)]
async fn a_healthy_cache_opens_nothing() {
    let rig = Rig::default();
    rig.run_for(30 * MIN).await;
    rig.no_incident().await;
}

#[tokio::test(start_paused = true)]
async fn the_window_is_counter_deltas_not_lifetime_counters() {
    // Weeks of good hits in the lifetime counters do not hide a spike.
    let mut config = WorldConfig::default();
    config.metrics.history = Duration::from_secs(14 * 24 * 3600);
    let rig = Rig::new(config, CatalogConfig::default());
    rig.run_for(MIN).await;
    rig.change(hit_ratio(0.4));
    rig.run_for(90 * Duration::from_secs(1)).await;
    let inc = rig.incident().await;
    let c = rig.ports.cache_stats.counters("cato-cache").await.unwrap();
    let lifetime = c.hits as f64 / (c.hits + c.misses) as f64;
    assert!(
        lifetime > 0.84,
        "lifetime counters still look fine: {lifetime}"
    );
    assert!(
        inc.timeline()
            .iter()
            .any(|e| e.detail.contains("cache hit rate 40 % < 70 %")),
        "{:#?}",
        inc.timeline()
    );
}

#[tokio::test(start_paused = true)]
async fn no_data_is_neither_healthy_nor_sick() {
    let world = World::default();
    let ports = world.ports("r");
    let runbook = catalog::build(
        ID,
        &ports.providers(world.clock_handle()),
        &CatalogConfig::default(),
    )
    .unwrap();
    let detector = runbook.detectors()[0].clone();
    let look = || {
        let detector = detector.clone();
        let now = world.now();
        async move { detector.observe(&ObserveContext::new(now)).await }
    };

    // One sample is no window.
    assert!(look().await.is_err());
    world.clock().sleep(TICK).await;
    assert!(look().await.unwrap().is_healthy());

    // The hit rate falls; then traffic stops: the last verdict stands for the grace period.
    world.apply(hit_ratio(0.3)).unwrap();
    world.clock().sleep(TICK).await;
    assert!(!look().await.unwrap().is_healthy());
    world
        .apply(WorldChange::RequestRate {
            requests_per_minute: 0.0,
        })
        .unwrap();
    world.clock().sleep(TICK).await;
    assert!(
        !look().await.unwrap().is_healthy(),
        "no traffic is not healthy"
    );
    world.clock().sleep(14 * MIN).await;
    assert!(!look().await.unwrap().is_healthy());
    world.clock().sleep(2 * MIN).await;
    let err = look().await.unwrap_err();
    assert!(err.message().contains("cannot tell"), "{err}");

    // Traffic comes back to a good cache: the window that spans the lull judges it.
    world.apply(hit_ratio(0.85)).unwrap();
    world
        .apply(WorldChange::RequestRate {
            requests_per_minute: 2000.0,
        })
        .unwrap();
    world.clock().sleep(TICK).await;
    assert!(look().await.unwrap().is_healthy());
}

#[tokio::test(start_paused = true)]
async fn a_healthy_look_never_stands_in_for_missing_data() {
    let world = World::default();
    let ports = world.ports("r");
    let runbook = catalog::build(
        ID,
        &ports.providers(world.clock_handle()),
        &CatalogConfig::default(),
    )
    .unwrap();
    let detector = runbook.detectors()[0].clone();
    let look = || {
        let detector = detector.clone();
        let now = world.now();
        async move { detector.observe(&ObserveContext::new(now)).await }
    };
    assert!(look().await.is_err());
    world.clock().sleep(TICK).await;
    assert!(look().await.unwrap().is_healthy());

    // Traffic stops while the cache is healthy: the next look cannot tell, at once.
    world
        .apply(WorldChange::RequestRate {
            requests_per_minute: 0.0,
        })
        .unwrap();
    world.clock().sleep(TICK).await;
    let err = look().await.unwrap_err();
    assert!(err.message().contains("cannot tell"), "{err}");
}

#[tokio::test(start_paused = true)]
async fn a_restart_starts_the_window_again() {
    let world = World::default();
    let ports = world.ports("r");
    let runbook = catalog::build(
        ID,
        &ports.providers(world.clock_handle()),
        &CatalogConfig::default(),
    )
    .unwrap();
    let detector = runbook.detectors()[0].clone();
    let look = || {
        let detector = detector.clone();
        let now = world.now();
        async move { detector.observe(&ObserveContext::new(now)).await }
    };
    assert!(look().await.is_err());
    world.clock().sleep(TICK).await;
    assert!(look().await.unwrap().is_healthy());
    world.clock().sleep(TICK).await;
    world
        .apply(WorldChange::CacheRestart {
            cache: "cato-cache".into(),
        })
        .unwrap();
    world.clock().sleep(TICK).await;
    assert!(look().await.unwrap().is_healthy(), "no false alarm");
}

#[tokio::test(start_paused = true)]
async fn a_failing_counter_read_is_unknown_never_healthy() {
    let world = World::default();
    let ports = world.ports("r");
    let runbook = catalog::build(
        ID,
        &ports.providers(world.clock_handle()),
        &CatalogConfig::default(),
    )
    .unwrap();
    let detector = runbook.detectors()[0].clone();
    let ctx = ObserveContext::new(world.now());
    let _ = detector.observe(&ctx).await;
    world.faults().on(Op::CacheStatsCounters).once().transient();
    assert!(detector.observe(&ctx).await.is_err());
}
