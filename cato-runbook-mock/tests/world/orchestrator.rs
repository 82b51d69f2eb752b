//! The orchestrator: ready replicas lag a scale-up, and scaling lowers request latency.

use std::time::Duration;

use cato_runbook_core::ports::{Statistic, Workloads};
use cato_runbook_mock::{World, WorldChange};

use crate::support::{MINUTE, key, over_last, query, wait};

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
