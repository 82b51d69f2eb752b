//! The fakes of one world interact as the real services do.

mod support;

use std::time::Duration;

use cato_runbook_core::ports::{
    BillingMode, CacheCluster, CacheStats, CacheWindow, Logs, ModelEndpoint, QuotaRequestStatus,
    Quotas, Statistic, Tables, TrafficControl, Workloads,
};
use cato_runbook_mock::{World, WorldChange, WorldConfig};
use support::{MINUTE, key, over_last, p99_seconds, query, wait};

#[tokio::test(start_paused = true)]
async fn scaling_the_endpoint_lowers_p99() {
    let world = World::default();
    let healthy = p99_seconds(&world, 10).await;
    assert!(healthy < 2.0, "healthy p99 {healthy}");

    // A traffic surge: the endpoint runs hot and p99 passes the runbook's 2 seconds.
    world
        .apply(WorldChange::RequestRate {
            requests_per_minute: 3000.0,
        })
        .unwrap();
    wait(&world, 5 * MINUTE).await;
    let hot = p99_seconds(&world, 5).await;
    assert!(hot > 2.0, "surge p99 {hot}");

    // The runbook's scale-up. Nothing changes until the new instances serve.
    world
        .model_endpoint()
        .set_instance_count("cato-shadow-self", "primary", 30, &key("scale-up"))
        .await
        .unwrap();
    wait(&world, 3 * MINUTE).await;
    assert!(p99_seconds(&world, 2).await > 2.0);
    wait(&world, 10 * MINUTE).await;
    let scaled = p99_seconds(&world, 5).await;
    assert!(scaled < 1.2, "scaled p99 {scaled}");
    assert!(scaled < hot / 2.0);
}

#[tokio::test(start_paused = true)]
async fn lost_instances_answer_5xx_until_restarted() {
    let world = World::default();
    world
        .apply(WorldChange::EndpointLosesInstances {
            endpoint: "cato-shadow-self".into(),
            cause: cato_runbook_mock::config::CrashCause::Oom,
        })
        .unwrap();
    wait(&world, 5 * MINUTE).await;
    let dims = [("EndpointName", "cato-shadow-self")];
    let errors = over_last(
        &world,
        5,
        query(
            "e",
            "AWS/SageMaker",
            "Invocation5XXErrors",
            &dims,
            Statistic::Sum,
        ),
    )
    .await
    .unwrap();
    let calls = over_last(
        &world,
        5,
        query("i", "AWS/SageMaker", "Invocations", &dims, Statistic::Sum),
    )
    .await
    .unwrap();
    assert!(calls > 0.0 && errors == calls, "{errors} of {calls}");
    let latency = over_last(
        &world,
        5,
        query(
            "l",
            "AWS/SageMaker",
            "ModelLatency",
            &dims,
            Statistic::Average,
        ),
    )
    .await;
    assert_eq!(latency, None, "no instance, no model latency");

    let oom = world
        .logs()
        .filter(
            "/aws/sagemaker/Endpoints/cato-shadow-self",
            "\"out of memory\"",
            world.at(Duration::ZERO),
            100,
        )
        .await
        .unwrap();
    assert!(!oom.is_empty());

    world
        .model_endpoint()
        .update_config(
            "cato-shadow-self",
            "cato-shadow-self-config",
            &key("restart"),
        )
        .await
        .unwrap();
    wait(&world, 15 * MINUTE).await;
    let errors = over_last(
        &world,
        5,
        query(
            "e",
            "AWS/SageMaker",
            "Invocation5XXErrors",
            &dims,
            Statistic::Sum,
        ),
    )
    .await
    .unwrap();
    assert_eq!(errors, 0.0);
    assert!(p99_seconds(&world, 5).await < 2.0);
}

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

