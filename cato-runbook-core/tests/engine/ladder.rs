//! The mitigation ladder: apply, verify, revert, next step, exhaustion.

use std::sync::Arc;
use std::time::Duration;

use cato_runbook_core::catalog::facts;
use cato_runbook_core::engine::{Mode, Policy, TickEvent};
use cato_runbook_core::runbook::Runbook;
use cato_runbook_core::{EntryKind, Status};

use crate::support::*;

fn shadow_self(detector: &Arc<FakeDetector>) -> cato_runbook_core::runbook::RunbookBuilder {
    Runbook::builder("shadow-self-down", "Shadow Self endpoint down").detector(detector.clone())
}

#[tokio::test(start_paused = true)]
async fn verify_fail_reverts_then_the_next_step_fixes_it() {
    let detector = FakeDetector::new("endpoint-5xx", "cato-shadow-self");
    let log = CallLog::default();
    let restart = FakeStep::new("restart", &log)
        .reversible()
        .verify_fails()
        .arc();
    let rollback = FakeStep::new("rollback", &log).arc();
    let runbook = shadow_self(&detector)
        .step(restart.clone())
        .step(rollback.clone())
        .build()
        .unwrap();
    let h = Setup::new(runbook, Policy::with_mode(Mode::Auto)).build();
    detector.outage();
    h.tick().await;
    let opening = h.tick().await;
    assert!(opening.events.contains(&TickEvent::Applied {
        incident: "INC-20260301-0001".into(),
        step: "restart".into()
    }));
    assert_eq!(h.only().await.status(), Status::Monitoring);
    assert_eq!(restart.keys.lock().unwrap()[0], "INC-20260301-0001:restart");

    // Not verified before its delay.
    h.tick_after(Duration::from_secs(30)).await;
    assert_eq!(calls(&log), ["plan:restart", "apply:restart"]);
    // At 60 s: verify fails → revert → rollback applied in the same tick.
    h.tick_after(Duration::from_secs(30)).await;
    assert_eq!(
        calls(&log),
        [
            "plan:restart",
            "apply:restart",
            "verify:restart",
            "revert:restart",
            "plan:rollback",
            "apply:rollback"
        ]
    );
    h.tick_after(Duration::from_secs(60)).await;
    assert_eq!(calls(&log).last().unwrap(), "verify:rollback");

    detector.healthy();
    for _ in 0..3 {
        h.tick_after(Duration::from_secs(30)).await;
    }
    let incident = h.only().await;
    assert_eq!(incident.status(), Status::Resolved);
    let ladder: Vec<_> = incident
        .timeline()
        .iter()
        .filter(|e| e.kind.step().is_some() || matches!(e.kind, EntryKind::StatusChanged { .. }))
        .map(|e| format!("{} {}", e.kind.label(), e.kind.step().unwrap_or(&e.detail)))
        .collect();
    assert_eq!(
        ladder,
        [
            "mitigation_planned restart",
            "status_changed detected → mitigating",
            "mitigation_applied restart",
            "status_changed mitigating → monitoring",
            "verification_failed restart",
            "mitigation_reverted restart",
            "status_changed monitoring → mitigating",
            "mitigation_planned rollback",
            "mitigation_applied rollback",
            "status_changed mitigating → monitoring",
            "verification_passed rollback",
        ]
    );
    assert_eq!(
        details(&incident, "mitigation_reverted"),
        ["back to before"]
    );
    assert_eq!(
        incident.timeline().first("verification_failed").unwrap().at,
        at(60)
    );
}

#[tokio::test(start_paused = true)]
async fn a_step_whose_precondition_fails_is_skipped_with_its_reason() {
    let detector = FakeDetector::new("endpoint-5xx", "cato-shadow-self");
    let log = CallLog::default();
    let runbook = shadow_self(&detector)
        .diagnosis(Arc::new(
            FakeDiagnosis::new("endpoint-status", Duration::ZERO).fact(facts::INSTANCE_COUNT, 2),
        ))
        .step(
            FakeStep::new("restart", &log)
                .when(facts::INSTANCE_COUNT, 0)
                .arc(),
        )
        .step(FakeStep::new("rollback", &log).arc())
        .build()
        .unwrap();
    let h = Setup::new(runbook, Policy::with_mode(Mode::Auto)).build();
    detector.outage();
    h.tick().await;
    h.tick().await;
    assert_eq!(calls(&log), ["plan:rollback", "apply:rollback"]);
    assert_eq!(
        skips(&h.only().await),
        ["restart: precondition does not hold on the findings"]
    );
}

#[tokio::test(start_paused = true)]
async fn a_symptom_that_persists_after_a_verified_step_moves_to_the_next_step() {
    let detector = FakeDetector::new("endpoint-5xx", "cato-shadow-self");
    let log = CallLog::default();
    let runbook = shadow_self(&detector)
        .step(FakeStep::new("restart", &log).arc())
        .step(FakeStep::new("rollback", &log).arc())
        .build()
        .unwrap();
    let h = Setup::new(runbook, Policy::with_mode(Mode::Auto)).build();
    detector.outage();
    h.tick().await;
    h.tick().await;
    h.tick_after(mins(1)).await; // verify passes
    h.tick_after(mins(1)).await; // still bad: 1
    assert_eq!(calls(&log).last().unwrap(), "verify:restart");
    h.tick_after(mins(1)).await; // still bad: 2 = open_after
    assert_eq!(calls(&log).last().unwrap(), "apply:rollback");
    assert!(
        details(&h.only().await, "note")
            .iter()
            .any(|n| n == "symptom persists after restart was verified")
    );
}

#[tokio::test(start_paused = true)]
async fn an_exhausted_ladder_escalates_and_stays_open() {
    let detector = FakeDetector::new("endpoint-5xx", "cato-shadow-self");
    let log = CallLog::default();
    let runbook = shadow_self(&detector)
        .step(FakeStep::new("restart", &log).verify_fails().arc())
        .step(FakeStep::new("rollback", &log).apply_fails().arc())
        .build()
        .unwrap();
    let h = Setup::new(runbook, Policy::with_mode(Mode::Auto)).build();
    detector.outage();
    h.tick().await;
    h.tick().await;
    let report = h.tick_after(mins(1)).await;
    assert!(
        report
            .events
            .iter()
            .any(|e| matches!(e, TickEvent::LadderExhausted { .. }))
    );
    assert!(
        report
            .events
            .iter()
            .any(|e| matches!(e, TickEvent::Failed { step, .. } if step == "rollback"))
    );

    let incident = h.only().await;
    assert!(incident.is_open());
    assert!(incident.automation().exhausted);
    let escalated = incident.timeline().first("escalated").unwrap();
    assert_eq!(escalated.at, at(60), "at once, not at 15 min");
    assert!(
        matches!(&escalated.kind, EntryKind::Escalated { role, .. } if role == "Engineering Lead")
    );
    assert!(
        details(&incident, "note")
            .iter()
            .any(|n| n.contains("cannot be undone"))
    );
    assert!(
        h.chat
            .texts()
            .iter()
            .any(|t| t.starts_with("@lead-eng") && t.contains("please take over"))
    );

    // Nothing more is tried; the lead is not told twice at 15 min.
    h.tick_after(mins(20)).await;
    assert_eq!(
        calls(&log)
            .iter()
            .filter(|c| c.starts_with("apply"))
            .count(),
        2
    );
    assert_eq!(h.only().await.timeline().with_label("escalated").count(), 1);
}
