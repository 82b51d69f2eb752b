//! The approval gate: granted, denied, expired.

use std::sync::Arc;

use cato_runbook_core::engine::{Mode, Policy, TickEvent};
use cato_runbook_core::runbook::Runbook;
use cato_runbook_core::{Actor, ErrorKind, IncidentId};

use crate::support::*;

struct Case {
    h: Harness,
    log: CallLog,
    id: IncidentId,
}

/// A budget incident whose first step ("increase budget if approved") needs approval.
async fn budget_incident() -> Case {
    let detector = FakeDetector::new("budget-mode", "cato-budget");
    let log = CallLog::default();
    let runbook = Runbook::builder("budget-exceeded", "Budget exceeded (emergency mode)")
        .detector(detector.clone())
        .step(
            FakeStep::new("increase-budget", &log)
                .needs_approval()
                .arc(),
        )
        .step(FakeStep::new("wait-for-reset", &log).arc())
        .build()
        .unwrap();
    let h = Setup::new(runbook, Policy::with_mode(Mode::Auto)).build();
    detector.degraded(0.6);
    h.tick().await;
    let report = h.tick().await;
    assert!(report.events.iter().any(
        |e| matches!(e, TickEvent::ApprovalRequested { step, .. } if step == "increase-budget")
    ));
    let id = h.only().await.id().clone();
    Case { h, log, id }
}

#[tokio::test(start_paused = true)]
async fn an_approved_step_is_applied_at_the_next_tick() {
    let Case { h, log, id } = budget_incident().await;
    h.tick_after(mins(5)).await;
    assert_eq!(calls(&log), ["plan:increase-budget"], "waits for a person");
    assert!(h.chat.texts().iter().any(
        |t| t.contains("approval needed for increase-budget") && t.contains("before 12:30:00")
    ));

    h.engine
        .operator()
        .approve(&id, "increase-budget", "carol")
        .await
        .unwrap();
    h.tick_after(mins(1)).await;
    assert_eq!(
        calls(&log),
        ["plan:increase-budget", "apply:increase-budget"]
    );
    let incident = h.only().await;
    let granted = incident.timeline().first("approval_granted").unwrap();
    assert_eq!(granted.actor, Actor::person("carol"));
    assert_eq!(granted.at, at(300));
    assert!(
        details(&incident, "approval_requested")[0]
            .starts_with("the step always asks for approval: the double says so: increase-budget")
    );
}

#[tokio::test(start_paused = true)]
async fn a_denied_step_is_never_applied_and_the_next_one_runs() {
    let Case { h, log, id } = budget_incident().await;
    let operator = h.engine.operator();
    operator
        .deny(&id, "increase-budget", "carol", "not this month")
        .await
        .unwrap();
    let again = operator
        .approve(&id, "increase-budget", "dave")
        .await
        .unwrap_err();
    assert_eq!(again.kind(), ErrorKind::Conflict);
    h.tick_after(mins(1)).await;
    assert_eq!(
        calls(&log),
        [
            "plan:increase-budget",
            "plan:wait-for-reset",
            "apply:wait-for-reset"
        ]
    );
    assert_eq!(
        details(&h.only().await, "approval_denied"),
        ["not this month"]
    );
}

#[tokio::test(start_paused = true)]
async fn an_unanswered_request_expires_after_its_ttl() {
    let Case { h, log, id } = budget_incident().await;
    h.tick_after(mins(29)).await;
    assert_eq!(calls(&log), ["plan:increase-budget"]);
    let report = h.tick_after(mins(1)).await; // 30 min: the default TTL
    assert!(
        report.events.iter().any(
            |e| matches!(e, TickEvent::Skipped { reason, .. } if reason == "approval expired")
        )
    );
    assert_eq!(
        calls(&log),
        [
            "plan:increase-budget",
            "plan:wait-for-reset",
            "apply:wait-for-reset"
        ]
    );
    let incident = h.only().await;
    assert_eq!(
        incident.timeline().first("approval_expired").unwrap().at,
        at(1800)
    );
    let late = h
        .engine
        .operator()
        .approve(&id, "increase-budget", "carol")
        .await
        .unwrap_err();
    assert_eq!(late.kind(), ErrorKind::Conflict, "nothing pending any more");
}

#[tokio::test(start_paused = true)]
#[allow(clippy::disallowed_methods)] // a test drives tokio's time itself
async fn an_approval_given_after_the_ttl_is_refused() {
    let Case { h, log, id } = budget_incident().await;
    tokio::time::sleep(mins(31)).await;
    let late = h
        .engine
        .operator()
        .approve(&id, "increase-budget", "carol")
        .await
        .unwrap_err();
    assert_eq!(late.kind(), ErrorKind::Refused);
    h.tick().await;
    assert!(!calls(&log).contains(&"apply:increase-budget".to_owned()));
}

#[tokio::test(start_paused = true)]
async fn policy_asks_for_approval_above_a_monthly_cost() {
    let detector = FakeDetector::new("p99", "cato-shadow-self");
    let log = CallLog::default();
    let runbook = Runbook::builder("high-latency", "High latency")
        .detector(detector.clone())
        .step(Arc::new(
            FakeStep::new("scale-shadow-self", &log).cost(5000.0),
        ))
        .build()
        .unwrap();
    let h = Setup::new(runbook, Policy::with_mode(Mode::Auto)).build();
    detector.degraded(0.6);
    h.tick().await;
    h.tick().await;
    assert_eq!(calls(&log), ["plan:scale-shadow-self"]);
    let requested = details(&h.only().await, "approval_requested");
    assert!(requested[0].starts_with("about $5000/month is above $1000"));
}

#[tokio::test(start_paused = true)]
async fn the_chat_line_of_an_approval_is_posted_by_the_next_tick_under_a_key() {
    let Case { h, id, .. } = budget_incident().await;
    let said = |h: &Harness| {
        h.chat
            .messages
            .lock()
            .unwrap()
            .iter()
            .filter(|m| m.text.contains("increase-budget approved by carol"))
            .cloned()
            .collect::<Vec<_>>()
    };
    h.engine
        .operator()
        .approve(&id, "increase-budget", "carol")
        .await
        .unwrap();
    assert!(said(&h).is_empty(), "the person's call posts nothing");
    h.tick_after(mins(1)).await;
    let posted = said(&h);
    assert_eq!(posted.len(), 1);
    assert!(posted[0].key.is_some(), "under an idempotency key");
    assert!(posted[0].thread.is_some(), "in the incident's thread");
    h.tick_after(mins(1)).await;
    assert_eq!(said(&h).len(), 1, "posted once");
}
