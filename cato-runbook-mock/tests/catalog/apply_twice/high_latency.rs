//! High Latency: both scale steps sent twice and reverted twice; the link, which sends nothing.

use cato_runbook_core::ports::EndpointStatus;
use cato_runbook_mock::{Op, WorldChange, WorldConfig};

use super::{
    Rung, Twins, alike, applied, apply_twice, minutes, record, repeated, revert_twice, writes,
};

const ID: &str = "high-latency";
const RESOURCE: &str = "cato-orchestrator";

#[tokio::test(start_paused = true)]
async fn scale_shadow_self_applied_twice_scales_once_and_reverts_once() {
    let twins = Twins::new(WorldConfig::default()).unwrap(); // 10 instances
    twins.wait(minutes(3)).await;
    let rung = Rung::new(ID, RESOURCE, "scale-shadow-self").diagnosed_by(&["capacity"]);
    let (twice, once) = twins.plan(&rung).await.unwrap();
    let target: u32 = twice.plan.changes[0].after.parse().unwrap();
    assert_eq!(target, 20, "10 × 2");

    // The repeat comes after the capacity change finished (6 minutes).
    apply_twice(&twice, &once, minutes(7)).await.unwrap();
    let world = alike(&twice, &once, minutes(1)).await;
    let endpoint = &world.endpoints[0];
    assert_eq!(endpoint.status, EndpointStatus::InService);
    assert_eq!(
        (endpoint.desired_instances, endpoint.current_instances),
        (target, target),
        "20, not 40"
    );

    // This revert reads nothing first: the repeat reaches the endpoint while it is still
    // updating, and is answered as a repeat.
    let lines = revert_twice(&twice, &once, minutes(1)).await.unwrap();
    assert_eq!(
        lines,
        [
            "desired instances back to 10",
            "desired instances back to 10"
        ]
    );
    let world = alike(&twice, &once, minutes(10)).await;
    assert_eq!(world.endpoints[0].desired_instances, 10);
    assert_eq!(world.endpoints[0].current_instances, 10);

    let (key, back) = (twice.key(), twice.revert_key());
    assert_eq!(
        record(&twice, Op::EndpointSetInstanceCount),
        [
            applied(&key),
            repeated(&key),
            applied(&back),
            repeated(&back)
        ]
    );
    assert_eq!(
        record(&once, Op::EndpointSetInstanceCount),
        [applied(&key), applied(&back)]
    );
}

#[tokio::test(start_paused = true)]
async fn scale_orchestrator_applied_twice_scales_once_and_reverts_once() {
    let twins = Twins::new(WorldConfig::default()).unwrap(); // 10 replicas
    twins.wait(minutes(3)).await;
    let rung = Rung::new(ID, RESOURCE, "scale-orchestrator").diagnosed_by(&["capacity"]);
    let (twice, once) = twins.plan(&rung).await.unwrap();
    let target: u32 = twice.plan.changes[0].after.parse().unwrap();
    assert_eq!(target, 20);

    apply_twice(&twice, &once, minutes(1)).await.unwrap();
    let world = alike(&twice, &once, minutes(5)).await;
    let workload = &world.workloads[0];
    assert_eq!(
        (workload.desired, workload.ready),
        (target, target),
        "20, not 40"
    );

    let lines = revert_twice(&twice, &once, minutes(1)).await.unwrap();
    assert_eq!(lines, ["replicas back to 10", "replicas back to 10"]);
    let world = alike(&twice, &once, minutes(1)).await;
    assert_eq!(
        (world.workloads[0].desired, world.workloads[0].ready),
        (10, 10)
    );

    let (key, back) = (twice.key(), twice.revert_key());
    assert_eq!(
        record(&twice, Op::WorkloadsScale),
        [
            applied(&key),
            repeated(&key),
            applied(&back),
            repeated(&back)
        ]
    );
    assert_eq!(
        record(&once, Op::WorkloadsScale),
        [applied(&key), applied(&back)]
    );
}

#[tokio::test(start_paused = true)]
async fn link_likelier_cause_applied_twice_changes_nothing() {
    let twins = Twins::new(WorldConfig::default()).unwrap();
    twins
        .apply(WorldChange::CacheHitRatio {
            cache: "cato-cache".into(),
            ratio: 0.5,
        })
        .unwrap();
    twins.wait(minutes(5)).await;
    let rung =
        Rung::new(ID, RESOURCE, "link-likelier-cause").diagnosed_by(&["component-latencies"]);
    let (twice, once) = twins.plan(&rung).await.unwrap();
    assert!(!twice.plan.reversible);
    assert!(twice.plan.changes.is_empty());

    let line = apply_twice(&twice, &once, minutes(1)).await.unwrap();
    assert!(line.contains("investigate cache issues"), "{line}");
    alike(&twice, &once, minutes(1)).await;
    assert!(writes(&twice).is_empty(), "{:?}", writes(&twice));
    assert!(writes(&once).is_empty(), "{:?}", writes(&once));
}
