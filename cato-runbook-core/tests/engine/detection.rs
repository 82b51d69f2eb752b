//! Detection: hysteresis, dedup, severity, timeouts, blind monitoring.

use std::sync::Arc;
use std::time::Duration;

use cato_runbook_core::engine::{Mode, Policy, TickEvent};
use cato_runbook_core::runbook::{Runbook, SeverityRule};
use cato_runbook_core::{Impact, Severity, Status};

use crate::support::*;

fn runbook(detector: &Arc<FakeDetector>) -> Runbook {
    Runbook::builder("shadow-self-down", "Shadow Self endpoint down")
        .detector(detector.clone())
        .build()
        .unwrap()
}

#[tokio::test(start_paused = true)]
async fn a_flapping_signal_never_opens_an_incident() {
    let detector = FakeDetector::new("endpoint-5xx", "cato-shadow-self");
    let h = Setup::new(runbook(&detector), Policy::with_mode(Mode::Auto)).build();
    for round in 0..10 {
        if round % 2 == 0 {
            detector.outage();
        } else {
            detector.healthy();
        }
        let report = h.tick_after(Duration::from_secs(30)).await;
        assert_eq!(report.opened().count(), 0);
    }
    assert!(h.incidents().await.is_empty());
    assert!(h.pager.pages.lock().unwrap().is_empty());
    assert!(h.chat.messages.lock().unwrap().is_empty());
    assert_eq!(detector.calls.load(std::sync::atomic::Ordering::SeqCst), 10);
}

#[tokio::test(start_paused = true)]
async fn opens_after_n_bad_observations_and_dedups_by_resource() {
    let detector = FakeDetector::new("endpoint-5xx", "cato-shadow-self");
    let second = FakeDetector::new("circuit-breaker", "cato-shadow-self");
    let runbook = Runbook::builder("shadow-self-down", "Shadow Self endpoint down")
        .detector(detector.clone())
        .detector(second.clone())
        .build()
        .unwrap();
    let h = Setup::new(runbook, Policy::with_mode(Mode::Auto)).build();
    detector.outage();
    second.degraded(0.6);

    let first = h.tick().await;
    assert_eq!((first.symptoms, first.opened().count()), (2, 0));
    let opening = h.tick_after(Duration::from_secs(30)).await;
    assert_eq!(opening.opened().count(), 1, "opens on the 2nd bad tick");
    for _ in 0..3 {
        let report = h.tick_after(Duration::from_secs(30)).await;
        assert_eq!(
            report.opened().count(),
            0,
            "one incident per runbook + resource"
        );
    }

    let incident = h.only().await;
    assert_eq!(incident.severity(), Severity::Sev1);
    assert_eq!(
        incident.dedup_key().as_str(),
        "shadow-self-down/cato-shadow-self"
    );
    assert_eq!(incident.detected_at(), at(30));
    assert_eq!(incident.id().as_str(), "INC-20260301-0001");
    assert_eq!(details(&incident, "symptom_observed").len(), 2);
    // The symptom was first seen on the first bad tick, 30 s before the incident opened.
    assert_eq!(incident.first_symptom_at(), at(0));
    assert_eq!(incident.time_to_detect(), Duration::from_secs(30));
    // Chat for every incident, the pager for SEV1.
    assert_eq!(h.pager.targets(), ["on-call"]);
    assert!(h.chat.texts()[0].contains("SEV1 Shadow Self endpoint down on cato-shadow-self"));
}

#[tokio::test(start_paused = true)]
async fn a_runbook_can_ask_for_more_bad_observations() {
    let detector = FakeDetector::new("p99", "cato-orchestrator");
    let runbook = Runbook::builder("high-latency", "High latency")
        .detector(detector.clone())
        .open_after(3)
        .build()
        .unwrap();
    let h = Setup::new(runbook, Policy::with_mode(Mode::Auto)).build();
    detector.degraded(0.6);
    assert_eq!(h.tick().await.opened().count(), 0);
    assert_eq!(h.tick_after(mins(1)).await.opened().count(), 0);
    assert_eq!(h.tick_after(mins(1)).await.opened().count(), 1);
}

