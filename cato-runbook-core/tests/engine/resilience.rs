//! Failing notifiers and stores never fail a tick; per-runbook escalation.

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use cato_runbook_core::engine::{
    Contact, Escalation, EscalationLevel, Mode, Policy, Reach, TickEvent,
};
use cato_runbook_core::ports::IncidentStore;
use cato_runbook_core::runbook::Runbook;

use crate::support::*;

fn runbook(detector: &Arc<FakeDetector>) -> cato_runbook_core::runbook::RunbookBuilder {
    Runbook::builder("shadow-self-down", "Shadow Self endpoint down").detector(detector.clone())
}

#[tokio::test(start_paused = true)]
async fn a_failed_page_is_on_the_timeline_and_the_tick_goes_on() {
    let detector = FakeDetector::new("endpoint-5xx", "cato-shadow-self");
    let log = CallLog::default();
    let h = Setup::new(
        runbook(&detector)
            .step(FakeStep::new("restart", &log).arc())
            .build()
            .unwrap(),
        Policy::with_mode(Mode::Auto),
    )
    .build();
    h.pager.fail.store(true, Ordering::SeqCst);
    detector.outage();
    h.tick().await;
    h.tick().await;
    let incident = h.only().await;
    let failed = details(&incident, "notification_failed");
    assert_eq!(failed.len(), 1);
    assert!(failed[0].starts_with("On-call Engineer: ") && failed[0].contains("503"));
    assert_eq!(
        calls(&log),
        ["plan:restart", "apply:restart"],
        "mitigation still runs"
    );
}

#[tokio::test(start_paused = true)]
async fn a_store_outage_never_loses_the_incident() {
    let detector = FakeDetector::new("endpoint-5xx", "cato-shadow-self");
    let store = Arc::new(FlakyStore::default());
    let mut setup = Setup::new(
        runbook(&detector).build().unwrap(),
        Policy::with_mode(Mode::Auto),
    );
    setup.other_store = Some(store.clone());
    let h = setup.build();
    store.fail.store(true, Ordering::SeqCst);
    detector.outage();
    h.tick().await;
    let report = h.tick().await;
    assert_eq!(report.opened().count(), 1);
    assert!(report.events.iter().any(
        |e| matches!(e, TickEvent::StoreFailed { error, .. } if error.contains("table unavailable"))
    ));
    assert!(store.all().await.unwrap().is_empty());
    assert_eq!(
        h.engine.operator().open_incidents().await.unwrap().len(),
        1,
        "kept in memory"
    );

    store.fail.store(false, Ordering::SeqCst);
    h.tick_after(Duration::from_secs(30)).await;
    h.tick_after(mins(20)).await; // the lead escalation is a change: saved with everything before it
    let saved = store.all().await.unwrap();
    assert_eq!(saved.len(), 1);
    assert!(saved[0].timeline().first("notified").is_some());
    assert!(saved[0].timeline().first("escalated").is_some());
}

