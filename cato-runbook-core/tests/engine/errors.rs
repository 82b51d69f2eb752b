//! The error policy: transient and throttled errors retry the same rung on the clock, a bounded
//! number of times; permanent errors move the ladder on; an apply that timed out is verified
//! before the engine decides. Each class at plan, apply, verify and revert.

use std::sync::Arc;
use std::time::Duration;

use cato_runbook_core::engine::{EngineConfig, Mode, Policy};
use cato_runbook_core::runbook::Runbook;
use cato_runbook_core::{ErrorKind, Incident};

use crate::support::*;

const TRANSIENT: Fault = Fault::Fail(ErrorKind::Unavailable);
const THROTTLED: Fault = Fault::Fail(ErrorKind::Throttled);
const PERMANENT: Fault = Fault::Fail(ErrorKind::InvalidInput);

/// An engine whose ladder is `first` then a plain `second`, on an endpoint that is down.
struct Case {
    h: Harness,
    log: CallLog,
    first: Arc<FakeStep>,
}

impl Case {
    /// Opens the incident at T+0 (two bad looks): the ladder's first rung runs at once.
    async fn open(build: impl FnOnce(FakeStep) -> FakeStep) -> Case {
        let detector = FakeDetector::new("endpoint-5xx", "cato-shadow-self");
        let log = CallLog::default();
        let first = build(FakeStep::new("first", &log)).arc();
        let runbook = Runbook::builder("shadow-self-down", "Shadow Self endpoint down")
            .detector(detector.clone())
            .step(first.clone())
            .step(FakeStep::new("second", &log).arc())
            .build()
            .unwrap();
        let h = Setup::new(runbook, Policy::with_mode(Mode::Auto)).build();
        detector.outage();
        h.tick().await;
        h.tick().await;
        Case { h, log, first }
    }

    /// Ticks at `secs` after T+0 (virtual time).
    async fn tick_at(&self, secs: u64) {
        let wait = at(secs) - self.h.now();
        self.h.tick_after(wait.to_std().unwrap()).await;
    }

    fn calls(&self) -> Vec<String> {
        calls(&self.log)
    }

    async fn incident(&self) -> Incident {
        self.h.only().await
    }
}

fn strs(calls: &[&str]) -> Vec<String> {
    calls.iter().map(|c| c.to_string()).collect()
}

// ---- plan ----

#[tokio::test(start_paused = true)]
async fn a_transient_plan_error_retries_the_same_rung_after_the_back_off() {
    let case = Case::open(|s| s.fault(Phase::Plan, TRANSIENT, 1)).await;
    assert_eq!(case.calls(), ["plan:first"]);
    let incident = case.incident().await;
    let retried = details(&incident, "step_retried");
    assert_eq!(retried.len(), 1);
    assert!(
        retried[0].contains("(transient); try 2 of 3 at 12:00:30"),
        "{retried:?}"
    );
    assert!(details(&incident, "mitigation_failed").is_empty());
    case.tick_at(29).await;
    assert_eq!(case.calls(), ["plan:first"], "not before its time");
    case.tick_at(30).await;
    assert_eq!(case.calls(), ["plan:first", "plan:first", "apply:first"]);
}

#[tokio::test(start_paused = true)]
async fn a_throttled_plan_error_backs_off_twice_as_long() {
    let case = Case::open(|s| s.fault(Phase::Plan, THROTTLED, 1)).await;
    let retried = details(&case.incident().await, "step_retried");
    assert!(retried[0].contains("(throttled); try 2 of 3 at 12:01:00"));
    case.tick_at(30).await;
    assert_eq!(case.calls(), ["plan:first"]);
    case.tick_at(60).await;
    assert_eq!(case.calls(), ["plan:first", "plan:first", "apply:first"]);
}

#[tokio::test(start_paused = true)]
async fn a_permanent_plan_error_moves_the_ladder_on_at_once() {
    let case = Case::open(|s| s.fault(Phase::Plan, PERMANENT, 1)).await;
    assert_eq!(case.calls(), ["plan:first", "plan:second", "apply:second"]);
    let incident = case.incident().await;
    assert!(details(&incident, "step_retried").is_empty());
    assert!(details(&incident, "mitigation_failed")[0].starts_with("planning failed"));
}

// ---- apply ----