#[tokio::test(start_paused = true)]
async fn a_worse_impact_raises_the_severity_and_then_pages() {
    let detector = FakeDetector::new("cache-hit-rate", "cato-cache");
    let runbook = Runbook::builder("cache-miss-spike", "Cache miss spike")
        .detector(detector.clone())
        .build()
        .unwrap();
    let h = Setup::new(runbook, Policy::with_mode(Mode::Auto)).build();
    detector.degraded(0.2);
    h.tick().await;
    h.tick_after(Duration::from_secs(30)).await;
    assert_eq!(h.only().await.severity(), Severity::Sev3);
    assert!(
        h.pager.pages.lock().unwrap().is_empty(),
        "SEV3 goes to chat only"
    );

    detector.degraded(0.7);
    let report = h.tick_after(Duration::from_secs(30)).await;
    assert!(report.events.contains(&TickEvent::SeverityRaised {
        incident: "INC-20260301-0001".into(),
        from: Severity::Sev3,
        to: Severity::Sev2,
    }));
    let incident = h.only().await;
    assert_eq!(incident.severity(), Severity::Sev2);
    let changed = incident.timeline().first("severity_changed").unwrap();
    assert_eq!(changed.at, at(60));
    assert!(changed.detail.contains("70 %"));
    assert_eq!(h.pager.targets(), ["on-call"], "SEV2 pages");

    // A milder look never lowers it.
    detector.degraded(0.1);
    h.tick_after(Duration::from_secs(30)).await;
    assert_eq!(h.only().await.severity(), Severity::Sev2);
}

#[tokio::test(start_paused = true)]
async fn resolves_after_the_healthy_window_only() {
    let detector = FakeDetector::new("endpoint-5xx", "cato-shadow-self");
    let h = Setup::new(runbook(&detector), Policy::with_mode(Mode::Auto)).build();
    detector.outage();
    h.tick().await;
    h.tick().await;
    detector.healthy();
    h.tick_after(Duration::from_secs(30)).await;
    h.tick_after(Duration::from_secs(30)).await;
    assert!(h.only().await.is_open(), "two good looks are not enough");
    let report = h.tick_after(Duration::from_secs(30)).await;
    assert_eq!(report.resolved().count(), 1);
    let incident = h.only().await;
    assert_eq!(incident.status(), Status::Resolved);
    assert_eq!(incident.phases().resolved, Some(at(90)));
    assert_eq!(
        h.pager.resolves.lock().unwrap()[0].1,
        incident.id().as_str()
    );
    assert_eq!(report.open_incidents, 0);

    // The symptom coming back is a new incident.
    detector.outage();
    h.tick_after(Duration::from_secs(30)).await;
    h.tick_after(Duration::from_secs(30)).await;
    assert_eq!(h.incidents().await.len(), 2);
}

#[tokio::test(start_paused = true)]
async fn a_hung_detector_times_out_and_the_tick_completes() {
    let hung = FakeDetector::new("p99", "cato-orchestrator");
    let fine = FakeDetector::new("endpoint-5xx", "cato-shadow-self");
    hung.set(Look::Hang);
    let runbook = Runbook::builder("mixed", "Mixed")
        .detector(hung.clone())
        .detector(fine.clone())
        .build()
        .unwrap();
    let mut setup = Setup::new(runbook, Policy::with_mode(Mode::Auto));
    setup.config.timeouts.detector = Duration::from_secs(5);
    let h = setup.build();
    let started = tokio::time::Instant::now();
    let report = h.tick().await;
    assert_eq!(
        tokio::time::Instant::now() - started,
        Duration::from_secs(5)
    );
    assert_eq!((report.healthy, report.unknown), (1, 1));
    // The first tick takes the lease (alone: fence 0), then the hung detector is unknown.
    assert!(matches!(report.events[0], TickEvent::Leading { fence: 0 }));
    assert!(matches!(
        &report.events[1],
        TickEvent::DetectorUnknown { detector, error, .. }
            if detector == "p99" && error.contains("timed out")
    ));
    assert_eq!(report.events.len(), 2);
}

#[tokio::test(start_paused = true)]
async fn an_unknown_signal_never_counts_as_healthy() {
    let detector = FakeDetector::new("endpoint-5xx", "cato-shadow-self");
    let h = Setup::new(runbook(&detector), Policy::with_mode(Mode::Auto)).build();
    detector.outage();
    h.tick().await;
    h.tick().await;
    detector.set(Look::Fail);
    for _ in 0..2 {
        let report = h.tick_after(Duration::from_secs(30)).await;
        assert_eq!(report.unknown, 1);
    }
    let incident = h
        .incidents()
        .await
        .into_iter()
        .find(|i| i.runbook().as_str() == "shadow-self-down")
        .unwrap();
    assert!(incident.is_open(), "failing looks must not resolve it");
    // Good, unknown, good, good: the unknown breaks the healthy streak.
    detector.healthy();
    h.tick_after(Duration::from_secs(30)).await;
    detector.set(Look::Fail);
    h.tick_after(Duration::from_secs(30)).await;
    detector.healthy();
    h.tick_after(Duration::from_secs(30)).await;
    h.tick_after(Duration::from_secs(30)).await;
    let still = h
        .engine
        .operator()
        .incident(incident.id())
        .await
        .unwrap()
        .unwrap();
    assert!(still.is_open());
    h.tick_after(Duration::from_secs(30)).await;
    let now = h
        .engine
        .operator()
        .incident(incident.id())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(now.status(), Status::Resolved);
}

