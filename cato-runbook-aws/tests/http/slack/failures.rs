//! Slack's failures: `ok: false` codes, 429 with `Retry-After`, 5xx, timeouts, bad bodies.

use std::sync::Arc;
use std::time::Duration;

use cato_runbook_aws::secrecy::SecretString;
use cato_runbook_aws::slack::Slack;
use cato_runbook_core::ports::{Chat, ChatMessage};
use cato_runbook_core::{ErrorKind, Retry};
use serde_json::json;
use wiremock::matchers::any;
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::common::quick;
use crate::support::step_clock::StepClock;

async fn answering(responses: Vec<ResponseTemplate>) -> MockServer {
    let server = MockServer::start().await;
    let n = responses.len();
    for (i, response) in responses.into_iter().enumerate() {
        let mock = Mock::given(any()).respond_with(response);
        let mock = if i + 1 < n {
            mock.up_to_n_times(1)
        } else {
            mock
        };
        mock.with_priority(u8::try_from(i + 1).unwrap())
            .mount(&server)
            .await;
    }
    server
}

fn slack(server: &MockServer) -> Slack {
    slack_at(&server.uri())
}

fn slack_at(url: &str) -> Slack {
    Slack::new(reqwest::Client::new(), url, SecretString::from("xoxb-t"))
        .unwrap()
        .with_options(quick())
}

fn hello() -> ChatMessage {
    ChatMessage {
        channel: "#cato-alerts".into(),
        text: "hello".into(),
        thread: None,
        key: None,
    }
}

fn posted() -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_json(json!({"ok": true, "channel": "C1", "ts": "1.000001"}))
}

async fn tries(server: &MockServer) -> usize {
    server.received_requests().await.unwrap().len()
}

#[tokio::test]
async fn error_codes_map_to_kinds_and_only_passing_ones_are_retried() {
    for (code, kind, expected_tries) in [
        ("channel_not_found", ErrorKind::NotFound, 1),
        ("not_in_channel", ErrorKind::PermissionDenied, 1),
        ("invalid_auth", ErrorKind::Unauthenticated, 1),
        ("msg_too_long", ErrorKind::InvalidInput, 1),
        ("ratelimited", ErrorKind::Throttled, 3),
        ("internal_error", ErrorKind::Unavailable, 3),
    ] {
        let server = answering(vec![
            ResponseTemplate::new(200).set_body_json(json!({"ok": false, "error": code})),
        ])
        .await;
        let err = slack(&server).post(&hello()).await.unwrap_err();
        assert_eq!(err.kind(), kind, "{code}: {err}");
        assert!(err.message().contains(code), "{err}");
        assert_eq!(err.resource(), Some("#cato-alerts"));
        assert_eq!(tries(&server).await, expected_tries, "{code}");
    }
}

#[tokio::test]
async fn a_refused_token_names_where_it_comes_from() {
    let server = answering(vec![
        ResponseTemplate::new(200).set_body_json(json!({"ok": false, "error": "token_revoked"})),
    ])
    .await;
    let err = slack(&server)
        .with_credential_source("the environment variable SLACK_BOT_TOKEN")
        .post(&hello())
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Unauthenticated);
    assert!(!err.is_retryable());
    assert!(err.message().contains("SLACK_BOT_TOKEN"), "{err}");
    assert_eq!(tries(&server).await, 1);
}

#[tokio::test]
async fn a_429_waits_as_long_as_slack_asks() {
    let server = answering(vec![
        ResponseTemplate::new(429).insert_header("Retry-After", "2"),
        posted(),
    ])
    .await;
    let clock = Arc::new(StepClock::default());
    let options = quick().with_backoff(Duration::from_millis(1), Duration::from_secs(30));
    let p = slack(&server)
        .with_options(options)
        .with_clock(clock.clone())
        .post(&hello())
        .await
        .unwrap();
    assert_eq!(p.thread, "1.000001");
    assert_eq!(clock.sleeps(), [Duration::from_secs(2)]);
}

#[tokio::test]
async fn server_errors_are_retried_then_unavailable() {
    let server = answering(vec![ResponseTemplate::new(503)]).await;
    let err = slack(&server).post(&hello()).await.unwrap_err();
    assert_eq!(
        (err.kind(), err.retry()),
        (ErrorKind::Unavailable, Retry::Transient)
    );
    assert_eq!(tries(&server).await, 3);

    let server = answering(vec![ResponseTemplate::new(500), posted()]).await;
    slack(&server).post(&hello()).await.unwrap();
}

#[tokio::test]
async fn a_slow_slack_times_out() {
    let server = answering(vec![posted().set_delay(Duration::from_secs(10))]).await;
    let options = quick()
        .with_timeout(Duration::from_millis(100))
        .with_max_attempts(1);
    let err = slack(&server)
        .with_options(options)
        .post(&hello())
        .await
        .unwrap_err();
    assert_eq!(
        (err.kind(), err.retry()),
        (ErrorKind::DeliveryUnknown, Retry::Permanent)
    );
    assert_eq!(tries(&server).await, 1);
}

