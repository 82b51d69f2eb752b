//! The general mitigation strategies on the fakes: plan, apply, verify, revert.

use std::sync::Arc;
use std::time::Duration;

use cato_runbook_core::catalog::strategies::{
    EnableEmergencyMode, ScaleEndpoint, ScaleWorkload, Scaling,
};
use cato_runbook_core::engine::{Caps, Mode, Policy};
use cato_runbook_core::ports::{Clock, ModelEndpoint, TrafficControl, Workloads};
use cato_runbook_core::runbook::{Capacity, Mitigation, Quantity, Risk, Runbook, StepContext};
use cato_runbook_core::{ErrorKind, IdempotencyKey, Severity};
use cato_runbook_mock::{Op, World};

fn ctx(step: &dyn Mitigation, world: &World) -> StepContext {
    StepContext::new(
        step,
        "INC-7".into(),
        "high-latency".into(),
        "cato-shadow-self",
        Severity::Sev2,
        Arc::from(vec![]),
        world.now(),
    )
}

#[tokio::test(start_paused = true)]
async fn scaling_the_endpoint_steps_toward_its_cap_and_back() {
    let world = World::default(); // 10 instances
    let mut scaling = Scaling::new(5, 12);
    scaling.monthly_usd_each = 1100.0;
    scaling.instance_type = Some("ml.g5.xlarge".into());
    let step = ScaleEndpoint::new(
        Arc::new(world.model_endpoint()),
        "cato-shadow-self",
        "primary",
        scaling,
    );
    let c = ctx(&step, &world);
    let plan = step.plan(&c).await.unwrap();
    assert_eq!(
        (step.name(), plan.risk, plan.reversible),
        ("scale-endpoint", Risk::Medium, true)
    );
    assert_eq!(
        plan.quantities,
        [Quantity::Instances(12), Quantity::MonthlySpendUsd(2200.0)]
    );
    assert_eq!(plan.monthly_cost_usd, 2200.0);
    // The capacity it adds, for the engine to price; the plan carries no estimate yet.
    assert_eq!(
        plan.adds,
        Some(Capacity::EndpointInstances {
            instance_type: Some("ml.g5.xlarge".into()),
            added: 2,
            source: Some("configured".into()),
        })
    );
    assert_eq!(plan.spend, None);
    // Configured: the endpoint's config is not read.
    assert_eq!(world.calls().count(Op::EndpointDescribeConfig), 0);
    assert_eq!(
        plan.changes[0].target,
        "cato-shadow-self/primary desired instances"
    );
    assert_eq!(
        (
            plan.changes[0].before.as_str(),
            plan.changes[0].after.as_str()
        ),
        ("10", "12")
    );
    assert!(
        world
            .calls()
            .applied(Op::EndpointSetInstanceCount)
            .is_empty(),
        "planning changes nothing"
    );

    step.apply(&c, &plan).await.unwrap();
    assert!(
        !step.verify(&c, &plan).await.unwrap().passed(),
        "still updating"
    );
    world.clock().sleep(Duration::from_secs(10 * 60)).await;
    let verdict = step.verify(&c, &plan).await.unwrap();
    assert!(verdict.passed(), "{verdict:?}");

    // At the cap now: nothing more to plan.
    let again = step.plan(&ctx(&step, &world)).await.unwrap_err();
    assert_eq!(again.kind(), ErrorKind::Refused);

    step.revert(&c, &plan).await.unwrap();
    let counts: Vec<_> = world
        .calls()
        .applied(Op::EndpointSetInstanceCount)
        .iter()
        .map(|c| (c.arg_u64("count").unwrap(), c.key.clone().unwrap()))
        .collect();
    assert_eq!(
        counts,
        [
            (12, IdempotencyKey::new("INC-7:scale-endpoint")),
            (10, IdempotencyKey::new("INC-7:scale-endpoint:revert")),
        ]
    );
}