#[tokio::test(start_paused = true)]
async fn bedrock_throttles_until_the_quota_grows() {
    let world = World::default();
    world
        .apply(WorldChange::RequestRate {
            requests_per_minute: 6000.0,
        })
        .unwrap();
    wait(&world, 5 * MINUTE).await;
    let model = world.config().bedrock.model_id.clone();
    let throttles = over_last(
        &world,
        5,
        query(
            "t",
            "AWS/Bedrock",
            "InvocationThrottles",
            &[("ModelId", &model)],
            Statistic::Sum,
        ),
    )
    .await
    .unwrap();
    assert!(throttles > 0.0);
    let lines = world
        .logs()
        .filter(
            "/cato/orchestrator",
            "ThrottlingException",
            world.at(Duration::ZERO),
            100,
        )
        .await
        .unwrap();
    assert!(!lines.is_empty());

    let quotas = world.quotas();
    let request = quotas
        .request_increase("bedrock", "L-XXXXXXXX", 10_000.0, &key("quota"))
        .await
        .unwrap();
    assert_eq!(request.status, QuotaRequestStatus::Pending);
    wait(&world, 10 * MINUTE).await;
    assert_eq!(
        quotas.request_status(&request.id).await.unwrap().status,
        QuotaRequestStatus::CaseOpened
    );
    wait(&world, 25 * MINUTE).await;
    assert_eq!(
        quotas.request_status(&request.id).await.unwrap().status,
        QuotaRequestStatus::Approved
    );
    assert_eq!(
        quotas.get("bedrock", "L-XXXXXXXX").await.unwrap().value,
        10_000.0
    );
    wait(&world, 5 * MINUTE).await;
    let throttles = over_last(
        &world,
        5,
        query(
            "t",
            "AWS/Bedrock",
            "InvocationThrottles",
            &[("ModelId", &model)],
            Statistic::Sum,
        ),
    )
    .await
    .unwrap();
    assert_eq!(throttles, 0.0);
}

#[tokio::test(start_paused = true)]
async fn denied_quota_requests_change_nothing() {
    let mut config = WorldConfig::default();
    config.quotas.decision = cato_runbook_mock::config::QuotaDecision::Deny;
    let world = World::new(config).unwrap();
    let request = world
        .quotas()
        .request_increase("bedrock", "L-XXXXXXXX", 500.0, &key("quota"))
        .await
        .unwrap();
    wait(&world, 31 * MINUTE).await;
    let read = world.quotas().request_status(&request.id).await.unwrap();
    assert_eq!(read.status, QuotaRequestStatus::Denied);
    assert_eq!(
        world
            .quotas()
            .get("bedrock", "L-XXXXXXXX")
            .await
            .unwrap()
            .value,
        200.0
    );
}

#[tokio::test(start_paused = true)]
async fn on_demand_billing_stops_throttling() {
    let world = World::default();
    let table = "cato-semantic-memory";
    world
        .apply(WorldChange::TableDemand {
            table: table.into(),
            read: Some(1500.0),
            write: None,
        })
        .unwrap();
    wait(&world, 5 * MINUTE).await;
    let tables = world.tables();
    let hot = tables
        .capacity(table, world.at(Duration::ZERO), world.now())
        .await
        .unwrap();
    assert!(
        hot.throttle_events > 0 && hot.consumed_read <= 1000.0,
        "{hot:?}"
    );
    let reads = over_last(
        &world,
        5,
        query(
            "r",
            "AWS/DynamoDB",
            "ReadThrottleEvents",
            &[("TableName", table)],
            Statistic::Sum,
        ),
    )
    .await
    .unwrap();
    assert!(reads > 0.0);

    tables
        .set_billing_mode(table, BillingMode::PayPerRequest, &key("on-demand"))
        .await
        .unwrap();
    let updating = tables.describe(table).await.unwrap();
    assert_eq!(
        (updating.status.as_str(), updating.billing_mode),
        ("UPDATING", BillingMode::PayPerRequest)
    );
    wait(&world, 4 * MINUTE).await;
    let active = tables.describe(table).await.unwrap();
    assert_eq!(
        (active.status.as_str(), active.read_capacity),
        ("ACTIVE", 0)
    );
    wait(&world, 5 * MINUTE).await;
    let calm = tables
        .capacity(table, world.at(Duration::from_secs(10 * 60)), world.now())
        .await
        .unwrap();
    assert_eq!(calm.throttle_events, 0, "{calm:?}");
    assert_eq!(calm.consumed_read, 1500.0);
}