#[tokio::test(start_paused = true)]
async fn a_hung_store_costs_a_tick_one_call_timeout_and_loses_nothing() {
    let detector = FakeDetector::new("endpoint-5xx", "cato-shadow-self");
    let store = Arc::new(FlakyStore::default());
    let mut setup = Setup::new(
        runbook(&detector).build().unwrap(),
        Policy::with_mode(Mode::Auto),
    );
    setup.other_store = Some(store.clone());
    let h = setup.build();
    h.tick().await; // loaded while the store answers
    store.hang.store(true, Ordering::SeqCst);
    detector.outage();
    let limit = h.engine.config().timeouts.call;
    let mut silent = Vec::new();
    for _ in 0..3 {
        let started = h.now();
        let report = h.tick_after(Duration::from_secs(30)).await;
        let took = cato_runbook_core::time::elapsed(started, h.now()) - Duration::from_secs(30);
        assert_eq!(
            took, limit,
            "the tick's two reads waited out one timeout together, the others failed at once"
        );
        let timed_out: Vec<&str> = report
            .events
            .iter()
            .filter_map(|e| match e {
                TickEvent::StoreUnavailable { what, error } if error.contains("timed out") => {
                    Some(what.as_str())
                }
                _ => None,
            })
            .collect();
        assert_eq!(timed_out, ["open", "guardrails"], "{:?}", report.events);
        silent.push(
            report
                .events
            .iter()
            .filter(|e| {
                matches!(
                    e,
                    TickEvent::StoreUnavailable { error, .. } | TickEvent::StoreFailed { error, .. }
                        if error.contains("did not answer earlier in this tick")
                )
            })
            .count(),
        );
    }
    // The second hung tick opens the incident: its writes fail at once, not called. The
    // others write nothing (the incident waits in memory).
    assert_eq!(silent[0], 0, "{silent:?}");
    assert!(
        silent[1] > 0,
        "the incident's writes failed at once, not called: {silent:?}"
    );
    assert_eq!(silent[2], 0, "{silent:?}");
    assert_eq!(
        store.hung_calls.load(Ordering::SeqCst),
        6,
        "the incidents' and the guardrails' reads, made together, a tick"
    );
    assert_eq!(
        h.engine.operator().open_incidents().await.unwrap().len(),
        1,
        "opened in memory"
    );

    store.hang.store(false, Ordering::SeqCst);
    h.tick_after(Duration::from_secs(30)).await;
    h.tick_after(Duration::from_secs(30)).await;
    let saved = store.all().await.unwrap();
    assert_eq!(saved.len(), 1, "written once the store answers");
    assert!(saved[0].timeline().first("notified").is_some());
}

#[tokio::test(start_paused = true)]
async fn a_slow_store_costs_a_tick_at_most_one_call_timeout() {
    let detector = FakeDetector::new("endpoint-5xx", "cato-shadow-self");
    let store = Arc::new(FlakyStore::default());
    let mut setup = Setup::new(
        runbook(&detector).build().unwrap(),
        Policy::with_mode(Mode::Auto),
    );
    setup.other_store = Some(store.clone());
    let h = setup.build();
    h.tick().await;
    let limit = h.engine.config().timeouts.call;
    // Every call answers, each just within the call timeout.
    *store.slow.lock().unwrap() = Some(limit * 3 / 5);
    detector.outage();
    for _ in 0..3 {
        let started = h.now();
        h.tick_after(Duration::from_secs(30)).await;
        let took = cato_runbook_core::time::elapsed(started, h.now()) - Duration::from_secs(30);
        assert!(took <= limit, "a tick waited {took:?} on the store");
    }
    assert_eq!(h.engine.operator().open_incidents().await.unwrap().len(), 1);

    *store.slow.lock().unwrap() = None;
    h.tick_after(Duration::from_secs(30)).await;
    h.tick_after(Duration::from_secs(30)).await;
    assert_eq!(
        store.all().await.unwrap().len(),
        1,
        "written once it is fast again"
    );
}

#[tokio::test(start_paused = true)]
async fn a_runbook_can_bring_its_own_escalation() {
    let detector = FakeDetector::new("budget-mode", "cato-budget");
    let mut escalation = Escalation::default();
    escalation.levels = vec![EscalationLevel {
        contact: Contact::new(
            "Finance",
            Reach::Chat {
                channel: "#cato-budget".into(),
                mention: "@finance".into(),
            },
        ),
        after: Duration::from_secs(5 * 60),
        severities: Vec::new(),
    }];
    let rb = Runbook::builder("budget-exceeded", "Budget exceeded")
        .detector(detector.clone())
        .escalation(escalation)
        .build()
        .unwrap();
    let h = Setup::new(rb, Policy::with_mode(Mode::Auto)).build();
    detector.degraded(0.6);
    h.tick().await;
    h.tick().await;
    for _ in 0..40 {
        h.tick_after(Duration::from_secs(60)).await;
    }
    let incident = h.only().await;
    let escalated: Vec<_> = incident
        .timeline()
        .with_label("escalated")
        .map(|e| e.at)
        .collect();
    assert_eq!(escalated, [at(300)], "Finance at 5 min, and nobody else");
    let to_finance = h
        .chat
        .messages
        .lock()
        .unwrap()
        .iter()
        .find(|m| m.text.starts_with("@finance"))
        .cloned()
        .unwrap();
    assert_eq!(to_finance.channel, "#cato-budget");
    assert_eq!(
        to_finance.thread, None,
        "the incident's thread lives in another channel"
    );
}
