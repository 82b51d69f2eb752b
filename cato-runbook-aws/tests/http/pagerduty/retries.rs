//! PagerDuty's answers other than 202: 400 is final, 429 and 5xx are retried with back-off.

use std::sync::Arc;
use std::time::Duration;

use cato_runbook_aws::pagerduty::PagerDuty;
use cato_runbook_aws::secrecy::SecretString;
use cato_runbook_core::ports::Pager;
use cato_runbook_core::{ErrorKind, Retry};
use serde_json::json;
use wiremock::matchers::any;
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::common::{dead_url, quick};
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

fn pager(server: &MockServer) -> PagerDuty {
    PagerDuty::new(reqwest::Client::new(), &server.uri())
        .unwrap()
        .with_routing_key("on-call", SecretString::from("k".repeat(32)))
        .with_options(quick())
}

fn accepted() -> ResponseTemplate {
    ResponseTemplate::new(202).set_body_json(json!({
        "status": "success", "message": "Event processed", "dedup_key": "INC-1"
    }))
}

async fn tries(server: &MockServer) -> usize {
    server.received_requests().await.unwrap().len()
}

#[tokio::test]
async fn a_400_is_invalid_input_and_never_retried() {
    let server = answering(vec![ResponseTemplate::new(400).set_body_json(json!({
        "status": "invalid event", "message": "Event object is invalid", "errors": ["'dedup_key' is too long"]
    }))])
    .await;
    let err = pager(&server)
        .resolve("on-call", "INC-1")
        .await
        .unwrap_err();
    assert_eq!(
        (err.kind(), err.retry()),
        (ErrorKind::InvalidInput, Retry::Permanent),
        "{err}"
    );
    assert!(err.message().contains("dedup_key"), "{err}");
    assert_eq!(tries(&server).await, 1);
}

#[tokio::test]
async fn a_429_waits_and_tries_again() {
    let server = answering(vec![ResponseTemplate::new(429), accepted()]).await;
    let clock = Arc::new(StepClock::default());
    pager(&server)
        .with_clock(clock.clone())
        .acknowledge("on-call", "INC-1")
        .await
        .unwrap();
    assert_eq!(tries(&server).await, 2);
    assert_eq!(clock.sleeps().len(), 1);
}

#[tokio::test]
async fn server_errors_are_retried_a_bounded_number_of_times_with_growing_back_off() {
    let server = answering(vec![
        ResponseTemplate::new(500),
        ResponseTemplate::new(502),
        ResponseTemplate::new(503),
    ])
    .await;
    let clock = Arc::new(StepClock::default());
    let options = quick()
        .with_max_attempts(3)
        .with_backoff(Duration::from_secs(1), Duration::from_secs(30));
    let err = pager(&server)
        .with_options(options)
        .with_clock(clock.clone())
        .resolve("on-call", "INC-1")
        .await
        .unwrap_err();
    assert_eq!(
        (err.kind(), err.retry()),
        (ErrorKind::Unavailable, Retry::Transient)
    );
    assert_eq!(tries(&server).await, 3);
    let sleeps = clock.sleeps();
    assert_eq!(sleeps.len(), 2, "{sleeps:?}");
    // Exponential from 1 s (with jitter up to one more step), capped at 30 s.
    assert!(
        sleeps[0] >= Duration::from_secs(1) && sleeps[0] <= Duration::from_secs(2),
        "{sleeps:?}"
    );
    assert!(
        sleeps[1] >= Duration::from_secs(2) && sleeps[1] <= Duration::from_secs(4),
        "{sleeps:?}"
    );
}

#[tokio::test]
async fn persistent_throttling_ends_as_throttled() {
    let server = answering(vec![ResponseTemplate::new(429)]).await;
    let err = pager(&server)
        .resolve("on-call", "INC-1")
        .await
        .unwrap_err();
    assert_eq!(
        (err.kind(), err.retry()),
        (ErrorKind::Throttled, Retry::Throttled)
    );
    assert_eq!(tries(&server).await, 3);
}

#[tokio::test]
async fn a_202_is_accepted_whatever_its_body_says() {
    let server = answering(vec![
        ResponseTemplate::new(202).set_body_raw("accepted", "text/plain"),
    ])
    .await;
    pager(&server).resolve("on-call", "INC-1").await.unwrap();
}

#[tokio::test]
async fn a_slow_events_api_times_out_after_every_try() {
    let server = answering(vec![accepted().set_delay(Duration::from_secs(10))]).await;
    let options = quick()
        .with_timeout(Duration::from_millis(100))
        .with_max_attempts(2);
    let err = pager(&server)
        .with_options(options)
        .resolve("on-call", "INC-1")
        .await
        .unwrap_err();
    assert_eq!(
        (err.kind(), err.retry()),
        (ErrorKind::Timeout, Retry::Transient)
    );
    assert_eq!(tries(&server).await, 2);
}

#[tokio::test]
async fn nothing_listening_is_unavailable() {
    let pager = PagerDuty::new(reqwest::Client::new(), &dead_url())
        .unwrap()
        .with_routing_key("on-call", SecretString::from("k".repeat(32)))
        .with_options(quick());
    let err = pager.resolve("on-call", "INC-1").await.unwrap_err();
    assert_eq!(
        (err.kind(), err.retry()),
        (ErrorKind::Unavailable, Retry::Transient),
        "{err}"
    );
}
