//! A reply whose body is longer than the limit (`HttpOptions::max_body_bytes`, 1 MiB by
//! default) is a `MalformedResponse` naming the operation, not retried and never read whole:
//! with a length the reply is refused before its body is read, without one (chunked) once the
//! limit is passed.

use cato_runbook_aws::cato_api::CatoAdminApi;
use cato_runbook_aws::http::DEFAULT_MAX_BODY_BYTES;
use cato_runbook_aws::pagerduty::PagerDuty;
use cato_runbook_aws::secrecy::SecretString;
use cato_runbook_aws::sendgrid::SendGridMail;
use cato_runbook_aws::slack::Slack;
use cato_runbook_core::ports::{Budget, Chat, ChatMessage, Email, Mail, Pager};
use cato_runbook_core::{Error, ErrorKind, Retry};
use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use wiremock::matchers::any;
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::common::quick;

async fn answering(response: ResponseTemplate) -> MockServer {
    let server = MockServer::start().await;
    Mock::given(any())
        .respond_with(response)
        .mount(&server)
        .await;
    server
}

fn api(base: &str) -> CatoAdminApi {
    CatoAdminApi::new(reqwest::Client::new(), base, SecretString::from("t"))
        .unwrap()
        .with_options(quick())
}

fn status_json(padding: usize) -> serde_json::Value {
    json!({
        "mode": "NORMAL", "spent": 10.0, "monthlyLimit": 1000.0,
        "nextReset": "2026-04-01T00:00:00Z", "curiosityEnabled": true,
        "padding": "x".repeat(padding),
    })
}

fn too_long(err: &Error, operation: &str) {
    assert_eq!(
        (err.kind(), err.retry()),
        (ErrorKind::MalformedResponse, Retry::Permanent),
        "{err}"
    );
    assert_eq!(err.operation(), operation, "{err}");
    assert!(err.message().contains("longer than the limit"), "{err}");
}

#[tokio::test]
async fn a_reply_over_the_default_limit_is_malformed_and_not_retried() {
    let server =
        answering(ResponseTemplate::new(200).set_body_json(status_json(DEFAULT_MAX_BODY_BYTES)))
            .await;
    let err = api(&server.uri()).status().await.unwrap_err();
    too_long(&err, "budget.status");
    assert!(
        err.message()
            .contains(&format!("limit of {DEFAULT_MAX_BODY_BYTES} bytes")),
        "{err}"
    );
    assert_eq!(server.received_requests().await.unwrap().len(), 1);

    // Under the limit, the same reply is read.
    let server = answering(ResponseTemplate::new(200).set_body_json(status_json(1000))).await;
    assert!(api(&server.uri()).status().await.is_ok());
}

#[tokio::test]
async fn every_http_provider_keeps_the_limit() {
    let big = || ResponseTemplate::new(200).set_body_json(status_json(4096));
    let limited = quick().with_max_body_bytes(1024);

    let server = answering(big()).await;
    let slack = Slack::new(
        reqwest::Client::new(),
        &server.uri(),
        SecretString::from("xoxb-t"),
    )
    .unwrap()
    .with_options(limited);
    let message = ChatMessage {
        channel: "#cato-alerts".into(),
        text: "hello".into(),
        thread: None,
        key: None,
    };
    too_long(&slack.post(&message).await.unwrap_err(), "chat.postMessage");

    let server = answering(big()).await;
    let pager = PagerDuty::new(reqwest::Client::new(), &server.uri())
        .unwrap()
        .with_routing_key("on-call", SecretString::from("k".repeat(32)))
        .with_options(limited);
    too_long(
        &pager.resolve("on-call", "INC-1").await.unwrap_err(),
        "pager.resolve",
    );

    let server = answering(big()).await;
    let mail = SendGridMail::new(
        reqwest::Client::new(),
        &server.uri(),
        SecretString::from("SG.key"),
        "cato-runbook@company.com",
    )
    .unwrap()
    .with_options(limited);
    let email = Email {
        to: "aws-support@company.com".into(),
        subject: "SEV1".into(),
        body: "quota".into(),
    };
    too_long(&mail.send(&email).await.unwrap_err(), "mail.send");
}

/// A server that answers every connection with a chunked body of `chunks` chunks of 1 KiB
/// and no length.
async fn chunked_server(chunks: usize) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move {
        while let Ok((mut socket, _)) = listener.accept().await {
            tokio::spawn(async move {
                let mut request = [0u8; 4096];
                let _ = socket.read(&mut request).await;
                let head = "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ntransfer-encoding: chunked\r\n\r\n";
                if socket.write_all(head.as_bytes()).await.is_err() {
                    return;
                }
                let chunk = format!("400\r\n{}\r\n", " ".repeat(1024));
                for _ in 0..chunks {
                    if socket.write_all(chunk.as_bytes()).await.is_err() {
                        return;
                    }
                }
                let _ = socket.write_all(b"0\r\n\r\n").await;
            });
        }
    });
    base
}

#[tokio::test]
async fn a_chunked_reply_without_a_length_is_cut_at_the_limit() {
    let base = chunked_server(64).await;
    let err = api(&base)
        .with_options(quick().with_max_body_bytes(8 * 1024))
        .status()
        .await
        .unwrap_err();
    too_long(&err, "budget.status");
    assert!(err.message().contains("without a length"), "{err}");
}