#[tokio::test(start_paused = true)]
async fn a_detector_failing_n_ticks_opens_a_monitoring_is_blind_incident() {
    let detector = FakeDetector::new("endpoint-5xx", "cato-shadow-self");
    let h = Setup::new(runbook(&detector), Policy::with_mode(Mode::Auto)).build();
    detector.set(Look::Fail);
    h.tick().await;
    h.tick_after(Duration::from_secs(30)).await;
    assert!(h.incidents().await.is_empty());
    let report = h.tick_after(Duration::from_secs(30)).await;
    assert_eq!(report.opened().count(), 1, "blind_after = 3");
    let blind = h.only().await;
    assert_eq!(blind.runbook().as_str(), "monitoring-blind");
    assert_eq!(blind.resource(), "shadow-self-down/cato-shadow-self");
    assert_eq!(blind.severity(), Severity::Sev3);
    assert!(details(&blind, "symptom_observed")[0].contains("503"));
    assert!(h.pager.pages.lock().unwrap().is_empty());

    detector.healthy();
    for _ in 0..3 {
        h.tick_after(Duration::from_secs(30)).await;
    }
    assert_eq!(h.only().await.status(), Status::Resolved);
}

#[tokio::test(start_paused = true)]
async fn three_blind_detectors_on_one_resource_open_one_incident_that_pages_for_a_sev1_runbook() {
    let detectors: Vec<_> = ["endpoint-5xx", "instances", "circuit-breaker"]
        .into_iter()
        .map(|name| FakeDetector::new(name, "cato-shadow-self"))
        .collect();
    let mut builder = Runbook::builder("shadow-self-down", "Shadow Self endpoint down")
        .severity(SeverityRule::AtLeast(Severity::Sev1));
    for detector in &detectors {
        builder = builder.detector(detector.clone());
        detector.set(Look::Fail);
    }
    let h = Setup::new(builder.build().unwrap(), Policy::with_mode(Mode::Auto)).build();
    h.tick().await;
    h.tick_after(Duration::from_secs(30)).await;
    let report = h.tick_after(Duration::from_secs(30)).await;
    assert_eq!(report.opened().count(), 1, "one per runbook and resource");
    let blind = h.only().await;
    assert_eq!(
        blind.title(),
        "Monitoring is blind: shadow-self-down cannot look at cato-shadow-self"
    );
    assert_eq!(
        blind.severity(),
        Severity::Sev2,
        "a SEV1 runbook's blindness pages"
    );
    assert_eq!(
        details(&blind, "symptom_observed").len(),
        3,
        "one entry per detector"
    );
    assert_eq!(h.pager.pages.lock().unwrap().len(), 1);
}

#[tokio::test(start_paused = true)]
async fn a_runbook_that_sees_its_symptom_is_not_blind_on_that_resource() {
    // An endpoint down: one detector sees no instances, another has no invocations to count.
    let instances = FakeDetector::new("instances", "cato-shadow-self");
    let errors = FakeDetector::new("endpoint-5xx", "cato-shadow-self");
    let runbook = Runbook::builder("shadow-self-down", "Shadow Self endpoint down")
        .severity(SeverityRule::AtLeast(Severity::Sev1))
        .detector(instances.clone())
        .detector(errors.clone())
        .build()
        .unwrap();
    instances.set(Look::Symptom(Impact::outage()));
    errors.set(Look::Fail);
    let h = Setup::new(runbook, Policy::with_mode(Mode::Auto)).build();
    h.tick().await;
    for _ in 0..5 {
        h.tick_after(Duration::from_secs(30)).await;
    }
    let open = h.incidents().await;
    assert_eq!(
        open.len(),
        1,
        "the outage, and no blind incident on top: {open:?}"
    );
    assert_eq!(open[0].runbook().as_str(), "shadow-self-down");
    assert_eq!(
        h.pager.pages.lock().unwrap().len(),
        1,
        "one page, the outage's"
    );

    // Once nothing sees the symptom, the failing look counts again.
    instances.healthy();
    for _ in 0..3 {
        h.tick_after(Duration::from_secs(30)).await;
    }
    assert!(
        h.incidents()
            .await
            .iter()
            .any(|i| i.runbook().as_str() == "monitoring-blind"),
        "blind once the runbook sees nothing"
    );
}
