//! The pager fake follows PagerDuty Events v2; the chat fake keeps threads.

mod support;

use std::collections::BTreeMap;
use std::time::Duration;

use cato_runbook_core::ErrorKind;
use cato_runbook_core::ports::{Chat, ChatMessage, Page, PageSeverity, Pager};
use cato_runbook_mock::world::{AlertStatus, PagerAction};
use cato_runbook_mock::{World, WorldConfig};
use support::{MINUTE, wait};

fn page(key: &str, summary: &str) -> Page {
    Page {
        target: "on-call".into(),
        dedup_key: key.into(),
        summary: summary.into(),
        source: "cato-shadow-self".into(),
        component: "shadow-self-down".into(),
        severity: PageSeverity::Critical,
        details: BTreeMap::new(),
    }
}

#[tokio::test(start_paused = true)]
async fn one_alert_per_dedup_key_until_resolved() {
    let world = World::default();
    let pager = world.pager();
    pager
        .trigger(&page(
            "shadow-self-down/cato-shadow-self",
            "Shadow Self down",
        ))
        .await
        .unwrap();
    wait(&world, MINUTE).await;
    pager
        .trigger(&page("shadow-self-down/cato-shadow-self", "still down"))
        .await
        .unwrap();
    let alerts = world.alerts();
    assert_eq!(alerts.len(), 1);
    assert_eq!(
        (alerts[0].triggers, alerts[0].summary.as_str()),
        (2, "Shadow Self down")
    );
    assert_eq!(alerts[0].status, AlertStatus::Triggered);

    pager
        .acknowledge("on-call", "shadow-self-down/cato-shadow-self")
        .await
        .unwrap();
    pager
        .acknowledge("on-call", "shadow-self-down/cato-shadow-self")
        .await
        .unwrap();
    let alert = &world.alerts()[0];
    assert_eq!(alert.status, AlertStatus::Acknowledged);
    assert_eq!(alert.acknowledged_at, Some(world.now()));

    pager
        .resolve("on-call", "shadow-self-down/cato-shadow-self")
        .await
        .unwrap();
    assert_eq!(world.alerts()[0].status, AlertStatus::Resolved);
    assert_eq!(world.snapshot().open_alerts, 0);
}

#[tokio::test(start_paused = true)]
async fn after_a_resolve_follow_ups_are_dropped_and_a_trigger_opens_a_new_alert() {
    let world = World::default();
    let pager = world.pager();
    let key = "high-latency/cato-orchestrator";
    pager.trigger(&page(key, "p99 2.4 s")).await.unwrap();
    pager.resolve("on-call", key).await.unwrap();
    pager.acknowledge("on-call", key).await.unwrap();
    pager.resolve("on-call", key).await.unwrap();
    assert_eq!(world.alerts().len(), 1);
    assert_eq!(world.alerts()[0].acknowledged_at, None);

    pager.trigger(&page(key, "p99 2.6 s again")).await.unwrap();
    let alerts = world.alerts();
    assert_eq!(alerts.len(), 2);
    assert_eq!(
        (alerts[1].number, alerts[1].status),
        (2, AlertStatus::Triggered)
    );
    assert_eq!(alerts[0].status, AlertStatus::Resolved);

    let actions: Vec<PagerAction> = world.pager_events().iter().map(|e| e.action).collect();
    assert_eq!(
        actions,
        [
            PagerAction::Opened,
            PagerAction::Resolved,
            PagerAction::Dropped,
            PagerAction::Dropped,
            PagerAction::Opened
        ]
    );
}

#[tokio::test(start_paused = true)]
async fn keys_are_per_target_and_unknown_keys_are_dropped() {
    let world = World::default();
    let pager = world.pager();
    pager.trigger(&page("k", "a")).await.unwrap();
    let mut vp = page("k", "a");
    vp.target = "vp-engineering".into();
    pager.trigger(&vp).await.unwrap();
    assert_eq!(world.alerts().len(), 2);
    pager.acknowledge("on-call", "never-sent").await.unwrap();
    assert_eq!(
        world.pager_events().last().unwrap().action,
        PagerAction::Dropped
    );
}