#[tokio::test(start_paused = true)]
async fn a_revert_leaves_what_someone_changed_since() {
    let world = World::default();
    let step = ScaleWorkload::new(
        Arc::new(world.workloads()),
        "cato",
        "cato-orchestrator",
        Scaling::new(10, 50),
    );
    let c = ctx(&step, &world);
    let plan = step.plan(&c).await.unwrap();
    assert_eq!(plan.quantities, [Quantity::Replicas(20)]);
    assert_eq!(plan.adds, Some(Capacity::Pods { added: 10 }));
    step.apply(&c, &plan).await.unwrap();
    world.clock().sleep(Duration::from_secs(5 * 60)).await;
    assert!(step.verify(&c, &plan).await.unwrap().passed());
    world
        .workloads()
        .scale(
            "cato",
            "cato-orchestrator",
            30,
            &IdempotencyKey::new("someone"),
        )
        .await
        .unwrap();
    let line = step.revert(&c, &plan).await.unwrap();
    assert_eq!(
        line,
        "cato/cato-orchestrator replicas left at 30: not the 20 this step set"
    );
    let state = world
        .workloads()
        .get("cato", "cato-orchestrator")
        .await
        .unwrap();
    assert_eq!(state.desired_replicas, 30);
}

#[tokio::test(start_paused = true)]
async fn emergency_mode_asks_first_and_turns_off_again() {
    let world = World::default();
    let traffic = Arc::new(world.traffic());
    let step = EnableEmergencyMode::new(traffic.clone());
    let c = ctx(&step, &world);
    let plan = step.plan(&c).await.unwrap();
    assert!(plan.approval.is_some());
    assert_eq!(plan.risk, Risk::High);
    let unasked = EnableEmergencyMode::new(traffic.clone()).with_approval(false);
    assert!(unasked.plan(&c).await.unwrap().approval.is_none());
    assert_eq!(
        (
            plan.changes[0].before.as_str(),
            plan.changes[0].after.as_str()
        ),
        ("off", "on")
    );
    step.apply(&c, &plan).await.unwrap();
    assert!(traffic.state().await.unwrap().emergency_mode);
    assert!(step.verify(&c, &plan).await.unwrap().passed());
    assert_eq!(step.plan(&c).await.unwrap_err().kind(), ErrorKind::Refused);
    assert_eq!(step.revert(&c, &plan).await.unwrap(), "emergency mode off");
    assert!(!traffic.state().await.unwrap().emergency_mode);
    assert_eq!(
        step.revert(&c, &plan).await.unwrap(),
        "emergency mode already off"
    );
    assert_eq!(world.calls().applied(Op::TrafficSetEmergencyMode).len(), 2);
}

#[test]
fn the_engines_caps_hold_a_scale_step_back() {
    use cato_runbook_mock::gameday::{GameDay, RunbookRegistry, Scenario};
    let mut registry = RunbookRegistry::new();
    registry.register("scale", |providers| {
        let endpoint: Arc<dyn ModelEndpoint> = providers.endpoint("scale")?;
        Runbook::builder("scale", "Scale")
            .detector(Arc::new(AlwaysDegraded))
            .step(Arc::new(ScaleEndpoint::new(
                endpoint,
                "cato-shadow-self",
                "primary",
                Scaling::new(10, 50),
            )))
            .build()
    });
    let mut policy = Policy::with_mode(Mode::Auto);
    let mut caps = Caps::default();
    caps.max_instances = Some(15);
    policy.caps = caps;
    let mut scenario = Scenario::from_toml(
        "inline.toml",
        "name = \"capped\"\nduration = \"5m\"\nrunbooks = [\"scale\"]\n\n\
         [[expect]]\nexpect = \"calls\"\nop = \"endpoint.set_instance_count\"\ncount = 0\n",
    )
    .unwrap();
    scenario.policy = policy;
    let report = GameDay::new(registry)
        .run_blocking(&scenario, None)
        .unwrap();
    let applied = report.incidents[0]
        .timeline()
        .iter()
        .any(|e| e.kind.label() == "mitigation_applied");
    assert!(!applied, "{report}");
    let refused = report.incidents[0].timeline().iter().any(|e| {
        matches!(&e.kind, cato_runbook_core::EntryKind::MitigationSkipped { reason, .. }
            if reason == "cap: 20 instances > max 15")
    });
    assert!(refused, "{report}");
}

#[derive(Debug)]
struct AlwaysDegraded;

#[async_trait::async_trait]
impl cato_runbook_core::Detector for AlwaysDegraded {
    fn name(&self) -> &str {
        "always"
    }
    fn resource(&self) -> &str {
        "cato-shadow-self"
    }
    async fn observe(
        &self,
        _: &cato_runbook_core::runbook::ObserveContext,
    ) -> cato_runbook_core::Result<cato_runbook_core::runbook::Observation> {
        Ok(cato_runbook_core::runbook::Observation::Symptom(
            cato_runbook_core::runbook::Symptom::new(
                "slow",
                cato_runbook_core::Impact::degraded(0.6)?,
            ),
        ))
    }
}
