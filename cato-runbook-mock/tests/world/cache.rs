//! The cache: an undersized cache misses until scaled up, a looser threshold raises hits.

use cato_runbook_core::ports::{CacheCluster, CacheStats, CacheWindow, Statistic, TrafficControl};
use cato_runbook_mock::{World, WorldChange};

use crate::support::{MINUTE, key, over_last, p99_seconds, query, wait};

#[tokio::test(start_paused = true)]
async fn undersized_cache_misses_until_scaled_up() {
    let world = World::default();
    let stats = world.cache_stats();
    let before = stats.counters("cato-cache").await.unwrap();
    wait(&world, MINUTE).await;
    let healthy = CacheWindow::between(&before, &stats.counters("cato-cache").await.unwrap());
    assert!(
        (healthy.hit_rate().unwrap() - 0.85).abs() < 0.01,
        "{healthy:?}"
    );
    assert_eq!(healthy.evictions, 0);

    world
        .apply(WorldChange::CacheWorkingSet {
            cache: "cato-cache".into(),
            gib: 20.0,
        })
        .unwrap();
    let start = stats.counters("cato-cache").await.unwrap();
    wait(&world, MINUTE).await;
    let spike = CacheWindow::between(&start, &stats.counters("cato-cache").await.unwrap());
    assert!(spike.hit_rate().unwrap() < 0.7, "{spike:?}");
    assert!(spike.evictions > 0);
    // More misses reach the LLMs: the endpoint runs hot.
    wait(&world, 5 * MINUTE).await;
    assert!(p99_seconds(&world, 5).await > 2.0);

    // The runbook's mitigation: a bigger node type. Redis restarts on the new nodes.
    world
        .cache_cluster()
        .modify_node_type("cato-cache", "cache.r7g.2xlarge", &key("bigger-cache"))
        .await
        .unwrap();
    assert_eq!(
        world
            .cache_cluster()
            .describe("cato-cache")
            .await
            .unwrap()
            .status,
        "modifying"
    );
    wait(&world, 16 * MINUTE).await;
    let cluster = world.cache_cluster().describe("cato-cache").await.unwrap();
    assert_eq!(
        (cluster.status.as_str(), cluster.node_type.as_str()),
        ("available", "cache.r7g.2xlarge")
    );
    let restarted = stats.counters("cato-cache").await.unwrap();
    assert_ne!(restarted.run_id, start.run_id);
    wait(&world, MINUTE).await;
    let after = CacheWindow::between(&restarted, &stats.counters("cato-cache").await.unwrap());
    assert!((after.hit_rate().unwrap() - 0.85).abs() < 0.01, "{after:?}");
    let hit_rate = over_last(
        &world,
        1,
        query(
            "h",
            "AWS/ElastiCache",
            "CacheHitRate",
            &[("CacheClusterId", "cato-cache-001")],
            Statistic::Average,
        ),
    )
    .await
    .unwrap();
    assert!((hit_rate - 85.0).abs() < 1.0, "{hit_rate}");
}

#[tokio::test(start_paused = true)]
async fn loosening_the_cache_threshold_raises_hits() {
    let world = World::default();
    world
        .traffic()
        .set_cache_similarity_threshold(0.85, &key("looser-cache"))
        .await
        .unwrap();
    let snapshot = world.snapshot();
    assert!(
        (snapshot.caches[0].hit_ratio - 0.92).abs() < 1e-9,
        "{snapshot:?}"
    );
}
