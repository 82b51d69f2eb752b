//! Detection and diagnosis: log evidence ranks the root causes, an open breaker on a healthy
//! endpoint goes to people, detectors that cannot look say so.

use cato_runbook_core::catalog::circuit_breaker::BreakerState;
use cato_runbook_core::catalog::facts;
use cato_runbook_core::catalog::shadow_self_down::{self, Config};
use cato_runbook_core::runbook::ObserveContext;
use cato_runbook_core::{ErrorKind, Severity};
use cato_runbook_mock::config::CrashCause;
use cato_runbook_mock::{Op, World, WorldChange};

use super::{ID, lose_instances, runbook, updates};
use crate::world_engine::{Rig, entries, escalations, minutes, skipped};

#[tokio::test(start_paused = true)]
async fn log_evidence_ranks_the_root_causes() {
    let world = World::default();
    lose_instances(&world, minutes(1), CrashCause::GpuDriver);
    world
        .schedule_in(
            minutes(1),
            WorldChange::Log {
                group: "/aws/sagemaker/Endpoints/cato-shadow-self".into(),
                stream: "primary/i-0000000000000002".into(),
                message: "ERROR Back-off restarting failed container (CrashLoopBackOff)".into(),
            },
        )
        .unwrap();
    let rig = Rig::auto(&world, runbook(Config::default()));
    rig.run_until(minutes(3)).await;

    let inc = rig.incident(ID).await;
    let causes: Vec<_> = inc
        .root_causes()
        .iter()
        .map(|c| (c.cause.as_str(), c.confidence))
        .collect();
    assert_eq!(causes[0].0, "GPU driver issue", "{causes:?}");
    assert_eq!(causes[1].0, "container crash loop", "{causes:?}");
    assert!(causes[0].1 > causes[1].1);
    assert_eq!(causes.len(), 2, "no OOM line: no OOM cause");
    let finding = inc
        .findings()
        .iter()
        .find(|f| f.source == "error-logs")
        .unwrap();
    assert_eq!(
        finding.facts[facts::CRASH_LOOP_EVENTS.name()].as_i64(),
        Some(1)
    );
    assert_eq!(finding.facts[facts::OOM_EVENTS.name()].as_i64(), Some(0));
    assert!(
        finding
            .evidence
            .iter()
            .any(|l| l.contains("CrashLoopBackOff"))
    );
}

#[tokio::test(start_paused = true)]
async fn an_open_breaker_on_a_healthy_endpoint_is_handed_to_people() {
    let world = World::default();
    let mut config = Config::default();
    config.circuit_breaker.sliding_window_size = 20;
    config.circuit_breaker.minimum_number_of_calls = 10;
    let breaker = config.attach_breaker(world.clock_handle()).unwrap();
    let rig = Rig::auto(&world, runbook(config));
    // The host's calls fail from T+1m to T+6m (a network fault between it and the endpoint).
    let host = breaker.clone();
    let calls = move |w: &World| {
        let broken = w.now() >= w.at(minutes(1)) && w.now() < w.at(minutes(6));
        for _ in 0..20 {
            if let Ok(permit) = host.try_acquire() {
                if broken {
                    permit.failure()
                } else {
                    permit.success()
                }
            }
        }
    };
    rig.run_until_with(minutes(3), calls.clone()).await;
    assert_ne!(breaker.state(), BreakerState::Closed);
    let inc = rig.incident(ID).await;
    assert_eq!(inc.severity(), Severity::Sev1);
    let observed = entries(&inc, "symptom_observed", None);
    assert_eq!(
        observed.len(),
        1,
        "only the breaker sees trouble: {observed:?}"
    );
    assert!(
        observed[0].starts_with("circuit breaker cato-shadow-self OPEN since"),
        "{observed:?}"
    );
    // The endpoint serves: no restart, and no reason to replace its model.
    assert_eq!(skipped(&inc, "restart-endpoint").len(), 1);
    assert_eq!(skipped(&inc, "rollback-endpoint-config").len(), 1);
    assert_eq!(escalations(&world, &inc)[0].0, "Engineering Lead");
    let status = inc
        .findings()
        .iter()
        .find(|f| f.source == "endpoint-status")
        .unwrap();
    assert_eq!(
        status.facts[facts::ENDPOINT_FAILING.name()].as_bool(),
        Some(false)
    );
    let state = inc
        .findings()
        .iter()
        .find(|f| f.source == "circuit-breaker")
        .unwrap();
    assert_eq!(
        state.facts[facts::BREAKER_STATE.name()].as_str(),
        Some("OPEN")
    );

    rig.run_until_with(minutes(12), calls).await;
    assert_eq!(breaker.state(), BreakerState::Closed);
    let inc = rig.incident(ID).await;
    assert!(inc.phases().resolved.is_some(), "{:#?}", inc.timeline());
    assert!(updates(&world).is_empty());
}

#[tokio::test(start_paused = true)]
async fn detectors_that_cannot_look_say_so() {
    let world = World::default();
    world
        .faults()
        .on(Op::MetricsQuery)
        .permanent(ErrorKind::Unavailable);
    world
        .faults()
        .on(Op::EndpointDescribe)
        .permanent(ErrorKind::Unavailable);
    let ports = world.ports("replica-1");
    let providers = ports.providers(world.clock_handle());
    let rb = shadow_self_down::runbook(&providers, &Config::default()).unwrap();
    let ctx = ObserveContext::new(world.now());
    for detector in rb.detectors() {
        assert!(
            detector.observe(&ctx).await.is_err(),
            "{} must not report healthy",
            detector.name()
        );
    }
}
