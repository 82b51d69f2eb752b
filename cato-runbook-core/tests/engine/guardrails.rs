//! Guardrails: modes, caps, cooldown, hourly cap, kill switch, the lease.

use std::sync::Arc;
use std::time::Duration;

use cato_runbook_core::Status;
use cato_runbook_core::engine::{Mode, Policy, TickEvent};
use cato_runbook_core::runbook::{Quantity, Risk, Runbook};

use crate::support::*;

fn runbook(id: &str, detector: &Arc<FakeDetector>, steps: Vec<Arc<FakeStep>>) -> Runbook {
    let mut builder = Runbook::builder(id, id).detector(detector.clone());
    for step in steps {
        builder = builder.step(step);
    }
    builder.build().unwrap()
}

#[tokio::test(start_paused = true)]
async fn dry_run_applies_nothing_and_records_the_plan() {
    let detector = FakeDetector::new("endpoint-5xx", "cato-shadow-self");
    let log = CallLog::default();
    let rb = runbook(
        "shadow-self-down",
        &detector,
        vec![FakeStep::new("restart", &log).arc()],
    );
    let h = Setup::new(rb, Policy::default()).build(); // the default mode is dry-run
    assert_eq!(h.engine.policy().mode, Mode::DryRun);
    detector.outage();
    h.tick().await;
    let report = h.tick().await;
    assert!(
        report
            .events
            .iter()
            .any(|e| matches!(e, TickEvent::Skipped { reason, .. } if reason == "dry-run"))
    );
    for _ in 0..5 {
        h.tick_after(mins(1)).await;
    }
    assert_eq!(calls(&log), ["plan:restart"], "planned once, never applied");
    let incident = h.only().await;
    assert_eq!(incident.status(), Status::Detected);
    let planned = details(&incident, "mitigation_planned");
    assert_eq!(planned.len(), 1);
    assert!(planned[0].contains("restart on cato-shadow-self"));
    assert!(planned[0].contains("cato-shadow-self state: before → after"));
    assert_eq!(skips(&incident), ["restart: dry-run"]);
    assert_eq!(
        details(&incident, "mitigation_skipped"),
        ["would apply: restart cato-shadow-self"]
    );
}

#[tokio::test(start_paused = true)]
async fn a_runbook_mode_is_stricter_than_the_global_one() {
    let detector = FakeDetector::new("endpoint-5xx", "cato-shadow-self");
    let log = CallLog::default();
    let rb = Runbook::builder("shadow-self-down", "down")
        .detector(detector.clone())
        .step(FakeStep::new("restart", &log).arc())
        .mode(Mode::ObserveOnly)
        .build()
        .unwrap();
    let h = Setup::new(rb, Policy::with_mode(Mode::Auto)).build();
    detector.outage();
    for _ in 0..4 {
        h.tick_after(mins(1)).await;
    }
    assert!(calls(&log).is_empty(), "observe-only does not even plan");
    assert_eq!(
        skips(&h.only().await),
        ["restart: observe-only mode"],
        "recorded once"
    );
}

#[tokio::test(start_paused = true)]
async fn a_step_over_a_cap_is_skipped_and_the_next_one_runs() {
    let detector = FakeDetector::new("p99", "cato-shadow-self");
    let log = CallLog::default();
    let rb = runbook(
        "high-latency",
        &detector,
        vec![
            FakeStep::new("scale-shadow-self", &log)
                .quantity(Quantity::Instances(50))
                .arc(),
            FakeStep::new("scale-orchestrator", &log)
                .quantity(Quantity::Replicas(10))
                .arc(),
        ],
    );
    let mut policy = Policy::with_mode(Mode::Auto);
    policy.caps.max_instances = Some(20);
    policy.caps.max_replicas = Some(10);
    let h = Setup::new(rb, policy).build();
    detector.degraded(0.6);
    h.tick().await;
    h.tick().await;
    assert_eq!(
        calls(&log),
        [
            "plan:scale-shadow-self",
            "plan:scale-orchestrator",
            "apply:scale-orchestrator"
        ]
    );
    assert_eq!(
        skips(&h.only().await),
        ["scale-shadow-self: cap: 50 instances > max 20"]
    );
}