#[tokio::test]
async fn a_post_whose_answer_is_lost_is_not_posted_again() {
    // Three tries allowed: the first reached Slack and its answer came too late.
    let server = answering(vec![posted().set_delay(Duration::from_secs(10)), posted()]).await;
    let options = quick().with_timeout(Duration::from_millis(100));
    let err = slack(&server)
        .with_options(options)
        .post(&hello())
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::DeliveryUnknown, "{err}");
    assert!(!err.is_retryable());
    assert_eq!(tries(&server).await, 1, "posted once, not again");
}

#[tokio::test]
async fn the_idempotency_key_goes_out_as_message_metadata() {
    let server = answering(vec![posted()]).await;
    let key = cato_runbook_core::IdempotencyKey::new("INC-1:notice-1");
    let message = ChatMessage {
        key: Some(key),
        ..hello()
    };
    slack(&server).post(&message).await.unwrap();
    let bodies = crate::common::bodies(&server).await;
    assert_eq!(bodies[0]["metadata"]["event_type"], "cato_runbook_notice");
    assert_eq!(
        bodies[0]["metadata"]["event_payload"]["key"],
        "INC-1:notice-1"
    );
    // Without a key, no metadata.
    let server = answering(vec![posted()]).await;
    slack(&server).post(&hello()).await.unwrap();
    let bodies = crate::common::bodies(&server).await;
    assert!(bodies[0].get("metadata").is_none(), "{}", bodies[0]);
}

/// Slack, whose answer to the first post comes too late; the channel's history then holds
/// `held` (the messages' metadata keys).
async fn slow_slack_holding(held: &[&str]) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(wiremock::matchers::path("/api/chat.postMessage"))
        .respond_with(posted().set_delay(Duration::from_secs(10)))
        .mount(&server)
        .await;
    Mock::given(wiremock::matchers::path("/api/conversations.list"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "ok": true,
            "channels": [{"id": "C0OTHER", "name": "other"}, {"id": "C0ALERTS", "name": "cato-alerts"}],
            "response_metadata": {"next_cursor": ""},
        })))
        .mount(&server)
        .await;
    let messages: Vec<_> = held
        .iter()
        .enumerate()
        .map(|(i, key)| {
            json!({"ts": format!("7.00000{i}"), "text": "hello", "metadata": {
                "event_type": "cato_runbook_notice", "event_payload": {"key": key}}})
        })
        .collect();
    Mock::given(wiremock::matchers::path("/api/conversations.history"))
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({"ok": true, "messages": messages})),
        )
        .mount(&server)
        .await;
    server
}

async fn posts(server: &MockServer) -> usize {
    crate::common::calls(server)
        .await
        .iter()
        .filter(|(_, path)| path == "/api/chat.postMessage")
        .count()
}

#[tokio::test]
async fn a_lost_answer_whose_post_landed_is_found_in_the_history_and_not_posted_again() {
    let server = slow_slack_holding(&["INC-1:other", "INC-1:notice-1"]).await;
    let message = ChatMessage {
        key: Some(cato_runbook_core::IdempotencyKey::new("INC-1:notice-1")),
        ..hello()
    };
    let options = quick().with_timeout(Duration::from_millis(100));
    let posted = slack(&server)
        .with_options(options)
        .post(&message)
        .await
        .unwrap();
    assert_eq!(posted.thread, "7.000001");
    assert_eq!(posts(&server).await, 1, "posted once");

    // Not in the history: the delivery stays unknown, and nothing is posted again.
    let server = slow_slack_holding(&["INC-1:other"]).await;
    let err = slack(&server)
        .with_options(options)
        .post(&message)
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::DeliveryUnknown, "{err}");
    assert_eq!(posts(&server).await, 1, "posted once");
}

#[tokio::test]
async fn a_post_that_never_connected_is_tried_again() {
    let err = slack_at(&crate::common::dead_url())
        .post(&hello())
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Unavailable, "{err}");
    assert!(err.is_retryable());
}

#[tokio::test]
async fn bodies_without_a_message_ts_are_malformed() {
    for body in [
        ResponseTemplate::new(200).set_body_raw("ok", "text/plain"),
        ResponseTemplate::new(200).set_body_json(json!({"ok": true})),
        ResponseTemplate::new(200).set_body_json(json!({"ok": "yes", "ts": "1.1"})),
    ] {
        let server = answering(vec![body]).await;
        let err = slack(&server).post(&hello()).await.unwrap_err();
        assert_eq!(
            (err.kind(), err.retry()),
            (ErrorKind::MalformedResponse, Retry::Permanent),
            "{err}"
        );
        assert_eq!(tries(&server).await, 1);
    }
}
