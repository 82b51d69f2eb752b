//! The outbox: a notice refused for good is said once and tried again slowly; posts in the
//! thread wait behind the announcement; the page's acknowledgement is a notice of its own.

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use cato_runbook_core::engine::{Mode, Policy};
use cato_runbook_core::ports::ChatMessage;
use cato_runbook_core::runbook::Runbook;
use cato_runbook_core::{ErrorKind, Incident};

use crate::support::*;

fn harness(detector: &Arc<FakeDetector>, log: &CallLog) -> Harness {
    let runbook = Runbook::builder("shadow-self-down", "Shadow Self endpoint down")
        .detector(detector.clone())
        .step(FakeStep::new("restart", log).arc())
        .build()
        .unwrap();
    Setup::new(runbook, Policy::with_mode(Mode::Auto)).build()
}

/// An outage opened (on the second tick), then `minutes` of ticks every 30 s.
async fn run(h: &Harness, detector: &FakeDetector, minutes: u64) {
    detector.outage();
    h.tick().await;
    h.tick().await;
    for _ in 0..minutes * 2 {
        h.tick_after(Duration::from_secs(30)).await;
    }
}

fn failures(incident: &Incident, channel: &str) -> Vec<String> {
    incident
        .timeline()
        .iter()
        .filter_map(|e| match &e.kind {
            cato_runbook_core::EntryKind::NotificationFailed { channel: c, .. } if c == channel => {
                Some(e.detail.clone())
            }
            _ => None,
        })
        .collect()
}

fn posts(h: &Harness) -> Vec<ChatMessage> {
    h.chat.messages.lock().unwrap().clone()
}

#[tokio::test(start_paused = true)]
async fn a_refused_announcement_is_said_once_tried_every_15_minutes_and_the_page_still_goes() {
    let detector = FakeDetector::new("endpoint-5xx", "cato-shadow-self");
    let log = CallLog::default();
    let h = harness(&detector, &log);
    *h.chat.fail_with.lock().unwrap() = Some((ErrorKind::PermissionDenied, "invalid_auth"));
    run(&h, &detector, 20).await;
    let incident = h.only().await;
    assert_eq!(
        h.chat.tries.load(Ordering::SeqCst),
        2,
        "the announcement at once and 15 minutes later; nothing else tried behind it"
    );
    let failed = failures(&incident, "chat");
    assert_eq!(failed.len(), 1, "said once: {failed:?}");
    assert!(
        failed[0].contains("cannot be delivered")
            && failed[0].contains("invalid_auth")
            && failed[0].contains("every 15m"),
        "{}",
        failed[0]
    );
    assert_eq!(h.pager.targets(), ["on-call"], "chat down, the page goes");
    let outbox = &incident.automation().outbox;
    let announcement = outbox
        .notices
        .iter()
        .find(|n| n.kind == cato_runbook_core::incident::NoticeKind::Announce)
        .expect("kept");
    assert_eq!(announcement.attempts, 2);
    assert_eq!(
        announcement.next_at,
        incident.detected_at() + chrono::TimeDelta::minutes(30)
    );

    // Fixed: the announcement lands, and what waited goes into its thread, in order.
    *h.chat.fail_with.lock().unwrap() = None;
    h.tick_after(mins(11)).await;
    let posts = posts(&h);
    assert!(posts.len() > 2, "{posts:?}");
    assert_eq!(posts[0].thread, None, "the announcement starts the thread");
    assert!(posts[0].text.contains("Shadow Self endpoint down"));
    assert!(
        posts[1..].iter().all(|m| m.thread.as_deref() == Some("T1")),
        "{posts:?}"
    );
    let texts: Vec<&str> = posts[1..].iter().map(|m| m.text.as_str()).collect();
    let lead = texts
        .iter()
        .position(|t| t.starts_with("@lead-eng"))
        .unwrap();
    let breach = texts
        .iter()
        .position(|t| t.contains("response time of SEV1"))
        .unwrap();
    assert!(lead < breach, "in the order decided: {texts:?}");
    assert!(h.only().await.automation().outbox.notices.is_empty());
}

#[tokio::test(start_paused = true)]
async fn a_passing_chat_failure_holds_later_posts_behind_the_announcement() {
    let detector = FakeDetector::new("endpoint-5xx", "cato-shadow-self");
    let log = CallLog::default();
    let h = harness(&detector, &log);
    *h.chat.fail_with.lock().unwrap() = Some((ErrorKind::Unavailable, "Slack answered 503"));
    run(&h, &detector, 1).await;
    assert!(
        calls(&log).contains(&"apply:restart".to_owned()),
        "mitigation goes on"
    );
    assert!(posts(&h).is_empty());
    let tries = h.chat.tries.load(Ordering::SeqCst);
    assert!(tries <= 2, "only the announcement is tried: {tries}");

    *h.chat.fail_with.lock().unwrap() = None;
    h.tick_after(mins(2)).await;
    let posts = posts(&h);
    assert!(posts.len() >= 2, "{posts:?}");
    assert_eq!(posts[0].thread, None);
    assert!(
        posts[1..].iter().all(|m| m.thread.as_deref() == Some("T1")),
        "no line outside the thread: {posts:?}"
    );
    assert!(
        posts[1..].iter().any(|m| m.text.contains("restart")),
        "the step's line, held until the thread started: {posts:?}"
    );
    // Passing failures are each on the timeline, as before.
    let failed = failures(&h.only().await, "chat");
    assert!(failed.iter().all(|f| f.contains("try ")), "{failed:?}");
}