#[tokio::test(start_paused = true)]
async fn a_cooldown_stops_a_repeat_on_the_same_resource() {
    let detector = FakeDetector::new("endpoint-5xx", "cato-shadow-self");
    let log = CallLog::default();
    let rb = runbook(
        "shadow-self-down",
        &detector,
        vec![FakeStep::new("restart", &log).arc()],
    );
    let h = Setup::new(rb, Policy::with_mode(Mode::Auto)).build();
    detector.outage();
    h.tick().await;
    h.tick().await; // opens, applies restart at 0 s
    h.tick_after(mins(1)).await; // verified
    detector.healthy();
    for _ in 0..3 {
        h.tick_after(mins(1)).await;
    }
    assert_eq!(h.only().await.status(), Status::Resolved);

    // Back at 5 min: a new incident, within the 10 min cooldown of restart.
    detector.outage();
    h.tick_after(mins(1)).await;
    h.tick_after(mins(1)).await;
    let second = h.incidents().await.pop().unwrap();
    assert_eq!(second.id().as_str(), "INC-20260301-0002");
    assert_eq!(
        calls(&log).iter().filter(|c| *c == "apply:restart").count(),
        1
    );
    let skipped = skips(&second);
    assert_eq!(skipped.len(), 1);
    assert!(skipped[0].starts_with(
        "restart: cooldown: restart acted on cato-shadow-self at 12:00:00, again from 12:10:00"
    ));
    assert!(
        second.automation().exhausted,
        "nothing else to try: over to people"
    );
}

#[tokio::test(start_paused = true)]
async fn the_hourly_cap_stops_a_further_destructive_action() {
    let a = FakeDetector::new("a", "endpoint-a");
    let b = FakeDetector::new("b", "endpoint-b");
    let log = CallLog::default();
    let restart = || FakeStep::new("restart", &log).risk(Risk::High).arc();
    let mut policy = Policy::with_mode(Mode::Auto);
    policy.max_destructive_per_hour = 1;
    let mut setup = Setup::new(runbook("rb-a", &a, vec![restart()]), policy);
    setup.runbooks.push(runbook("rb-b", &b, vec![restart()]));
    let h = setup.build();
    a.outage();
    h.tick().await;
    h.tick().await;
    b.outage();
    h.tick_after(mins(10)).await;
    h.tick().await;
    assert_eq!(
        calls(&log).iter().filter(|c| *c == "apply:restart").count(),
        1
    );
    let second = h
        .incidents()
        .await
        .into_iter()
        .find(|i| i.resource() == "endpoint-b")
        .unwrap();
    assert_eq!(
        skips(&second),
        ["restart: hourly cap: 1 destructive actions in the last hour (max 1)"]
    );
}

#[tokio::test(start_paused = true)]
async fn the_kill_switch_halts_every_side_effect_until_resumed() {
    let detector = FakeDetector::new("endpoint-5xx", "cato-shadow-self");
    let log = CallLog::default();
    let rb = runbook(
        "shadow-self-down",
        &detector,
        vec![FakeStep::new("restart", &log).arc()],
    );
    let h = Setup::new(rb, Policy::with_mode(Mode::Auto)).build();
    let operator = h.engine.operator();
    operator.halt("alice", "game day").await.unwrap();
    assert!(operator.is_halted());
    detector.outage();
    for _ in 0..4 {
        h.tick_after(Duration::from_secs(30)).await;
    }
    assert!(calls(&log).is_empty());
    let incident = h.only().await;
    assert_eq!(
        skips(&incident),
        ["restart: kill switch: automation is halted"],
        "recorded once"
    );
    assert_eq!(h.pager.targets(), ["on-call"], "people are still told");

    operator.resume("alice").await.unwrap();
    h.tick_after(Duration::from_secs(30)).await;
    assert_eq!(calls(&log), ["plan:restart", "apply:restart"]);
    assert!(
        details(&h.only().await, "note")
            .iter()
            .any(|n| n == "automation resumed by alice")
    );
}

#[tokio::test(start_paused = true)]
async fn a_standby_replica_runs_no_detector_and_opens_nothing() {
    let detector = FakeDetector::new("endpoint-5xx", "cato-shadow-self");
    let log = CallLog::default();
    let rb = runbook(
        "shadow-self-down",
        &detector,
        vec![FakeStep::new("restart", &log).arc()],
    );
    let lease = Arc::new(FixedLease::other_replica_leads());
    let mut setup = Setup::new(rb, Policy::with_mode(Mode::Auto));
    setup.lease = Some(lease.clone());
    let h = setup.build();
    detector.outage();
    for _ in 0..3 {
        let report = h.tick_after(Duration::from_secs(30)).await;
        assert_eq!(report.standby.as_deref(), Some("replica-b"));
        assert_eq!(report.detectors, 0);
    }
    assert_eq!(lease.asked.load(std::sync::atomic::Ordering::SeqCst), 3);
    assert_eq!(
        detector.calls.load(std::sync::atomic::Ordering::SeqCst),
        0,
        "a standby costs no provider call"
    );
    assert!(calls(&log).is_empty(), "neither planned nor applied");
    assert!(h.incidents().await.is_empty());
}

