//! The post-incident deadline: a reminder in the incident's thread at 24 h without a
//! postmortem, an overdue note at 48 h, each once, across a restart; nothing once closed.

use std::sync::Arc;
use std::time::Duration;

use cato_runbook_core::engine::{EngineConfig, Mode, Policy};
use cato_runbook_core::ports::{ChatMessage, InMemoryIncidentStore};
use cato_runbook_core::runbook::Runbook;
use cato_runbook_core::{ErrorKind, IncidentId, Status};

use crate::support::*;

fn hours(n: u64) -> Duration {
    Duration::from_secs(3600 * n)
}

fn setup(
    store: Arc<InMemoryIncidentStore>,
    clock: Option<Arc<TestClock>>,
) -> (Harness, Arc<FakeDetector>) {
    let detector = FakeDetector::new("endpoint-5xx", "cato-shadow-self");
    let runbook = Runbook::builder("shadow-self-down", "Shadow Self endpoint down")
        .detector(detector.clone())
        .build()
        .unwrap();
    let mut setup = Setup::new(runbook, Policy::with_mode(Mode::Auto));
    setup.store = store;
    setup.clock = clock;
    (setup.build(), detector)
}

/// An incident opened at T+30s and resolved by hand at T+2m.
async fn resolved() -> (Harness, IncidentId) {
    let (h, detector) = setup(Arc::new(InMemoryIncidentStore::new()), None);
    detector.outage();
    h.tick().await;
    h.tick_after(Duration::from_secs(30)).await;
    let id = h.only().await.id().clone();
    h.tick_after(Duration::from_secs(90)).await;
    detector.healthy();
    h.engine
        .operator()
        .resolve(&id, "alice", "fixed by hand")
        .await
        .unwrap();
    (h, id)
}

/// The posts about the postmortem.
fn reminders(h: &Harness) -> Vec<ChatMessage> {
    h.chat
        .messages
        .lock()
        .unwrap()
        .iter()
        .filter(|m| m.text.contains("postmortem"))
        .cloned()
        .collect()
}

#[tokio::test(start_paused = true)]
async fn reminds_once_at_24_hours_then_notes_the_overdue_postmortem_at_48() {
    let (h, id) = resolved().await;
    let resolved_at = at(120);
    let incident = h.only().await;
    assert_eq!(
        incident.postmortem_due(),
        Some(resolved_at + chrono::TimeDelta::hours(48))
    );
    let thread = incident.automation().chat_thread.clone();
    assert!(thread.is_some());

    // Nothing before 24 h.
    h.tick().await;
    h.tick_after(hours(23) + mins(59)).await;
    assert!(reminders(&h).is_empty());
    // At 24 h exactly: one reminder, in the incident's thread, keyed.
    h.tick_after(mins(1)).await;
    let posted = reminders(&h);
    assert_eq!(posted.len(), 1, "{posted:?}");
    assert_eq!(posted[0].thread, thread);
    assert_eq!(posted[0].channel, "#cato-incident");
    assert!(
        posted[0].text.contains("due 2026-03-03 12:02 UTC"),
        "{}",
        posted[0].text
    );
    assert!(posted[0].key.is_some());
    // Never twice.
    for _ in 0..4 {
        h.tick_after(hours(5)).await;
    }
    assert_eq!(reminders(&h).len(), 1);
    let incident = h.only().await;
    assert_eq!(details(&incident, "postmortem_reminder").len(), 1);
    assert!(details(&incident, "postmortem_overdue").is_empty());

    // At 48 h (44 h in so far): the overdue note, in the thread and on the timeline.
    h.tick_after(hours(3) + mins(59)).await;
    assert_eq!(reminders(&h).len(), 1);
    h.tick_after(mins(1)).await;
    let posted = reminders(&h);
    assert_eq!(posted.len(), 2, "{posted:?}");
    assert!(posted[1].text.contains("overdue"), "{}", posted[1].text);
    assert_eq!(posted[1].thread, thread);
    let incident = h.only().await;
    assert_eq!(
        details(&incident, "postmortem_overdue"),
        ["due 2026-03-03 12:02 UTC; none attached"]
    );
    assert_eq!(incident.status(), Status::Resolved);
    // And nothing after.
    h.tick_after(hours(30)).await;
    assert_eq!(reminders(&h).len(), 2);
    // The postmortem still closes it.
    let closed = h
        .engine
        .operator()
        .close(&id, "alice", "https://wiki/pm/1")
        .await
        .unwrap();
    assert_eq!(closed.status(), Status::Closed);
}