#[tokio::test(start_paused = true)]
async fn a_transient_apply_error_applies_the_same_plan_again() {
    let case = Case::open(|s| s.fault(Phase::Apply, TRANSIENT, 1)).await;
    assert_eq!(case.calls(), ["plan:first", "apply:first"]);
    case.tick_at(30).await;
    assert_eq!(
        case.calls(),
        ["plan:first", "apply:first", "landed:first", "apply:first"],
        "no new plan, no cooldown refusal: the first try booked the guardrails; the change \
         is read back first (it cannot be, so the same plan goes out again)"
    );
    let keys = case.first.keys.lock().unwrap().clone();
    assert_eq!(keys, ["INC-20260301-0001:first", "INC-20260301-0001:first"]);
    let incident = case.incident().await;
    assert_eq!(details(&incident, "mitigation_applied").len(), 1);
    assert!(details(&incident, "mitigation_failed").is_empty());
    assert!(skips(&incident).is_empty(), "{:?}", skips(&incident));
}

#[tokio::test(start_paused = true)]
async fn a_throttled_apply_error_backs_off_twice_as_long() {
    let case = Case::open(|s| s.fault(Phase::Apply, THROTTLED, 1)).await;
    case.tick_at(30).await;
    assert_eq!(case.calls(), ["plan:first", "apply:first"]);
    case.tick_at(60).await;
    assert_eq!(
        case.calls(),
        ["plan:first", "apply:first", "landed:first", "apply:first"]
    );
}

#[tokio::test(start_paused = true)]
async fn a_permanent_apply_error_moves_the_ladder_on_at_once() {
    let case = Case::open(|s| s.fault(Phase::Apply, PERMANENT, 1)).await;
    assert_eq!(
        case.calls(),
        ["plan:first", "apply:first", "plan:second", "apply:second"]
    );
    assert_eq!(
        details(&case.incident().await, "mitigation_failed").len(),
        1
    );
}

#[tokio::test(start_paused = true)]
async fn retries_are_bounded_then_the_error_counts_as_permanent() {
    let case = Case::open(|s| s.fault(Phase::Apply, TRANSIENT, 3)).await;
    case.tick_at(30).await; // second try fails: the next after 60 s more
    case.tick_at(60).await;
    assert_eq!(
        case.calls(),
        ["plan:first", "apply:first", "landed:first", "apply:first"]
    );
    case.tick_at(90).await; // third and last try fails
    assert_eq!(
        case.calls(),
        [
            "plan:first",
            "apply:first",
            "landed:first",
            "apply:first",
            "landed:first",
            "apply:first",
            "plan:second",
            "apply:second"
        ]
    );
    let incident = case.incident().await;
    assert_eq!(details(&incident, "step_retried").len(), 2);
    assert_eq!(details(&incident, "mitigation_failed").len(), 1);
}

// ---- verify ----

#[tokio::test(start_paused = true)]
async fn a_transient_verify_error_verifies_again_later() {
    let case = Case::open(|s| s.reversible().fault(Phase::Verify, TRANSIENT, 1)).await;
    case.tick_at(60).await;
    assert_eq!(case.calls(), ["plan:first", "apply:first", "verify:first"]);
    case.tick_at(90).await;
    assert_eq!(
        case.calls(),
        ["plan:first", "apply:first", "verify:first", "verify:first"]
    );
    let incident = case.incident().await;
    assert_eq!(details(&incident, "verification_passed").len(), 1);
    assert!(details(&incident, "verification_failed").is_empty());
    assert!(details(&incident, "mitigation_reverted").is_empty());
}

#[tokio::test(start_paused = true)]
async fn a_throttled_verify_error_backs_off_twice_as_long() {
    let case = Case::open(|s| s.fault(Phase::Verify, THROTTLED, 1)).await;
    case.tick_at(60).await;
    case.tick_at(90).await;
    assert_eq!(case.calls(), ["plan:first", "apply:first", "verify:first"]);
    case.tick_at(120).await;
    assert_eq!(
        case.calls(),
        ["plan:first", "apply:first", "verify:first", "verify:first"]
    );
}

#[tokio::test(start_paused = true)]
async fn a_permanent_verify_error_is_a_failed_verification() {
    let case = Case::open(|s| s.reversible().fault(Phase::Verify, PERMANENT, 1)).await;
    case.tick_at(60).await;
    assert_eq!(
        case.calls(),
        strs(&[
            "plan:first",
            "apply:first",
            "verify:first",
            "revert:first",
            "plan:second",
            "apply:second"
        ])
    );
    let incident = case.incident().await;
    assert!(details(&incident, "verification_failed")[0].starts_with("could not verify"));
}

// ---- revert ----

/// The first step does not help, and its revert meets `fault` once.
async fn failing_revert(fault: Fault) -> Case {
    Case::open(|s| s.reversible().verify_fails().fault(Phase::Revert, fault, 1)).await
}

