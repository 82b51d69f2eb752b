//! An apply whose call landed and whose answer was lost: its retry reads the change back
//! before calling again, and a retry refused because the resource is busy changing is
//! verified, never applied a second time.

use std::sync::Arc;

use cato_runbook_core::engine::{Mode, Policy};
use cato_runbook_core::runbook::Runbook;

use crate::support::*;

/// An engine whose ladder is `first` then a plain `second`, on an endpoint that is down; the
/// incident opens at T+0 and `first` is planned and applied at once.
async fn open(first: FakeStep, log: &CallLog) -> (Harness, Arc<FakeStep>) {
    let detector = FakeDetector::new("endpoint-5xx", "cato-shadow-self");
    let first = first.arc();
    let runbook = Runbook::builder("shadow-self-down", "Shadow Self endpoint down")
        .detector(detector.clone())
        .step(first.clone())
        .step(FakeStep::new("second", log).arc())
        .build()
        .unwrap();
    let h = Setup::new(runbook, Policy::with_mode(Mode::Auto)).build();
    detector.outage();
    h.tick().await;
    h.tick().await;
    (h, first)
}

async fn tick_at(h: &Harness, secs: u64) {
    let wait = at(secs) - h.now();
    h.tick_after(wait.to_std().unwrap()).await;
}

#[tokio::test(start_paused = true)]
async fn a_retry_that_reads_the_change_in_place_records_it_applied_without_a_second_call() {
    let log = CallLog::default();
    let step = FakeStep::new("first", &log)
        .reads_back()
        .fault(Phase::Apply, Fault::Lost, 1);
    let (h, first) = open(step, &log).await;
    assert_eq!(calls(&log), ["plan:first", "apply:first"]);
    tick_at(&h, 30).await;
    assert_eq!(calls(&log), ["plan:first", "apply:first", "landed:first"]);
    let incident = h.only().await;
    let applied = details(&incident, "mitigation_applied");
    assert_eq!(applied.len(), 1);
    assert!(applied[0].contains("its answer was lost"), "{applied:?}");
    tick_at(&h, 90).await;
    assert_eq!(
        calls(&log),
        ["plan:first", "apply:first", "landed:first", "verify:first"]
    );
    assert_eq!(details(&h.only().await, "verification_passed").len(), 1);
    assert_eq!(first.keys.lock().unwrap().len(), 1, "one call");
}

#[tokio::test(start_paused = true)]
async fn a_retry_that_reads_no_change_applies_the_same_plan_again() {
    let log = CallLog::default();
    let step = FakeStep::new("first", &log).reads_back().fault(
        Phase::Apply,
        Fault::Fail(cato_runbook_core::ErrorKind::Unavailable),
        1,
    );
    let (h, first) = open(step, &log).await;
    tick_at(&h, 30).await;
    assert_eq!(
        calls(&log),
        ["plan:first", "apply:first", "landed:first", "apply:first"]
    );
    let keys = first.keys.lock().unwrap().clone();
    assert_eq!(keys, ["INC-20260301-0001:first", "INC-20260301-0001:first"]);
    assert_eq!(details(&h.only().await, "mitigation_applied").len(), 1);
}

#[tokio::test(start_paused = true)]
async fn a_retry_refused_as_busy_is_verified_not_applied_again() {
    let log = CallLog::default();
    // It cannot read its change back: the retry goes out, and the service refuses it because
    // the first call's change is under way.
    let step = FakeStep::new("first", &log)
        .reversible()
        .fault(Phase::Apply, Fault::Lost, 1)
        .fault(Phase::Apply, Fault::Busy, 1);
    let (h, first) = open(step, &log).await;
    tick_at(&h, 30).await;
    assert_eq!(
        calls(&log),
        ["plan:first", "apply:first", "landed:first", "apply:first"]
    );
    let incident = h.only().await;
    let unknown = details(&incident, "mitigation_unknown");
    assert_eq!(unknown.len(), 1);
    assert!(unknown[0].contains("may have landed"), "{unknown:?}");
    assert!(details(&incident, "mitigation_failed").is_empty());
    tick_at(&h, 60).await;
    tick_at(&h, 90).await;
    assert_eq!(
        calls(&log),
        [
            "plan:first",
            "apply:first",
            "landed:first",
            "apply:first",
            "verify:first"
        ]
    );
    assert_eq!(details(&h.only().await, "verification_passed").len(), 1);
    assert_eq!(first.keys.lock().unwrap().len(), 2, "no third call");
}

#[tokio::test(start_paused = true)]
async fn a_first_apply_refused_as_busy_is_retried() {
    let log = CallLog::default();
    let step = FakeStep::new("first", &log).fault(Phase::Apply, Fault::Busy, 1);
    let (h, _) = open(step, &log).await;
    let incident = h.only().await;
    assert_eq!(details(&incident, "step_retried").len(), 1);
    assert!(details(&incident, "mitigation_unknown").is_empty());
    tick_at(&h, 30).await;
    assert_eq!(
        calls(&log),
        ["plan:first", "apply:first", "landed:first", "apply:first"]
    );
    assert_eq!(details(&h.only().await, "mitigation_applied").len(), 1);
}
