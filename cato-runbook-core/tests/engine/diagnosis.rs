//! Diagnosis on open: concurrent, failures become findings, causes ranked.

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use cato_runbook_core::catalog::facts;
use cato_runbook_core::engine::{Mode, Policy, TickEvent};
use cato_runbook_core::runbook::{Fact, Runbook};

use crate::support::*;

#[tokio::test(start_paused = true)]
async fn diagnoses_run_concurrently_and_take_the_slowest_ones_time() {
    let detector = FakeDetector::new("endpoint-5xx", "cato-shadow-self");
    let slow = [
        Arc::new(
            FakeDiagnosis::new("endpoint-status", Duration::from_secs(2))
                .fact(facts::INSTANCE_COUNT, 0),
        ),
        Arc::new(
            FakeDiagnosis::new("error-logs", Duration::from_secs(3)).cause("GPU driver issue", 0.3),
        ),
        Arc::new(
            FakeDiagnosis::new("recent-deployments", Duration::from_secs(5))
                .cause("container crash loop", 0.8),
        ),
    ];
    let mut builder = Runbook::builder("shadow-self-down", "Shadow Self endpoint down")
        .detector(detector.clone());
    for d in &slow {
        builder = builder.diagnosis(d.clone());
    }
    let h = Setup::new(
        builder.build().unwrap(),
        Policy::with_mode(Mode::ObserveOnly),
    )
    .build();
    detector.outage();
    h.tick().await;

    let started = tokio::time::Instant::now();
    let report = h.tick().await;
    let took = tokio::time::Instant::now() - started;
    assert_eq!(
        took,
        Duration::from_secs(5),
        "one call's time (the slowest), not 2 + 3 + 5 s"
    );
    assert!(
        report
            .events
            .iter()
            .any(|e| matches!(e, TickEvent::Diagnosed { findings: 3, .. }))
    );

    let incident = h.only().await;
    assert_eq!(incident.findings().len(), 3);
    assert_eq!(
        incident.findings()[0]
            .facts
            .get(facts::INSTANCE_COUNT.name()),
        Some(&Fact::Int(0))
    );
    let causes: Vec<_> = incident
        .root_causes()
        .iter()
        .map(|c| c.cause.as_str())
        .collect();
    assert_eq!(causes, ["container crash loop", "GPU driver issue"]);
    // Findings are stamped when the diagnoses came back.
    assert_eq!(
        incident.timeline().first("finding_recorded").unwrap().at,
        at(5)
    );
    assert!(
        h.chat
            .texts()
            .iter()
            .any(|t| t.contains("likeliest root cause: container crash loop (80 %)"))
    );
    for d in &slow {
        assert_eq!(d.calls.load(Ordering::SeqCst), 1, "diagnosed once");
    }
    h.tick().await;
    assert_eq!(
        slow[0].calls.load(Ordering::SeqCst),
        1,
        "not again on later ticks"
    );
}

#[tokio::test(start_paused = true)]
async fn a_failing_or_hung_diagnosis_is_a_finding_not_an_abort() {
    let detector = FakeDetector::new("endpoint-5xx", "cato-shadow-self");
    let log = CallLog::default();
    let runbook = Runbook::builder("shadow-self-down", "Shadow Self endpoint down")
        .detector(detector.clone())
        .diagnosis(Arc::new(
            FakeDiagnosis::new("error-logs", Duration::ZERO).failing(),
        ))
        .diagnosis(Arc::new(FakeDiagnosis::new(
            "hung",
            Duration::from_secs(3600),
        )))
        .diagnosis(Arc::new(FakeDiagnosis::new(
            "endpoint-status",
            Duration::ZERO,
        )))
        .step(FakeStep::new("restart", &log).arc())
        .build()
        .unwrap();
    let h = Setup::new(runbook, Policy::with_mode(Mode::Auto)).build();
    detector.outage();
    h.tick().await;
    let started = tokio::time::Instant::now();
    h.tick().await;
    assert_eq!(
        tokio::time::Instant::now() - started,
        Duration::from_secs(30),
        "the tick keeps its period while a diagnosis hangs"
    );
    // The hung diagnosis is cut at its 60 s timeout; the next tick reports what followed.
    let report = h.tick_after(Duration::from_secs(30)).await;
    assert!(
        report
            .events
            .iter()
            .any(|e| matches!(e, TickEvent::Diagnosed { findings: 3, .. })),
        "{report:?}"
    );
    assert_eq!(
        h.now(),
        at(60),
        "the diagnosis timed out 60 s after it started"
    );
    let recorded = h
        .only()
        .await
        .timeline()
        .first("finding_recorded")
        .unwrap()
        .at;
    assert_eq!(recorded, at(60));

    let incident = h.only().await;
    let summaries: Vec<_> = incident
        .findings()
        .iter()
        .map(|f| f.summary.as_str())
        .collect();
    assert!(summaries[0].starts_with("diagnosis failed: FilterLogEvents failed"));
    assert!(summaries[1].contains("timed out"));
    assert_eq!(summaries[2], "endpoint-status looked");
    assert_eq!(
        incident.findings()[0]
            .facts
            .get(cato_runbook_core::runbook::DIAGNOSIS_FAILED.name()),
        Some(&Fact::Bool(true))
    );
    assert_eq!(
        calls(&log),
        ["plan:restart", "apply:restart"],
        "the ladder still runs"
    );
}
