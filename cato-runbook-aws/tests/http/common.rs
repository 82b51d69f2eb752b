//! Options and helpers the HTTP tests share.

use std::sync::Arc;
use std::time::Duration;

use cato_runbook_aws::http::HttpOptions;
use cato_runbook_core::ports::SystemClock;
use cato_runbook_mock::conformance::Settle;
use wiremock::MockServer;

/// Three tries, millisecond back-off, a short timeout: retries run, but fast.
pub(crate) fn quick() -> HttpOptions {
    HttpOptions::default()
        .with_timeout(Duration::from_millis(500))
        .with_max_attempts(3)
        .with_backoff(Duration::from_millis(1), Duration::from_millis(5))
}

/// Waits for changes on the wall clock, briefly (the fakes apply changes at once).
pub(crate) fn settle() -> Settle {
    Settle::new(
        Arc::new(SystemClock),
        Duration::from_secs(5),
        Duration::from_millis(10),
    )
}

/// `(method, path)` of every request the server got.
pub(crate) async fn calls(server: &MockServer) -> Vec<(String, String)> {
    server
        .received_requests()
        .await
        .unwrap_or_default()
        .into_iter()
        .map(|r| (r.method.to_string(), r.url.path().to_owned()))
        .collect()
}

/// The JSON bodies of every request the server got.
pub(crate) async fn bodies(server: &MockServer) -> Vec<serde_json::Value> {
    server
        .received_requests()
        .await
        .unwrap_or_default()
        .into_iter()
        .map(|r| serde_json::from_slice(&r.body).unwrap_or(serde_json::Value::Null))
        .collect()
}

/// A port nothing listens on.
pub(crate) fn dead_url() -> String {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    format!("http://127.0.0.1:{port}")
}