#[tokio::test(start_paused = true)]
async fn malformed_events_are_refused_and_an_empty_dedup_key_is_made_up() {
    let world = World::default();
    let pager = world.pager();
    assert_eq!(
        pager.trigger(&page("k", " ")).await.unwrap_err().kind(),
        ErrorKind::InvalidInput
    );
    let mut no_source = page("k", "s");
    no_source.source.clear();
    assert_eq!(
        pager.trigger(&no_source).await.unwrap_err().kind(),
        ErrorKind::InvalidInput
    );
    assert_eq!(
        pager
            .trigger(&page(&"x".repeat(256), "s"))
            .await
            .unwrap_err()
            .kind(),
        ErrorKind::InvalidInput
    );
    assert_eq!(
        pager.resolve("on-call", "").await.unwrap_err().kind(),
        ErrorKind::InvalidInput
    );

    pager.trigger(&page("", "no key")).await.unwrap();
    let alert = &world.alerts()[0];
    assert!(!alert.dedup_key.is_empty());
    pager
        .trigger(&page(&"s".repeat(10), &"y".repeat(2000)))
        .await
        .unwrap();
    assert_eq!(world.alerts()[1].summary.len(), 1024);
}

#[tokio::test(start_paused = true)]
async fn more_than_the_rate_limit_is_throttled() {
    let mut config = WorldConfig::default();
    config.pager.events_per_minute = 3;
    config.pager.targets = vec!["on-call".into()];
    let world = World::new(config).unwrap();
    let pager = world.pager();
    for i in 0..3 {
        pager.trigger(&page(&format!("k{i}"), "s")).await.unwrap();
    }
    let err = pager.trigger(&page("k3", "s")).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Throttled);
    assert!(err.is_retryable());
    wait(&world, Duration::from_secs(61)).await;
    pager.trigger(&page("k3", "s")).await.unwrap();
    let mut unknown = page("k", "s");
    unknown.target = "nobody".into();
    assert_eq!(
        pager.trigger(&unknown).await.unwrap_err().kind(),
        ErrorKind::NotFound
    );
}

fn msg(channel: &str, text: &str, thread: Option<&str>) -> ChatMessage {
    ChatMessage {
        channel: channel.into(),
        text: text.into(),
        thread: thread.map(str::to_owned),
        key: None,
    }
}

#[tokio::test(start_paused = true)]
async fn chat_keeps_a_thread_per_incident() {
    let world = World::default();
    let chat = world.chat();
    let opened = chat
        .post(&msg(
            "cato-incident",
            "INC-1 opened: Shadow Self down (SEV1)",
            None,
        ))
        .await
        .unwrap();
    assert_eq!(opened.channel, "#cato-incident");
    let other = chat
        .post(&msg("#cato-incident", "INC-2 opened", None))
        .await
        .unwrap();
    wait(&world, MINUTE).await;
    let step = chat
        .post(&msg(
            "#cato-incident",
            "restart applied",
            Some(&opened.thread),
        ))
        .await
        .unwrap();
    assert_eq!(step.thread, opened.thread);
    assert_ne!(other.thread, opened.thread);

    let thread = world.chat_thread(&opened.thread);
    let texts: Vec<&str> = thread.iter().map(|m| m.text.as_str()).collect();
    assert_eq!(
        texts,
        ["INC-1 opened: Shadow Self down (SEV1)", "restart applied"]
    );
    assert_eq!(world.chat_messages().len(), 3);

    assert_eq!(
        chat.post(&msg("#random", "hi", None))
            .await
            .unwrap_err()
            .kind(),
        ErrorKind::NotFound
    );
    assert_eq!(
        chat.post(&msg("#cato-alerts", "hi", Some(&opened.thread)))
            .await
            .unwrap_err()
            .kind(),
        ErrorKind::NotFound
    );
    assert_eq!(
        chat.post(&msg("#cato-alerts", "  ", None))
            .await
            .unwrap_err()
            .kind(),
        ErrorKind::InvalidInput
    );
}
