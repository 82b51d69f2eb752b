//! The operator API: list, note, resolve by hand, errors.

use cato_runbook_core::engine::{Mode, Policy};
use cato_runbook_core::runbook::Runbook;
use cato_runbook_core::{Actor, ErrorKind, IncidentId, Status};

use crate::support::*;

async fn one_incident() -> (Harness, IncidentId) {
    let detector = FakeDetector::new("endpoint-5xx", "cato-shadow-self");
    let runbook = Runbook::builder("shadow-self-down", "Shadow Self endpoint down")
        .detector(detector.clone())
        .build()
        .unwrap();
    let h = Setup::new(runbook, Policy::with_mode(Mode::Auto)).build();
    detector.outage();
    h.tick().await;
    h.tick().await;
    let id = h.only().await.id().clone();
    (h, id)
}

#[tokio::test(start_paused = true)]
#[allow(clippy::disallowed_methods)] // a test drives tokio's time itself
async fn lists_notes_and_resolves_by_hand() {
    let (h, id) = one_incident().await;
    let operator = h.engine.operator();
    let open = operator.open_incidents().await.unwrap();
    assert_eq!(open.len(), 1);
    assert_eq!(open[0].id(), &id);

    tokio::time::sleep(mins(2)).await;
    operator
        .note(&id, "alice", "deploy at 11:50 looks suspicious")
        .await
        .unwrap();
    operator
        .resolve(&id, "alice", "rolled back by hand")
        .await
        .unwrap();

    let incident = h.only().await;
    assert_eq!(incident.status(), Status::Resolved);
    assert_eq!(incident.phases().resolved, Some(at(120)));
    let notes: Vec<_> = incident
        .timeline()
        .with_label("note")
        .map(|e| (e.actor.clone(), e.detail.clone()))
        .collect();
    assert_eq!(
        notes,
        [
            (
                Actor::person("alice"),
                "deploy at 11:50 looks suspicious".to_owned()
            ),
            (Actor::person("alice"), "rolled back by hand".to_owned()),
        ]
    );
    assert_eq!(h.pager.resolves.lock().unwrap().len(), 1);
    assert!(operator.open_incidents().await.unwrap().is_empty());
    assert_eq!(h.tick().await.open_incidents, 0);

    let again = operator.acknowledge(&id, "bob").await.unwrap_err();
    assert_eq!(again.kind(), ErrorKind::IllegalTransition);
    let unknown = operator
        .note(&"INC-nope".into(), "bob", "x")
        .await
        .unwrap_err();
    assert_eq!(unknown.kind(), ErrorKind::NotFound);
}

#[tokio::test(start_paused = true)]
async fn halting_is_recorded_on_every_open_incident() {
    let (h, id) = one_incident().await;
    h.engine
        .operator()
        .halt("alice", "runaway scaling")
        .await
        .unwrap();
    let incident = h.engine.operator().incident(&id).await.unwrap().unwrap();
    assert_eq!(
        incident.timeline().entries().last().unwrap().detail,
        "automation halted by alice: runaway scaling"
    );
}

/// Resolving by hand while a step's call is in flight would race it (a revert beside an
/// apply): the operator is told to try again, and nothing changes.
#[tokio::test(start_paused = true)]
async fn resolving_while_a_step_call_is_in_flight_is_a_transient_conflict() {
    let detector = FakeDetector::new("endpoint-5xx", "cato-shadow-self");
    let log = CallLog::default();
    let hung = FakeStep::new("restart", &log)
        .fault(Phase::Apply, Fault::Hang, 1)
        .arc();
    let runbook = cato_runbook_core::runbook::Runbook::builder("shadow-self-down", "down")
        .detector(detector.clone())
        .step(hung)
        .build()
        .unwrap();
    let h = Setup::new(
        runbook,
        cato_runbook_core::engine::Policy::with_mode(cato_runbook_core::engine::Mode::Auto),
    )
    .build();
    detector.outage();
    h.tick().await;
    h.tick().await; // opens; the restart's apply hangs past the tick
    let id = h.only().await.id().clone();
    let err = h
        .engine
        .operator()
        .resolve(&id, "alice", "fixed by hand")
        .await
        .unwrap_err();
    assert_eq!(err.kind(), cato_runbook_core::ErrorKind::Conflict);
    assert!(err.is_retryable(), "{err}");
    assert!(h.only().await.is_open());
}