#[tokio::test(start_paused = true)]
async fn a_leader_that_learns_another_leads_drops_the_looks_it_began_while_renewing() {
    let detector = FakeDetector::new("endpoint-5xx", "cato-shadow-self");
    let log = CallLog::default();
    let rb = runbook(
        "shadow-self-down",
        &detector,
        vec![FakeStep::new("restart", &log).arc()],
    );
    // A renewal takes a second: time for the looks to begin.
    let lease = Arc::new(FixedLease::leads_at(1).slowly(Duration::from_secs(1)));
    let mut setup = Setup::new(rb, Policy::with_mode(Mode::Auto));
    setup.lease = Some(lease.clone());
    let h = setup.build();
    let report = h.tick().await;
    assert_eq!((report.standby, report.detectors), (None, 1));
    // The lease moves to another replica while this one still holds a running lease: its next
    // tick looks while it renews, then hears that it no longer leads.
    lease.answer_as(FixedLease::other_replica_leads());
    detector.outage();
    let looked = detector.calls.load(std::sync::atomic::Ordering::SeqCst);
    for _ in 0..3 {
        let report = h.tick_after(Duration::from_secs(30)).await;
        assert_eq!(report.standby.as_deref(), Some("replica-b"));
        assert_eq!(report.detectors, 0, "the looks are dropped unread");
        assert_eq!((report.symptoms, report.unknown), (0, 0));
    }
    assert_eq!(
        detector.calls.load(std::sync::atomic::Ordering::SeqCst),
        looked + 1,
        "one look, begun while it still led; none once it knew"
    );
    assert!(calls(&log).is_empty(), "neither planned nor applied");
    assert!(h.incidents().await.is_empty());
}

#[tokio::test(start_paused = true)]
async fn the_kill_switch_also_holds_a_pending_verify_and_revert() {
    let detector = FakeDetector::new("endpoint-5xx", "cato-shadow-self");
    let log = CallLog::default();
    let restart = FakeStep::new("restart", &log)
        .reversible()
        .verify_fails()
        .arc();
    let rb = runbook("shadow-self-down", &detector, vec![restart]);
    let h = Setup::new(rb, Policy::with_mode(Mode::Auto)).build();
    detector.outage();
    h.tick().await;
    h.tick().await;
    h.engine
        .operator()
        .halt("alice", "investigating by hand")
        .await
        .unwrap();
    h.tick_after(mins(5)).await;
    assert_eq!(
        calls(&log),
        ["plan:restart", "apply:restart"],
        "no verify, no revert"
    );
    h.engine.operator().resume("alice").await.unwrap();
    h.tick_after(Duration::from_secs(30)).await;
    assert_eq!(
        calls(&log),
        [
            "plan:restart",
            "apply:restart",
            "verify:restart",
            "revert:restart"
        ]
    );
}

/// The same guarantee, stated as call expectations with the `mock` feature's mockall mocks:
/// after a halt, the step is never planned, applied, verified or reverted, whatever the tick.
#[cfg(feature = "mock")]
#[tokio::test(start_paused = true)]
async fn after_a_halt_no_step_call_is_ever_made() {
    use cato_runbook_core::mock::MockMitigation;

    let detector = FakeDetector::new("endpoint-5xx", "cato-shadow-self");
    let mut step = MockMitigation::new();
    step.expect_name().return_const("restart".to_owned());
    step.expect_precondition().return_const(true);
    step.expect_plan().never();
    step.expect_apply().never();
    step.expect_verify().never();
    step.expect_revert().never();
    let rb = Runbook::builder("shadow-self-down", "shadow-self-down")
        .detector(detector.clone())
        .step(Arc::new(step))
        .build()
        .unwrap();
    let h = Setup::new(rb, Policy::with_mode(Mode::Auto)).build();
    h.engine.operator().halt("alice", "game day").await.unwrap();
    detector.outage();
    for _ in 0..10 {
        h.tick_after(Duration::from_secs(30)).await;
    }
    let incident = h.only().await;
    assert_eq!(
        skips(&incident),
        ["restart: kill switch: automation is halted"]
    );
}
