//! One thread per incident: the first post starts it, updates go in it.

use cato_runbook_core::ports::{Chat, ChatMessage};
use cato_runbook_mock::conformance::chat;
use serde_json::json;

use super::fake::{FakeSlack, Stored};

fn message(channel: &str, text: &str, thread: Option<&str>) -> ChatMessage {
    ChatMessage {
        channel: channel.into(),
        text: text.into(),
        thread: thread.map(str::to_owned),
        key: None,
    }
}

#[tokio::test]
async fn chat_conformance() {
    let slack = FakeSlack::start().await;
    let fixture = chat::ChatFixture {
        channel: "#cato-incident".into(),
        missing_channel: "#no-such-channel".into(),
    };
    chat::run_all(&slack.slack(), &fixture).await.unwrap();
}

#[tokio::test]
async fn an_incident_keeps_one_thread_and_alerts_go_to_their_own_channel() {
    let fake = FakeSlack::start().await;
    let slack = fake.slack();
    let opened = slack
        .post(&message(
            "#cato-incident",
            "SEV2 INC-7: high latency on cato-shadow-self",
            None,
        ))
        .await
        .unwrap();
    assert_eq!(opened.channel, "#cato-incident");
    for update in [
        "diagnosis: capacity",
        "scaled cato-orchestrator to 50",
        "resolved",
    ] {
        let posted = slack
            .post(&message("#cato-incident", update, Some(&opened.thread)))
            .await
            .unwrap();
        assert_eq!(posted.thread, opened.thread);
    }
    let alert = slack
        .post(&message("#cato-alerts", "CacheHitRate 61% < 70%", None))
        .await
        .unwrap();
    assert_ne!(alert.thread, opened.thread);

    let messages = fake.messages.lock().unwrap().clone();
    assert_eq!(messages.len(), 5);
    assert_eq!(
        messages[0],
        Stored {
            channel: "C0CATOINCD".into(),
            ts: opened.thread.clone(),
            thread_ts: None,
            text: "SEV2 INC-7: high latency on cato-shadow-self".into(),
        }
    );
    assert!(
        messages[1..4]
            .iter()
            .all(|m| m.thread_ts.as_ref() == Some(&opened.thread))
    );
    assert_eq!(
        (messages[4].channel.as_str(), messages[4].thread_ts.as_ref()),
        ("C0CATOALRT", None)
    );

    let sent: Vec<serde_json::Value> = fake
        .server
        .received_requests()
        .await
        .unwrap()
        .iter()
        .map(|r| serde_json::from_slice(&r.body).unwrap())
        .collect();
    assert_eq!(
        sent[1],
        json!({"channel": "#cato-incident", "text": "diagnosis: capacity", "thread_ts": opened.thread})
    );
    assert_eq!(
        sent[4],
        json!({"channel": "#cato-alerts", "text": "CacheHitRate 61% < 70%"})
    );
}
