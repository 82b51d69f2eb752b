//! The general strategies: scale an endpoint, scale a workload, enable emergency mode, fail over
//! to another region — each applied twice and reverted twice.
//!
//! No catalog ladder holds the two scale steps in the strategy's style (High Latency's run in
//! its commands' style, see `high_latency.rs`), so they are built over the world's fakes as a
//! host would; emergency mode is the Bedrock ladder's last rung, the failover Shadow Self
//! Endpoint Down's second with `[runbooks.failover]`.

use std::sync::Arc;

use cato_runbook_core::catalog::CatalogConfig;
use cato_runbook_core::catalog::strategies::{ScaleEndpoint, ScaleWorkload, Scaling};
use cato_runbook_core::ports::EndpointStatus;
use cato_runbook_core::runbook::Mitigation;
use cato_runbook_mock::config::EndpointSpec;
use cato_runbook_mock::{Op, World, WorldConfig};

use super::{
    Landed, Rung, Twins, alike, applied, apply_twice, landed, minutes, record, repeated,
    revert_twice,
};

const ENDPOINT: &str = "cato-shadow-self";

#[tokio::test(start_paused = true)]
async fn scale_endpoint_applied_twice_scales_once_and_reverts_once() {
    let twins = Twins::new(WorldConfig::default()).unwrap(); // 10 instances
    let scale = |w: &World| -> Arc<dyn Mitigation> {
        Arc::new(ScaleEndpoint::new(
            Arc::new(w.model_endpoint()),
            ENDPOINT,
            "primary",
            Scaling::new(5, 50),
        ))
    };
    let (twice, once) = twins
        .plan_built("high-latency", ENDPOINT, scale)
        .await
        .unwrap();
    let target: u32 = twice.plan.changes[0].after.parse().unwrap();
    assert_eq!(target, 15, "10 + 5");

    // The repeat comes while the capacity change is under way (6 minutes).
    // After a crash the engine asks whether the change is in place: not yet.
    assert_eq!(landed(&once).await, Landed::No);
    apply_twice(&twice, &once, minutes(1)).await.unwrap();
    assert_eq!(landed(&once).await, Landed::Yes, "read back once applied");
    let world = alike(&twice, &once, minutes(10)).await;
    let endpoint = &world.endpoints[0];
    assert_eq!(endpoint.status, EndpointStatus::InService);
    assert_eq!(
        (endpoint.desired_instances, endpoint.current_instances),
        (target, target),
        "15, not 20"
    );

    let lines = revert_twice(&twice, &once, minutes(1)).await.unwrap();
    assert_eq!(
        lines[0],
        "cato-shadow-self/primary desired instances back to 10"
    );
    // The second revert reads 10 desired, not the 15 it set, and leaves it: no call.
    assert!(lines[1].contains("left as it is"), "{lines:?}");
    let world = alike(&twice, &once, minutes(10)).await;
    assert_eq!(world.endpoints[0].desired_instances, 10);
    assert_eq!(world.endpoints[0].current_instances, 10);

    let (key, back) = (twice.key(), twice.revert_key());
    assert_eq!(
        record(&twice, Op::EndpointSetInstanceCount),
        [applied(&key), repeated(&key), applied(&back)]
    );
    assert_eq!(
        record(&once, Op::EndpointSetInstanceCount),
        [applied(&key), applied(&back)]
    );
}

