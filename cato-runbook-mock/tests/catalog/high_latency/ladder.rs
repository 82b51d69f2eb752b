//! The ladder: scale Shadow Self one step toward its cap, then the orchestrator, within the
//! policy's and the runbook's caps.

use std::sync::Arc;

use cato_runbook_core::Severity;
use cato_runbook_core::catalog::facts;
use cato_runbook_core::catalog::high_latency::{self, Config};
use cato_runbook_core::engine::{Mode, Policy};
use cato_runbook_core::ports::{Clock, ModelEndpoint};
use cato_runbook_core::runbook::{Finding, Quantity, StepContext};
use cato_runbook_mock::Op;
use cato_runbook_mock::world::PagerAction;

use super::{ID, instances, replicas, runbook, world};
use crate::world_engine::{Rig, applied, entries, escalations, minutes, skipped};

#[tokio::test(start_paused = true)]
async fn shadow_self_is_scaled_one_step_toward_the_cap() {
    let world = world(8, 10, false, 2400.0);
    let rig = Rig::auto(&world, runbook(Config::default()));
    rig.run_until(minutes(30)).await;

    let inc = rig.incident(ID).await;
    assert_eq!(inc.severity(), Severity::Sev2);
    assert_eq!(inc.resource(), "cato-orchestrator");
    assert_eq!(inc.title(), "High Latency");
    assert_eq!(applied(&inc), ["scale-shadow-self"]);
    assert_eq!(instances(&world), [16], "8 → 16, not straight to 50");
    assert!(replicas(&world).is_empty());
    let call = world
        .calls()
        .applied(Op::EndpointSetInstanceCount)
        .remove(0);
    assert_eq!(
        call.key.unwrap().as_str(),
        format!("{}:scale-shadow-self", inc.id())
    );
    let planned = entries(&inc, "mitigation_planned", Some("scale-shadow-self"));
    assert!(
        planned[0].contains("cato-shadow-self/primary desired instances: 8 → 16"),
        "{planned:?}"
    );
    assert!(planned[0].contains("risk medium"), "{planned:?}");
    assert_eq!(
        inc.root_causes()[0].cause,
        "insufficient capacity: Shadow Self endpoint"
    );
    assert!(inc.phases().resolved.is_some(), "{:#?}", inc.timeline());
    let paged = world
        .pager_events()
        .iter()
        .filter(|p| p.action == PagerAction::Opened && p.target == "on-call")
        .count();
    assert_eq!(paged, 1);
    assert_eq!(world.snapshot().endpoints[0].current_instances, 16);
}

#[tokio::test(start_paused = true)]
async fn the_ladder_scales_shadow_self_then_the_orchestrator() {
    let world = world(8, 6, true, 2400.0);
    let rig = Rig::auto(&world, runbook(Config::default()));
    rig.run_until(minutes(40)).await;

    let inc = rig.incident(ID).await;
    assert_eq!(applied(&inc), ["scale-shadow-self", "scale-orchestrator"]);
    assert_eq!(instances(&world), [16]);
    assert_eq!(replicas(&world), [12]);
    assert!(
        entries(&inc, "note", None)
            .iter()
            .any(|n| n == "symptom persists after scale-shadow-self was verified"),
        "{:#?}",
        inc.timeline()
    );
    assert!(inc.phases().resolved.is_some(), "{:#?}", inc.timeline());
}

#[tokio::test(start_paused = true)]
async fn a_fast_shadow_self_is_left_alone() {
    let world = world(10, 6, true, 2300.0);
    let rig = Rig::auto(&world, runbook(Config::default()));
    rig.run_until(minutes(20)).await;

    let inc = rig.incident(ID).await;
    assert_eq!(
        skipped(&inc, "scale-shadow-self"),
        ["precondition does not hold on the findings"]
    );
    assert_eq!(applied(&inc), ["scale-orchestrator"]);
    assert_eq!(replicas(&world), [12]);
    let causes: Vec<_> = inc.root_causes().iter().map(|c| c.cause.as_str()).collect();
    assert_eq!(
        causes,
        ["insufficient capacity: orchestrator", "network latency"]
    );
    let components = inc
        .findings()
        .iter()
        .find(|f| f.source == "component-latencies")
        .unwrap();
    assert_eq!(
        components.facts[facts::SHADOW_SELF_SLOW.name()].as_bool(),
        Some(false)
    );
    assert!(inc.phases().resolved.is_some());
}

#[tokio::test(start_paused = true)]
async fn a_policy_cap_refuses_the_orchestrator_scale_up() {
    let world = world(10, 6, true, 2300.0);
    let mut policy = Policy::with_mode(Mode::Auto);
    policy.caps.max_replicas = Some(10);
    let rig = Rig::replica(&world, "replica-1", policy, runbook(Config::default()));
    rig.run_until(minutes(20)).await;

    let inc = rig.incident(ID).await;
    assert_eq!(
        skipped(&inc, "scale-orchestrator"),
        ["cap: 12 replicas > max 10"]
    );
    assert!(applied(&inc).is_empty());
    assert!(world.calls().of(Op::WorkloadsScale).is_empty());
    assert_eq!(escalations(&world, &inc)[0].0, "Engineering Lead");
    assert!(inc.is_open());
}

#[tokio::test(start_paused = true)]
async fn the_runbooks_own_cap_stops_at_its_maximum() {
    let world = world(10, 6, true, 2300.0);
    let mut config = Config::default();
    config.orchestrator.max_replicas = 6;
    let rig = Rig::auto(&world, runbook(config));
    rig.run_until(minutes(10)).await;

    let inc = rig.incident(ID).await;
    assert_eq!(
        skipped(&inc, "scale-orchestrator"),
        ["precondition does not hold on the findings"]
    );
    assert!(world.calls().of(Op::WorkloadsScale).is_empty());
}

#[tokio::test(start_paused = true)]
async fn a_step_toward_the_cap_never_passes_it() {
    let world = world(30, 10, false, 2000.0);
    let ports = world.ports("replica-1");
    let providers = ports.providers(world.clock_handle());
    let rb = high_latency::runbook(&providers, &Config::default()).unwrap();
    let scale = rb
        .ladder()
        .iter()
        .find(|s| s.name() == "scale-shadow-self")
        .unwrap()
        .clone();
    let ctx = StepContext::new(
        scale.as_ref(),
        "INC-1".into(),
        ID.into(),
        "cato-orchestrator",
        Severity::Sev2,
        Arc::from(vec![]),
        world.now(),
    );
    let plan = scale.plan(&ctx).await.unwrap();
    assert_eq!(plan.quantities, [Quantity::Instances(50)]);
    assert_eq!(
        (
            plan.changes[0].before.as_str(),
            plan.changes[0].after.as_str()
        ),
        ("30", "50")
    );
    assert!(
        world.calls().of(Op::EndpointSetInstanceCount).is_empty(),
        "a plan changes nothing"
    );

    let at_cap = [Finding::new("capacity", "").with(facts::ENDPOINT_DESIRED_INSTANCES, 50)];
    assert!(!scale.precondition(cato_runbook_core::runbook::Findings(&at_cap)));
    let key = cato_runbook_core::IdempotencyKey::new("test:scale");
    world
        .model_endpoint()
        .set_instance_count("cato-shadow-self", "primary", 50, &key)
        .await
        .unwrap();
    world.clock().sleep(minutes(10)).await;
    let err = scale.plan(&ctx).await.unwrap_err();
    assert!(err.message().contains("already has 50 instances"), "{err}");
}
