//! Tokens and routing keys never reach Debug, Display, errors or logs — at any log level, from
//! any crate, on success, failure and retry paths.
//!
//! A test binary of its own: the log capture is the process's global subscriber, set before
//! any log call site is reached, so no other test's traffic can race tracing's call-site cache.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "../support/mod.rs"]
mod support;

use std::collections::BTreeMap;
use std::error::Error as _;
use std::time::Duration;

use cato_runbook_aws::cato_api::CatoAdminApi;
use cato_runbook_aws::http::HttpOptions;
use cato_runbook_aws::pagerduty::PagerDuty;
use cato_runbook_aws::secrecy::SecretString;
use cato_runbook_aws::sendgrid::SendGridMail;
use cato_runbook_aws::slack::Slack;
use cato_runbook_core::ports::{
    Budget, Chat, ChatMessage, Email, Mail, Page, PageSeverity, Pager, TrafficControl,
};
use cato_runbook_core::{Error, IdempotencyKey};
use serde_json::json;
use wiremock::matchers::{any, header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use support::logs;

const ADMIN_TOKEN: &str = "cato-admin-token-7f3a9c";
const ROUTING_KEY: &str = "R0ut1ngKeyOnCall00000000000000aa";
const SLACK_TOKEN: &str = "xoxb-1234-5678-s3cr3tB0tT0k3n";
const SENDGRID_KEY: &str = "SG.s3cr3t-api-key.0123456789";

/// Everything an error shows: Display, Debug, and its sources'.
fn shown(err: &Error) -> String {
    let mut text = format!("{err} {err:?}");
    let mut source = err.source();
    while let Some(s) = source {
        text.push_str(&format!(" {s} {s:?}"));
        source = s.source();
    }
    text
}

fn options() -> HttpOptions {
    HttpOptions::default()
        .with_timeout(Duration::from_secs(2))
        .with_max_attempts(2)
        .with_backoff(Duration::from_millis(1), Duration::from_millis(2))
}

async fn server() -> MockServer {
    let server = MockServer::start().await;
    let bearer = |token: &str| header("authorization", format!("Bearer {token}").as_str());
    Mock::given(method("GET"))
        .and(path("/api/admin/cato/budget/status"))
        .and(bearer(ADMIN_TOKEN))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "mode": "NORMAL", "spent": 1.0, "monthlyLimit": 10.0,
            "nextReset": "2026-04-01T00:00:00Z", "curiosityEnabled": true
        })))
        .mount(&server)
        .await;
    Mock::given(method("PUT"))
        .and(path("/api/admin/cato/budget/config"))
        .and(bearer(ADMIN_TOKEN))
        .respond_with(ResponseTemplate::new(204))
        .mount(&server)
        .await;
    Mock::given(path("/api/admin/cato/traffic/status"))
        .respond_with(ResponseTemplate::new(503))
        .mount(&server)
        .await;
    Mock::given(path("/v2/enqueue"))
        .respond_with(ResponseTemplate::new(202).set_body_json(json!({"status": "success"})))
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&server)
        .await;
    Mock::given(path("/v2/enqueue"))
        .respond_with(ResponseTemplate::new(400).set_body_json(json!({"status": "invalid event"})))
        .with_priority(2)
        .mount(&server)
        .await;
    Mock::given(path("/api/chat.postMessage"))
        .and(bearer(SLACK_TOKEN))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"ok": true, "ts": "1.1"})))
        .with_priority(1)
        .mount(&server)
        .await;
    Mock::given(path("/v3/mail/send"))
        .respond_with(ResponseTemplate::new(202))
        .up_to_n_times(1)
        .with_priority(1)
        .mount(&server)
        .await;
    Mock::given(path("/v3/mail/send"))
        .respond_with(ResponseTemplate::new(500))
        .with_priority(2)
        .mount(&server)
        .await;
    Mock::given(any())
        .respond_with(
            ResponseTemplate::new(200).set_body_json(json!({"ok": false, "error": "invalid_auth"})),
        )
        .with_priority(10)
        .mount(&server)
        .await;
    server
}

#[tokio::test]
async fn secrets_stay_out_of_logs_debug_display_and_errors() {
    let captured = logs::capture_globally();
    let server = server().await;
    let mut seen = String::new();

    // The admin API: a read, a write, a retried 503.
    let api = CatoAdminApi::new(
        reqwest::Client::new(),
        &server.uri(),
        SecretString::from(ADMIN_TOKEN),
    )
    .unwrap()
    .with_options(options());
    seen += &format!("{api} {api:?}");
    api.status().await.unwrap();
    api.set_monthly_limit(12.0, &IdempotencyKey::new("INC-3:raise"))
        .await
        .unwrap();
    seen += &shown(&api.state().await.unwrap_err());

    // PagerDuty: an accepted trigger, then a 400.
    let pager = PagerDuty::new(reqwest::Client::new(), &server.uri())
        .unwrap()
        .with_routing_key("on-call", SecretString::from(ROUTING_KEY))
        .with_options(options());
    seen += &format!("{pager} {pager:?}");
    let page = Page {
        target: "on-call".into(),
        dedup_key: "INC-3".into(),
        summary: "budget exceeded".into(),
        source: "cato-budget".into(),
        component: "budget-exceeded".into(),
        severity: PageSeverity::Error,
        details: BTreeMap::new(),
    };
    pager.trigger(&page).await.unwrap();
    seen += &shown(&pager.resolve("on-call", "INC-3").await.unwrap_err());

    // Slack: a post, and one with a wrong token.
    let slack = Slack::new(
        reqwest::Client::new(),
        &server.uri(),
        SecretString::from(SLACK_TOKEN),
    )
    .unwrap()
    .with_options(options());
    seen += &format!("{slack} {slack:?}");
    let msg = ChatMessage {
        channel: "#cato-incident".into(),
        text: "INC-3 opened".into(),
        thread: None,
        key: None,
    };
    slack.post(&msg).await.unwrap();
    let wrong = Slack::new(
        reqwest::Client::new(),
        &server.uri(),
        SecretString::from("xoxb-wrong"),
    )
    .unwrap();
    seen += &shown(&wrong.post(&msg).await.unwrap_err());

    // SendGrid: a mail, then a retried 500.
    let mail = SendGridMail::new(
        reqwest::Client::new(),
        &server.uri(),
        SecretString::from(SENDGRID_KEY),
        "cato-runbook@company.com",
    )
    .unwrap()
    .with_options(options());
    seen += &format!("{mail} {mail:?}");
    let email = Email {
        to: "aws-support@company.com".into(),
        subject: "INC-3".into(),
        body: "budget exceeded".into(),
    };
    mail.send(&email).await.unwrap();
    seen += &shown(&mail.send(&email).await.unwrap_err());

    let logged = captured.text();
    assert!(logged.contains("retrying"), "the capture works: {logged}");
    for provider in ["cato-admin-api", "pagerduty", "slack", "sendgrid", "hyper"] {
        assert!(
            logged.contains(provider),
            "{provider} logged nothing:\n{logged}"
        );
    }
    for secret in [ADMIN_TOKEN, ROUTING_KEY, SLACK_TOKEN, SENDGRID_KEY] {
        assert!(!logged.contains(secret), "{secret} was logged:\n{logged}");
        assert!(!seen.contains(secret), "{secret} was shown:\n{seen}");
    }
}
