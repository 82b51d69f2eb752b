//! Temporary steps: reverted when the incident resolves or their time runs out.

use std::sync::Arc;
use std::time::Duration;

use cato_runbook_core::engine::{Mode, Policy};
use cato_runbook_core::runbook::Runbook;
use cato_runbook_core::{EntryKind, Status};

use crate::support::*;

const TTL: Duration = Duration::from_secs(20 * 60);

fn bedrock(detector: &Arc<FakeDetector>) -> cato_runbook_core::runbook::RunbookBuilder {
    Runbook::builder("bedrock-throttling", "Bedrock Throttling").detector(detector.clone())
}

fn ladder(incident: &cato_runbook_core::Incident) -> Vec<String> {
    incident
        .timeline()
        .iter()
        .filter(|e| e.kind.step().is_some() || matches!(e.kind, EntryKind::Resolved))
        .map(|e| format!("{} {}", e.kind.label(), e.kind.step().unwrap_or("")))
        .collect()
}

#[tokio::test(start_paused = true)]
async fn a_temporary_step_is_reverted_when_the_incident_resolves() {
    let detector = FakeDetector::new("throttles", "bedrock");
    let log = CallLog::default();
    let lower = FakeStep::new("lower-threshold", &log)
        .reversible()
        .temporary(TTL)
        .arc();
    let runbook = bedrock(&detector).step(lower).build().unwrap();
    let h = Setup::new(runbook, Policy::with_mode(Mode::Auto)).build();
    detector.degraded(0.2);
    h.tick().await;
    h.tick().await;
    let open = h.only().await;
    assert_eq!(open.automation().temporary.len(), 1);
    assert_eq!(open.automation().temporary[0].until, at(20 * 60));

    h.tick_after(Duration::from_secs(60)).await;
    detector.healthy();
    for _ in 0..3 {
        h.tick_after(Duration::from_secs(30)).await;
    }
    let incident = h.only().await;
    assert_eq!(incident.status(), Status::Resolved);
    assert_eq!(
        calls(&log),
        [
            "plan:lower-threshold",
            "apply:lower-threshold",
            "verify:lower-threshold",
            "revert:lower-threshold"
        ]
    );
    assert_eq!(
        ladder(&incident),
        [
            "mitigation_planned lower-threshold",
            "mitigation_applied lower-threshold",
            "verification_passed lower-threshold",
            "resolved ",
            "mitigation_reverted lower-threshold",
        ]
    );
    assert!(incident.automation().temporary.is_empty());
    assert!(
        details(&incident, "note")
            .iter()
            .any(|n| n.contains("was temporary and the incident resolved"))
    );
    // Nothing is due any more, and nothing is reverted twice.
    h.tick_after(Duration::from_secs(30 * 60)).await;
    assert_eq!(calls(&log).len(), 4);
}

#[tokio::test(start_paused = true)]
async fn a_temporary_step_is_reverted_when_its_time_runs_out() {
    let detector = FakeDetector::new("throttles", "bedrock");
    let log = CallLog::default();
    let lower = FakeStep::new("lower-threshold", &log)
        .reversible()
        .temporary(TTL)
        .arc();
    let shift = FakeStep::new("shift-traffic", &log).needs_approval().arc();
    let runbook = bedrock(&detector).step(lower).step(shift).build().unwrap();
    let h = Setup::new(runbook, Policy::with_mode(Mode::Auto)).build();
    detector.degraded(0.2);
    h.tick().await;
    h.tick().await;
    // Verified at +60 s, the symptom persists: the next step waits for approval.
    for _ in 0..4 {
        h.tick_after(Duration::from_secs(30)).await;
    }
    assert_eq!(h.only().await.automation().temporary.len(), 1);
    let report = h.tick_after(Duration::from_secs(30)).await;
    // The engine wakes for the expiry even when nothing else is due.
    assert!(report.next_due.is_some());

    let until = h.only().await.automation().temporary[0].until;
    assert!(report.next_due.unwrap() <= until);
    let wait = (until - h.now()).to_std().unwrap();
    h.tick_after(wait - Duration::from_secs(1)).await;
    assert_eq!(h.only().await.automation().temporary.len(), 1);
    h.tick_after(Duration::from_secs(1)).await;
    let incident = h.only().await;
    assert!(incident.is_open());
    assert!(incident.automation().temporary.is_empty());
    assert_eq!(
        calls(&log),
        [
            "plan:lower-threshold",
            "apply:lower-threshold",
            "verify:lower-threshold",
            "plan:shift-traffic",
            "revert:lower-threshold"
        ]
    );
    assert!(
        details(&incident, "note")
            .iter()
            .any(|n| n.contains("its time ran out"))
    );
    // Resolution later does not revert it again.
    detector.healthy();
    for _ in 0..3 {
        h.tick_after(Duration::from_secs(30)).await;
    }
    assert_eq!(h.only().await.status(), Status::Resolved);
    assert_eq!(calls(&log).len(), 5);
}