#[tokio::test(start_paused = true)]
async fn a_refused_page_is_said_once_in_the_thread_and_escalation_goes_on() {
    let detector = FakeDetector::new("endpoint-5xx", "cato-shadow-self");
    let log = CallLog::default();
    let h = harness(&detector, &log);
    *h.pager.fail_with.lock().unwrap() = Some((
        ErrorKind::InvalidInput,
        "400 Bad Request: invalid routing key",
    ));
    run(&h, &detector, 20).await;
    let incident = h.only().await;
    assert_eq!(
        h.pager.tries.load(Ordering::SeqCst),
        2,
        "at once and 15 minutes later"
    );
    let failed = failures(&incident, "pager");
    assert_eq!(failed.len(), 1, "{failed:?}");
    assert!(
        failed[0].starts_with("On-call Engineer: cannot be delivered: ")
            && failed[0].contains("invalid routing key"),
        "{}",
        failed[0]
    );
    let said: Vec<ChatMessage> = posts(&h)
        .into_iter()
        .filter(|m| m.text.contains("the on-call page cannot be delivered"))
        .collect();
    assert_eq!(said.len(), 1, "once, in the thread");
    assert_eq!(said[0].thread.as_deref(), Some("T1"));
    assert!(
        incident.timeline().first("escalated").is_some(),
        "the lead is told at 15 minutes all the same"
    );
    assert!(!incident.automation().paged);
}

#[tokio::test(start_paused = true)]
async fn an_acknowledgement_the_pager_refuses_is_retried_from_the_outbox() {
    let detector = FakeDetector::new("endpoint-5xx", "cato-shadow-self");
    let log = CallLog::default();
    let h = harness(&detector, &log);
    run(&h, &detector, 1).await;
    let id = h.only().await.id().clone();
    assert_eq!(h.pager.targets(), ["on-call"]);
    h.pager.fail_acks.store(true, Ordering::SeqCst);

    let started = h.now();
    assert!(h.engine.operator().acknowledge(&id, "alice").await.unwrap());
    assert_eq!(h.now(), started, "the person's call waits for no pager");
    assert!(h.pager.acks.lock().unwrap().is_empty());

    h.tick_after(Duration::from_secs(30)).await;
    let failed = failures(&h.only().await, "pager");
    assert_eq!(failed.len(), 1, "{failed:?}");
    assert!(
        failed[0].starts_with("On-call Engineer (the page's acknowledgement): ")
            && failed[0].contains("503"),
        "{}",
        failed[0]
    );

    h.pager.fail_acks.store(false, Ordering::SeqCst);
    h.tick_after(Duration::from_secs(30)).await;
    assert_eq!(
        *h.pager.acks.lock().unwrap(),
        [("on-call".to_owned(), id.to_string())]
    );
    let incident = h.only().await;
    assert!(incident.automation().outbox.notices.is_empty());
    assert!(
        details(&incident, "notified")
            .iter()
            .any(|d| d == "page acknowledged on try 2"),
        "{:?}",
        details(&incident, "notified")
    );
}

#[tokio::test(start_paused = true)]
async fn an_acknowledgement_survives_a_crash_before_the_pager_took_it() {
    let detector = FakeDetector::new("endpoint-5xx", "cato-shadow-self");
    let log = CallLog::default();
    let h = harness(&detector, &log);
    run(&h, &detector, 1).await;
    let id = h.only().await.id().clone();
    assert!(h.engine.operator().acknowledge(&id, "alice").await.unwrap());
    let (store, clock) = (h.store.clone(), h.clock.clone());
    drop(h); // crashed before its next tick

    let runbook = Runbook::builder("shadow-self-down", "Shadow Self endpoint down")
        .detector(detector.clone())
        .step(FakeStep::new("restart", &log).arc())
        .build()
        .unwrap();
    let mut setup = Setup::new(runbook, Policy::with_mode(Mode::Auto));
    setup.store = store;
    setup.clock = Some(clock);
    let again = setup.build();
    again.tick_after(Duration::from_secs(30)).await;
    assert_eq!(
        *again.pager.acks.lock().unwrap(),
        [("on-call".to_owned(), id.to_string())]
    );
    assert!(again.only().await.automation().outbox.notices.is_empty());
}