#[tokio::test(start_paused = true)]
async fn scale_workload_applied_twice_scales_once_and_reverts_once() {
    let twins = Twins::new(WorldConfig::default()).unwrap(); // 10 replicas
    let scale = |w: &World| -> Arc<dyn Mitigation> {
        Arc::new(ScaleWorkload::new(
            Arc::new(w.workloads()),
            "cato",
            "cato-orchestrator",
            Scaling::new(10, 50),
        ))
    };
    let (twice, once) = twins
        .plan_built("high-latency", "cato-orchestrator", scale)
        .await
        .unwrap();
    let target: u32 = twice.plan.changes[0].after.parse().unwrap();
    assert_eq!(target, 20);

    // After a crash the engine asks whether the change is in place: not yet.
    assert_eq!(landed(&once).await, Landed::No);
    apply_twice(&twice, &once, minutes(1)).await.unwrap();
    assert_eq!(landed(&once).await, Landed::Yes, "read back once applied");
    let world = alike(&twice, &once, minutes(5)).await;
    let workload = &world.workloads[0];
    assert_eq!(
        (workload.desired, workload.ready),
        (target, target),
        "20, not 30"
    );

    let lines = revert_twice(&twice, &once, minutes(1)).await.unwrap();
    assert_eq!(lines[0], "cato/cato-orchestrator replicas back to 10");
    assert!(lines[1].contains("left at 10"), "{lines:?}");
    let world = alike(&twice, &once, minutes(1)).await;
    assert_eq!(
        (world.workloads[0].desired, world.workloads[0].ready),
        (10, 10)
    );

    let (key, back) = (twice.key(), twice.revert_key());
    assert_eq!(
        record(&twice, Op::WorkloadsScale),
        [applied(&key), repeated(&key), applied(&back)]
    );
    assert_eq!(
        record(&once, Op::WorkloadsScale),
        [applied(&key), applied(&back)]
    );
}

#[tokio::test(start_paused = true)]
async fn enable_emergency_mode_applied_twice_turns_it_on_once_and_off_once() {
    let twins = Twins::new(WorldConfig::default()).unwrap();
    let mut catalog = CatalogConfig::default();
    catalog.bedrock_throttling.emergency_mode_last = true;
    let model = catalog.bedrock_throttling.model_id.clone();
    let rung = Rung::new("bedrock-throttling", model, "enable-emergency-mode")
        .with_config(catalog)
        .diagnosed_by(&["traffic-controls"]);
    let (twice, once) = twins.plan(&rung).await.unwrap();
    assert_eq!(twice.plan.changes[0].after, "on");

    apply_twice(&twice, &once, minutes(1)).await.unwrap();
    let world = alike(&twice, &once, minutes(1)).await;
    assert!(world.traffic.emergency_mode);

    let lines = revert_twice(&twice, &once, minutes(1)).await.unwrap();
    assert_eq!(lines, ["emergency mode off", "emergency mode already off"]);
    let world = alike(&twice, &once, minutes(1)).await;
    assert!(!world.traffic.emergency_mode);

    let (key, back) = (twice.key(), twice.revert_key());
    assert_eq!(
        record(&twice, Op::TrafficSetEmergencyMode),
        [applied(&key), repeated(&key), applied(&back)]
    );
    assert_eq!(
        record(&once, Op::TrafficSetEmergencyMode),
        [applied(&key), applied(&back)]
    );
}

#[tokio::test(start_paused = true)]
async fn failover_applied_twice_shifts_once_and_fails_back_once() {
    let mut config = WorldConfig::default();
    config.endpoints.push(EndpointSpec {
        region: Some("us-west-2".into()),
        ..EndpointSpec::default()
    });
    let split = [("us-east-1", 1.0), ("us-west-2", 0.0)];
    config.traffic.regions = split.map(|(r, w)| (r.to_owned(), w)).into();
    let twins = Twins::new(config).unwrap();
    let mut catalog = CatalogConfig::default();
    catalog.failover.region = Some("us-west-2".into());
    let rung = Rung::new("shadow-self-down", ENDPOINT, "failover-region").with_config(catalog);
    let (twice, once) = twins.plan(&rung).await.unwrap();

    assert_eq!(landed(&once).await, Landed::No);
    apply_twice(&twice, &once, minutes(1)).await.unwrap();
    assert_eq!(landed(&once).await, Landed::Yes, "read back once applied");
    let world = alike(&twice, &once, minutes(1)).await;
    assert_eq!(world.traffic.regions["us-west-2"], 1.0);

    let lines = revert_twice(&twice, &once, minutes(1)).await.unwrap();
    assert!(lines[0].starts_with("failed back"), "{lines:?}");
    assert!(lines[1].contains("already"), "{lines:?}");
    let world = alike(&twice, &once, minutes(1)).await;
    assert_eq!(world.traffic.regions["us-east-1"], 1.0);

    let (key, back) = (twice.key(), twice.revert_key());
    assert_eq!(
        record(&twice, Op::TrafficSetRegionWeights),
        [applied(&key), repeated(&key), applied(&back)]
    );
    assert_eq!(
        record(&once, Op::TrafficSetRegionWeights),
        [applied(&key), applied(&back)]
    );
}