#[tokio::test(start_paused = true)]
async fn a_temporary_step_that_fails_verification_is_reverted_once() {
    let detector = FakeDetector::new("throttles", "bedrock");
    let log = CallLog::default();
    let lower = FakeStep::new("lower-threshold", &log)
        .reversible()
        .temporary(TTL)
        .verify_fails()
        .arc();
    let runbook = bedrock(&detector).step(lower).build().unwrap();
    let h = Setup::new(runbook, Policy::with_mode(Mode::Auto)).build();
    detector.degraded(0.2);
    h.tick().await;
    h.tick().await;
    h.tick_after(Duration::from_secs(60)).await;
    assert!(h.only().await.automation().temporary.is_empty());
    detector.healthy();
    for _ in 0..3 {
        h.tick_after(Duration::from_secs(30)).await;
    }
    assert_eq!(h.only().await.status(), Status::Resolved);
    let reverts = calls(&log)
        .iter()
        .filter(|c| c.starts_with("revert"))
        .count();
    assert_eq!(reverts, 1);
}

#[tokio::test(start_paused = true)]
async fn a_manual_resolution_reverts_too_unless_automation_is_halted() {
    for halted in [false, true] {
        let detector = FakeDetector::new("throttles", "bedrock");
        let log = CallLog::default();
        let lower = FakeStep::new("lower-threshold", &log)
            .reversible()
            .temporary(TTL)
            .arc();
        let runbook = bedrock(&detector).step(lower).build().unwrap();
        let h = Setup::new(runbook, Policy::with_mode(Mode::Auto)).build();
        detector.degraded(0.2);
        h.tick().await;
        h.tick().await;
        let id = h.only().await.id().clone();
        let operator = h.engine.operator();
        if halted {
            operator.halt("alice", "hands off").await.unwrap();
        }
        operator
            .resolve(&id, "alice", "fixed upstream")
            .await
            .unwrap();
        let incident = h.only().await;
        let reverted = calls(&log).iter().any(|c| c.starts_with("revert"));
        assert_eq!(reverted, !halted, "halted: {halted}");
        assert!(incident.automation().temporary.is_empty());
        if halted {
            assert!(
                details(&incident, "note")
                    .iter()
                    .any(|n| n.contains("left in place: automation is halted; undo by hand"))
            );
        }
    }
}

#[tokio::test(start_paused = true)]
async fn a_step_that_cannot_be_undone_is_never_temporary() {
    let detector = FakeDetector::new("throttles", "bedrock");
    let log = CallLog::default();
    let step = FakeStep::new("request-quota", &log).temporary(TTL).arc();
    let runbook = bedrock(&detector).step(step).build().unwrap();
    let h = Setup::new(runbook, Policy::with_mode(Mode::Auto)).build();
    detector.degraded(0.2);
    h.tick().await;
    h.tick().await;
    assert!(h.only().await.automation().temporary.is_empty());
}

/// A temporary step's revert that fails with a passing error is tried again on the step's own
/// back-off after the resolution, and the resolved incident stays in the engine until it is done.
#[tokio::test(start_paused = true)]
async fn a_temporary_revert_that_fails_once_is_tried_again_after_the_resolution() {
    let detector = FakeDetector::new("throttles", "bedrock");
    let log = CallLog::default();
    let lower = FakeStep::new("lower-threshold", &log)
        .reversible()
        .temporary(TTL)
        .fault(
            Phase::Revert,
            Fault::Fail(cato_runbook_core::ErrorKind::Unavailable),
            1,
        )
        .arc();
    let runbook = bedrock(&detector).step(lower.clone()).build().unwrap();
    let h = Setup::new(runbook, Policy::with_mode(Mode::Auto)).build();
    detector.degraded(0.2);
    h.tick().await;
    h.tick().await;
    h.tick_after(Duration::from_secs(60)).await; // verified
    detector.healthy();
    for _ in 0..3 {
        h.tick_after(Duration::from_secs(30)).await;
    }
    let incident = h.only().await;
    assert_eq!(incident.status(), Status::Resolved);
    assert_eq!(
        incident.automation().temporary.len(),
        1,
        "kept for its retry"
    );
    assert_eq!(incident.automation().temporary[0].revert_failures, 1);
    assert!(
        incident.automation().retry.is_none(),
        "the ladder's retry is left alone"
    );
    assert_eq!(details(&incident, "step_retried").len(), 1);

    h.tick_after(Duration::from_secs(30)).await; // the retry is due
    let incident = h.only().await;
    assert!(incident.automation().temporary.is_empty());
    assert_eq!(details(&incident, "mitigation_reverted").len(), 1);
    assert_eq!(
        calls(&log)
            .iter()
            .filter(|c| *c == "revert:lower-threshold")
            .count(),
        2
    );
    assert!(!*lower.applied.lock().unwrap(), "undone in the end");
}
