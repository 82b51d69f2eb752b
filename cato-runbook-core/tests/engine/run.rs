//! The loop: clean shutdown mid-incident, and a restarted engine carrying on.

use std::sync::Arc;
use std::time::Duration;

use cato_runbook_core::Status;
use cato_runbook_core::engine::{Mode, Policy};
use cato_runbook_core::ports::IncidentStore;
use cato_runbook_core::runbook::Runbook;

use crate::support::*;

fn runbook(detector: &Arc<FakeDetector>, log: &CallLog) -> Runbook {
    Runbook::builder("shadow-self-down", "Shadow Self endpoint down")
        .detector(detector.clone())
        .step(FakeStep::new("restart", log).verify_fails().arc())
        .build()
        .unwrap()
}

#[tokio::test(start_paused = true)]
#[allow(clippy::disallowed_methods)] // a test drives tokio's time itself
async fn run_stops_cleanly_mid_incident_and_a_new_engine_carries_on() {
    let detector = FakeDetector::new("endpoint-5xx", "cato-shadow-self");
    let log = CallLog::default();
    let h = Setup::new(runbook(&detector, &log), Policy::with_mode(Mode::Auto)).build();
    detector.outage();

    let engine = h.engine.clone();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let task = tokio::spawn(async move {
        engine
            .run(async {
                let _ = stopped.await;
            })
            .await
    });
    tokio::time::sleep(mins(3)).await;
    stop.send(()).unwrap();
    let ticks = task.await.unwrap().unwrap();
    assert!(ticks >= 6, "ticked every 30 s: {ticks}");

    let saved = h.store.open().await.unwrap();
    assert_eq!(saved.len(), 1, "the incident survives the shutdown");
    let incident = &saved[0].value;
    assert_eq!(incident.status(), Status::Mitigating);
    assert!(incident.automation().exhausted);
    assert_eq!(incident.automation().chat_thread.as_deref(), Some("T1"));
    assert_eq!(h.pager.targets(), ["on-call"]);
    assert!(
        h.chat.texts().iter().any(|t| t.starts_with("@lead-eng")),
        "ladder exhausted: the lead"
    );

    // A new engine on the same store: no duplicate, no second page, escalation resumes.
    let mut again = Setup::new(runbook(&detector, &log), Policy::with_mode(Mode::Auto));
    again.store = h.store.clone();
    let h2 = again.build();
    for _ in 0..70 {
        h2.tick_after(Duration::from_secs(30)).await;
    }
    let all = h2.incidents().await;
    assert_eq!(all.len(), 1, "the loaded incident is the same incident");
    let incident = &all[0];
    assert_eq!(
        h2.pager.targets(),
        ["vp-engineering"],
        "on-call is not paged again"
    );
    assert!(
        !h2.chat.texts().iter().any(|t| t.starts_with("@lead-eng")),
        "nor the lead"
    );
    assert_eq!(
        incident.timeline().with_label("escalated").count(),
        2,
        "lead once, VP once"
    );
    assert_eq!(
        calls(&log)
            .iter()
            .filter(|c| c.starts_with("apply"))
            .count(),
        1,
        "not re-applied"
    );
}

#[tokio::test(start_paused = true)]
#[allow(clippy::disallowed_methods)] // a test drives tokio's time itself
async fn shutdown_during_a_tick_lets_the_tick_finish() {
    let detector = FakeDetector::new("endpoint-5xx", "cato-shadow-self");
    let log = CallLog::default();
    let runbook = Runbook::builder("shadow-self-down", "Shadow Self endpoint down")
        .detector(detector.clone())
        .diagnosis(Arc::new(FakeDiagnosis::new(
            "error-logs",
            Duration::from_secs(40),
        )))
        .step(FakeStep::new("restart", &log).arc())
        .build()
        .unwrap();
    let h = Setup::new(runbook, Policy::with_mode(Mode::Auto)).build();
    detector.outage();
    let engine = h.engine.clone();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let task = tokio::spawn(async move {
        engine
            .run(async {
                let _ = stopped.await;
            })
            .await
    });
    // Ticks at 0 s and 30 s; the second opens the incident and diagnoses until 70 s.
    tokio::time::sleep(Duration::from_secs(45)).await;
    stop.send(()).unwrap();
    assert_eq!(task.await.unwrap().unwrap(), 2);
    assert_eq!(
        h.now(),
        at(70),
        "run returned once the tick in progress was done"
    );
    let incident = h.only().await;
    assert_eq!(incident.findings().len(), 1);
    assert_eq!(calls(&log), ["plan:restart", "apply:restart"]);
    assert_eq!(incident.status(), Status::Monitoring);
}