#[tokio::test(start_paused = true)]
async fn a_hot_partition_throttles_even_on_demand() {
    let world = World::default();
    let table = "cato-semantic-memory";
    world
        .tables()
        .set_billing_mode(table, BillingMode::PayPerRequest, &key("on-demand"))
        .await
        .unwrap();
    wait(&world, 5 * MINUTE).await;
    world
        .apply(WorldChange::TableDemand {
            table: table.into(),
            read: Some(5000.0),
            write: None,
        })
        .unwrap();
    world
        .apply(WorldChange::TableHotPartition {
            table: table.into(),
            share: 0.9,
        })
        .unwrap();
    let start = world.now();
    wait(&world, 3 * MINUTE).await;
    let c = world
        .tables()
        .capacity(table, start, world.now())
        .await
        .unwrap();
    assert_eq!(c.throttle_events, (5000.0 * 0.9 - 3000.0) as u64 * 60 * 3);
}

#[tokio::test(start_paused = true)]
async fn ready_replicas_lag_a_scale_up() {
    let world = World::default();
    let workloads = world.workloads();
    workloads
        .scale("cato", "cato-orchestrator", 20, &key("scale"))
        .await
        .unwrap();
    let at_once = workloads.get("cato", "cato-orchestrator").await.unwrap();
    assert_eq!((at_once.desired_replicas, at_once.ready_replicas), (20, 10));
    wait(&world, Duration::from_secs(50)).await;
    let some = workloads
        .get("cato", "cato-orchestrator")
        .await
        .unwrap()
        .ready_replicas;
    assert!(some > 10 && some < 20, "{some}");
    wait(&world, MINUTE).await;
    assert_eq!(
        workloads
            .get("cato", "cato-orchestrator")
            .await
            .unwrap()
            .ready_replicas,
        20
    );

    world
        .apply(WorldChange::PodsLost {
            namespace: "cato".into(),
            name: "cato-orchestrator".into(),
        })
        .unwrap();
    assert_eq!(
        workloads
            .get("cato", "cato-orchestrator")
            .await
            .unwrap()
            .ready_replicas,
        0
    );
    wait(&world, 2 * MINUTE).await;
    assert_eq!(
        workloads
            .get("cato", "cato-orchestrator")
            .await
            .unwrap()
            .ready_replicas,
        20
    );
}

#[tokio::test(start_paused = true)]
async fn orchestrator_scale_lowers_request_latency() {
    let world = World::default();
    world
        .apply(WorldChange::RequestRate {
            requests_per_minute: 3900.0,
        })
        .unwrap();
    wait(&world, 5 * MINUTE).await;
    let q = query(
        "r",
        "Custom/Cato",
        "RequestLatency",
        &[],
        Statistic::Percentile(50.0),
    );
    let busy = over_last(&world, 5, q.clone()).await.unwrap();
    world
        .workloads()
        .scale("cato", "cato-orchestrator", 40, &key("scale"))
        .await
        .unwrap();
    wait(&world, 10 * MINUTE).await;
    let calm = over_last(&world, 5, q).await.unwrap();
    assert!(calm < busy, "{calm} vs {busy}");
}

async fn p99_series(world: &World) -> cato_runbook_core::Result<Vec<f64>> {
    use cato_runbook_core::ports::Metrics;
    let q = query(
        "p",
        "AWS/SageMaker",
        "ModelLatency",
        &[("EndpointName", "cato-shadow-self")],
        Statistic::Percentile(99.0),
    );
    let answer = world
        .metrics()
        .query(
            &[q],
            world.at(Duration::ZERO) - chrono::TimeDelta::minutes(30),
            world.now(),
        )
        .await?;
    Ok(answer[0].points.iter().map(|p| p.value).collect())
}

#[tokio::test(start_paused = true)]
async fn same_seed_same_numbers() {
    let first = World::default();
    let second = World::default();
    for world in [&first, &second] {
        world
            .apply(WorldChange::RequestRate {
                requests_per_minute: 2600.0,
            })
            .unwrap();
    }
    wait(&first, 20 * MINUTE).await; // one clock: tokio's
    let (a, b) = (
        p99_series(&first).await.unwrap(),
        p99_series(&second).await.unwrap(),
    );
    assert_eq!(a.len(), 50);
    assert_eq!(a, b);

    let other = World::new(WorldConfig {
        seed: 7,
        ..WorldConfig::default()
    })
    .unwrap();
    assert_ne!(p99_series(&other).await.unwrap()[..30], a[..30]);
}