#[tokio::test(start_paused = true)]
async fn nothing_is_posted_once_the_postmortem_closes_the_incident() {
    let (h, id) = resolved().await;
    h.tick().await;
    h.tick_after(hours(20)).await;
    h.engine
        .operator()
        .close(&id, "alice", "https://wiki/pm/1")
        .await
        .unwrap();
    for _ in 0..6 {
        h.tick_after(hours(6)).await;
    }
    assert!(reminders(&h).is_empty());
    let incident = h.only().await;
    assert_eq!(incident.status(), Status::Closed);
    assert!(details(&incident, "postmortem_reminder").is_empty());
}

#[tokio::test(start_paused = true)]
async fn a_restarted_engine_on_the_same_store_does_not_remind_again() {
    let (h, id) = resolved().await;
    h.tick().await;
    h.tick_after(hours(24)).await;
    assert_eq!(reminders(&h).len(), 1);
    let store = h.store.clone();
    let clock = h.clock.clone();
    drop(h);

    // A new engine (a restart, or another replica taking over) finds the incident in the
    // store, not in memory.
    let (again, _detector) = setup(store, Some(clock));
    again.tick().await;
    again.tick_after(hours(1)).await;
    assert!(reminders(&again).is_empty(), "the reminder went out again");
    again.tick_after(hours(23)).await;
    let posted = reminders(&again);
    assert_eq!(posted.len(), 1, "{posted:?}");
    assert!(posted[0].text.contains("overdue"));
    again.tick_after(hours(1)).await;
    assert_eq!(reminders(&again).len(), 1);
    let incident = again.only().await;
    assert_eq!(incident.id(), &id);
    assert_eq!(details(&incident, "postmortem_reminder").len(), 1);
    assert_eq!(details(&incident, "postmortem_overdue").len(), 1);
}

#[tokio::test(start_paused = true)]
async fn the_deadline_is_configurable_and_checked() {
    let detector = FakeDetector::new("endpoint-5xx", "cato-shadow-self");
    let runbook = || {
        Runbook::builder("shadow-self-down", "Shadow Self endpoint down")
            .detector(detector.clone())
            .build()
            .unwrap()
    };
    let config: EngineConfig =
        serde_json::from_str(r#"{ "postmortem": { "due_after": "72h", "remind_after": "72h" } }"#)
            .unwrap();
    let refused = cato_runbook_core::engine::Engine::builder()
        .runbook(runbook())
        .config(config)
        .pager(Arc::new(RecordingPager::default()))
        .chat(Arc::new(RecordingChat::default()))
        .alone()
        .build()
        .unwrap_err();
    assert_eq!(refused.kind(), ErrorKind::InvalidInput);
    assert!(
        refused
            .to_string()
            .contains("engine.postmortem.remind_after"),
        "{refused}"
    );
    let config: EngineConfig =
        serde_json::from_str(r#"{ "postmortem": { "notify_when_overdue": "Chief Everything" } }"#)
            .unwrap();
    let refused = cato_runbook_core::engine::Engine::builder()
        .runbook(runbook())
        .config(config)
        .pager(Arc::new(RecordingPager::default()))
        .chat(Arc::new(RecordingChat::default()))
        .alone()
        .build()
        .unwrap_err();
    assert!(
        refused
            .to_string()
            .contains("engine.postmortem.notify_when_overdue"),
        "{refused}"
    );

    // 72 h, reminded at 36 h, the Engineering Lead told when overdue.
    let mut setup = Setup::new(runbook(), Policy::with_mode(Mode::Auto));
    setup.config = serde_json::from_str(
        r#"{ "postmortem": { "due_after": "72h", "remind_after": "36h", "notify_when_overdue": "Engineering Lead" } }"#,
    )
    .unwrap();
    let h = setup.build();
    detector.outage();
    h.tick().await;
    h.tick_after(Duration::from_secs(30)).await;
    let id = h.only().await.id().clone();
    detector.healthy();
    h.engine
        .operator()
        .resolve(&id, "alice", "fixed")
        .await
        .unwrap();
    let resolved_at = h.now();
    assert_eq!(
        h.only().await.postmortem_due(),
        Some(resolved_at + chrono::TimeDelta::hours(72))
    );
    h.tick_after(hours(35)).await;
    assert!(reminders(&h).is_empty());
    h.tick_after(hours(1)).await;
    assert_eq!(reminders(&h).len(), 1);
    h.tick_after(hours(36)).await;
    let texts: Vec<String> = reminders(&h).iter().map(|m| m.text.clone()).collect();
    // The thread's note, and the Engineering Lead's mention.
    assert_eq!(texts.len(), 3, "{texts:?}");
    assert!(texts[2].starts_with("@lead-eng "), "{texts:?}");
}