#[tokio::test(start_paused = true)]
async fn a_transient_revert_error_holds_the_ladder_until_the_revert_is_done() {
    let case = failing_revert(TRANSIENT).await;
    case.tick_at(60).await;
    assert_eq!(
        case.calls(),
        ["plan:first", "apply:first", "verify:first", "revert:first"],
        "the next step waits: never two changes half-applied"
    );
    case.tick_at(90).await;
    assert_eq!(
        case.calls(),
        strs(&[
            "plan:first",
            "apply:first",
            "verify:first",
            "revert:first",
            "revert:first",
            "plan:second",
            "apply:second"
        ])
    );
    let incident = case.incident().await;
    assert_eq!(details(&incident, "mitigation_reverted").len(), 1);
}

#[tokio::test(start_paused = true)]
async fn a_throttled_revert_error_backs_off_twice_as_long() {
    let case = failing_revert(THROTTLED).await;
    case.tick_at(60).await;
    case.tick_at(90).await;
    assert_eq!(case.calls().len(), 4);
    case.tick_at(120).await;
    assert_eq!(
        case.calls()[4..],
        ["revert:first", "plan:second", "apply:second"]
    );
}

#[tokio::test(start_paused = true)]
async fn a_permanent_revert_error_is_recorded_and_the_ladder_moves_on() {
    let case = failing_revert(PERMANENT).await;
    case.tick_at(60).await;
    assert_eq!(
        case.calls()[2..],
        [
            "verify:first",
            "revert:first",
            "plan:second",
            "apply:second"
        ]
    );
    let incident = case.incident().await;
    assert!(details(&incident, "mitigation_failed")[0].starts_with("revert failed"));
}

// ---- an apply that timed out ----

/// Ticks every 30 s as the health loop does, the period kept from each tick's start.
#[allow(clippy::disallowed_methods)] // a test drives tokio's time itself
async fn run_until(h: &Harness, secs: u64) {
    while h.now() < at(secs) {
        let next = h.now() + chrono::TimeDelta::seconds(30);
        h.tick().await;
        if let Ok(wait) = (next - h.now()).to_std() {
            tokio::time::sleep(wait).await;
        }
    }
}

fn short_step_timeout() -> EngineConfig {
    let mut config = EngineConfig::default();
    config.timeouts.step = Duration::from_secs(90);
    config
}

async fn hung_apply(lands: bool) -> (Harness, CallLog) {
    let detector = FakeDetector::new("endpoint-5xx", "cato-shadow-self");
    let log = CallLog::default();
    let mut first = FakeStep::new("first", &log)
        .reversible()
        .fault(Phase::Apply, Fault::Hang, 1);
    if lands {
        first = first.hang_lands();
    }
    let runbook = Runbook::builder("shadow-self-down", "Shadow Self endpoint down")
        .detector(detector.clone())
        .step(first.arc())
        .step(FakeStep::new("second", &log).arc())
        .build()
        .unwrap();
    let mut setup = Setup::new(runbook, Policy::with_mode(Mode::Auto));
    setup.config = short_step_timeout();
    let h = setup.build();
    detector.outage();
    h.tick().await;
    (h, log)
}

#[tokio::test(start_paused = true)]
async fn an_apply_that_timed_out_but_landed_is_verified_not_applied_again() {
    let (h, log) = hung_apply(true).await;
    run_until(&h, 60).await;
    assert_eq!(
        calls(&log),
        ["plan:first", "apply:first"],
        "still in flight"
    );
    // The apply times out at 90 s; the verification, a minute later, finds the change.
    run_until(&h, 181).await;
    assert_eq!(calls(&log), ["plan:first", "apply:first", "verify:first"]);
    let incident = h.only().await;
    let unknown = incident.timeline().first("mitigation_unknown").unwrap();
    assert_eq!(unknown.at, at(90));
    assert!(unknown.detail.contains("whether it landed is unknown"));
    assert_eq!(details(&incident, "verification_passed").len(), 1);
    assert!(details(&incident, "mitigation_applied").is_empty());
}

#[tokio::test(start_paused = true)]
async fn an_apply_that_timed_out_and_did_not_land_is_reverted_before_the_next_step() {
    let (h, log) = hung_apply(false).await;
    run_until(&h, 181).await;
    assert_eq!(
        calls(&log),
        [
            "plan:first",
            "apply:first",
            "verify:first",
            "revert:first",
            "plan:second",
            "apply:second"
        ]
    );
    let incident = h.only().await;
    assert_eq!(
        labels(&incident)
            .into_iter()
            .filter(|l| l.starts_with("mitigation_") || l.starts_with("verification_"))
            .collect::<Vec<_>>(),
        [
            "mitigation_planned",
            "mitigation_unknown",
            "verification_failed",
            "mitigation_reverted",
            "mitigation_planned",
            "mitigation_applied"
        ]
    );
}
