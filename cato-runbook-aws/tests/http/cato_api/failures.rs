//! Error mapping, retries, back-off, timeouts and malformed bodies of the admin API provider.

use std::sync::Arc;
use std::time::Duration;

use cato_runbook_aws::cato_api::CatoAdminApi;
use cato_runbook_aws::http::HttpOptions;
use cato_runbook_aws::secrecy::SecretString;
use cato_runbook_core::ports::{Budget, TrafficControl};
use cato_runbook_core::{ErrorKind, IdempotencyKey, Retry};
use serde_json::json;
use wiremock::matchers::any;
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::common::{dead_url, quick};
use crate::support::step_clock::StepClock;

async fn server_answering(responses: Vec<ResponseTemplate>) -> MockServer {
    let server = MockServer::start().await;
    let n = responses.len();
    for (i, response) in responses.into_iter().enumerate() {
        // Each answer once, in order; the last one forever.
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

fn api(server: &MockServer) -> CatoAdminApi {
    CatoAdminApi::new(
        reqwest::Client::new(),
        &server.uri(),
        SecretString::from("t"),
    )
    .unwrap()
    .with_options(quick())
}

fn ok_status() -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_json(json!({
        "mode": "NORMAL", "spent": 10.0, "monthlyLimit": 1000.0,
        "nextReset": "2026-04-01T00:00:00Z", "curiosityEnabled": true
    }))
}

async fn tries(server: &MockServer) -> usize {
    server.received_requests().await.unwrap().len()
}

#[tokio::test]
async fn client_errors_are_permanent_and_not_retried() {
    for (code, kind) in [
        (400, ErrorKind::InvalidInput),
        (401, ErrorKind::Unauthenticated),
        (403, ErrorKind::PermissionDenied),
        (404, ErrorKind::NotFound),
        (409, ErrorKind::Conflict),
        (422, ErrorKind::InvalidInput),
    ] {
        let server = server_answering(vec![
            ResponseTemplate::new(code).set_body_json(json!({"error": "nope"})),
        ])
        .await;
        let err = api(&server).status().await.unwrap_err();
        assert_eq!(
            (err.kind(), err.retry()),
            (kind, Retry::Permanent),
            "{code}: {err}"
        );
        assert_eq!(err.provider(), Some("cato-admin-api"));
        assert_eq!(err.operation(), "budget.status");
        assert!(err.message().contains("nope"), "the body's excerpt: {err}");
        assert_eq!(tries(&server).await, 1, "{code} is not retried");
    }
}

#[tokio::test]
async fn server_errors_are_retried_then_reported_as_unavailable() {
    let server = server_answering(vec![ResponseTemplate::new(503)]).await;
    let err = api(&server)
        .set_emergency_mode(true, &IdempotencyKey::new("INC-1:emergency"))
        .await
        .unwrap_err();
    assert_eq!(
        (err.kind(), err.retry()),
        (ErrorKind::Unavailable, Retry::Transient)
    );
    assert_eq!(tries(&server).await, 3, "bounded: max_attempts");
}

#[tokio::test]
async fn a_failover_retried_after_a_server_error_carries_the_same_key() {
    let answers = vec![ResponseTemplate::new(503), ResponseTemplate::new(204)];
    let server = server_answering(answers).await;
    let split = [("us-east-1", 0.0), ("us-west-2", 1.0)].map(|(r, w)| (r.to_owned(), w));
    let key = IdempotencyKey::new("INC-1:failover-region");
    api(&server)
        .set_region_weights(&split.into(), &key)
        .await
        .unwrap();
    let requests = server.received_requests().await.unwrap();
    let keys: Vec<_> = requests
        .iter()
        .map(|r| r.headers.get("idempotency-key").unwrap().to_str().unwrap())
        .collect();
    assert_eq!(keys, ["INC-1:failover-region", "INC-1:failover-region"]);
    assert!(
        requests
            .iter()
            .all(|r| r.url.path() == "/api/admin/cato/traffic/regions")
    );
}

#[tokio::test]
async fn a_passing_fault_is_retried_away() {
    let server = server_answering(vec![
        ResponseTemplate::new(502),
        ResponseTemplate::new(500),
        ok_status(),
    ])
    .await;
    let clock = Arc::new(StepClock::default());
    let status = api(&server)
        .with_clock(clock.clone())
        .status()
        .await
        .unwrap();
    assert_eq!(status.monthly_limit_usd, 1000.0);
    assert_eq!(tries(&server).await, 3);
    let sleeps = clock.sleeps();
    assert_eq!(
        sleeps.len(),
        2,
        "a back-off before each retry, on the clock"
    );
    assert!(
        sleeps.iter().all(|d| *d <= Duration::from_millis(5)),
        "{sleeps:?}"
    );
}

#[tokio::test]
async fn throttling_honours_retry_after_up_to_the_maximum_back_off() {
    let server = server_answering(vec![
        ResponseTemplate::new(429).insert_header("Retry-After", "7"),
        ResponseTemplate::new(429).insert_header("Retry-After", "3600"),
        ok_status(),
    ])
    .await;
    let clock = Arc::new(StepClock::default());
    let options = quick().with_backoff(Duration::from_millis(1), Duration::from_secs(60));
    let throttled = api(&server).with_options(options).with_clock(clock.clone());
    throttled.status().await.unwrap();
    assert_eq!(
        clock.sleeps(),
        [Duration::from_secs(7), Duration::from_secs(60)]
    );

    let server = server_answering(vec![ResponseTemplate::new(429)]).await;
    let err = api(&server).status().await.unwrap_err();
    assert_eq!(
        (err.kind(), err.retry()),
        (ErrorKind::Throttled, Retry::Throttled)
    );
    assert_eq!(tries(&server).await, 3);
}

#[tokio::test]
async fn no_answer_within_the_timeout_is_a_timeout_after_every_try() {
    let server = server_answering(vec![ok_status().set_delay(Duration::from_secs(10))]).await;
    let options = quick()
        .with_timeout(Duration::from_millis(100))
        .with_max_attempts(2);
    let err = api(&server)
        .with_options(options)
        .status()
        .await
        .unwrap_err();
    assert_eq!(
        (err.kind(), err.retry()),
        (ErrorKind::Timeout, Retry::Transient),
        "{err}"
    );
    assert_eq!(tries(&server).await, 2);
}

#[tokio::test]
async fn nothing_listening_is_unavailable() {
    let api = CatoAdminApi::new(reqwest::Client::new(), &dead_url(), SecretString::from("t"))
        .unwrap()
        .with_options(quick());
    let err = api.state().await.unwrap_err();
    assert_eq!(
        (err.kind(), err.retry()),
        (ErrorKind::Unavailable, Retry::Transient),
        "{err}"
    );
}

#[tokio::test]
async fn bodies_that_are_not_the_documented_json_are_malformed() {
    for body in [
        ResponseTemplate::new(200).set_body_raw("<html>maintenance</html>", "text/html"),
        ResponseTemplate::new(200).set_body_json(json!({"mode": "NORMAL"})),
        ResponseTemplate::new(200).set_body_json(json!({
            "mode": "PANIC", "spent": 1, "monthlyLimit": 2,
            "nextReset": "2026-04-01T00:00:00Z", "curiosityEnabled": true
        })),
        ResponseTemplate::new(200).set_body_json(json!({
            "mode": "NORMAL", "spent": 1, "monthlyLimit": 2,
            "nextReset": "next month", "curiosityEnabled": true
        })),
    ] {
        let server = server_answering(vec![body]).await;
        let err = api(&server).status().await.unwrap_err();
        assert_eq!(
            (err.kind(), err.retry()),
            (ErrorKind::MalformedResponse, Retry::Permanent),
            "{err}"
        );
        assert_eq!(tries(&server).await, 1);
    }
}

#[tokio::test]
async fn a_base_url_that_is_not_http_is_invalid_input() {
    for url in ["ftp://example.com", "not a url", "mailto:ops@example.com"] {
        let err =
            CatoAdminApi::new(reqwest::Client::new(), url, SecretString::from("t")).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidInput, "{url}");
    }
    let _ = HttpOptions::default();
}
