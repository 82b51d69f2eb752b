//! The SendGrid mail provider.

use std::time::Duration;

use cato_runbook_aws::secrecy::SecretString;
use cato_runbook_aws::sendgrid::SendGridMail;
use cato_runbook_core::ports::{Email, Mail};
use cato_runbook_core::{ErrorKind, Retry};
use cato_runbook_mock::conformance::mail;
use serde_json::json;
use wiremock::matchers::{header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::common::{bodies, quick};

const KEY: &str = "SG.test-api-key.0123456789";

async fn sendgrid(response: ResponseTemplate) -> (MockServer, SendGridMail) {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v3/mail/send"))
        .and(header("authorization", format!("Bearer {KEY}").as_str()))
        .respond_with(response)
        .mount(&server)
        .await;
    let mail = SendGridMail::new(
        reqwest::Client::new(),
        &server.uri(),
        SecretString::from(KEY),
        "cato-runbook@company.com",
    )
    .unwrap()
    .with_options(quick());
    (server, mail)
}

fn tam() -> Email {
    Email {
        to: "aws-support@company.com".into(),
        subject: "SEV1 INC-42: Bedrock throttling, quota increase needed".into(),
        body: "Service quota L-XXXXXXXX for bedrock: asking 10000.".into(),
    }
}

#[tokio::test]
async fn mail_conformance() {
    let (_server, mail) = sendgrid(ResponseTemplate::new(202)).await;
    let fixture = mail::MailFixture {
        to: "aws-support@company.com".into(),
    };
    mail::run_all(&mail, &fixture).await.unwrap();
}

#[tokio::test]
async fn a_message_is_one_plain_text_mail_from_the_sender() {
    let (server, mail) = sendgrid(ResponseTemplate::new(202)).await;
    mail.send(&tam()).await.unwrap();
    assert_eq!(
        bodies(&server).await,
        [json!({
            "personalizations": [{"to": [{"email": "aws-support@company.com"}]}],
            "from": {"email": "cato-runbook@company.com"},
            "subject": "SEV1 INC-42: Bedrock throttling, quota increase needed",
            "content": [{"type": "text/plain", "value": "Service quota L-XXXXXXXX for bedrock: asking 10000."}],
        })]
    );
}

#[tokio::test]
async fn failures_map_and_only_passing_ones_are_retried() {
    for (code, kind, retry, tries) in [
        (400, ErrorKind::InvalidInput, Retry::Permanent, 1),
        (401, ErrorKind::Unauthenticated, Retry::Permanent, 1),
        (413, ErrorKind::InvalidInput, Retry::Permanent, 1),
        (429, ErrorKind::Throttled, Retry::Throttled, 3),
        (500, ErrorKind::Unavailable, Retry::Transient, 3),
    ] {
        let (server, mail) = sendgrid(
            ResponseTemplate::new(code)
                .set_body_json(json!({"errors": [{"message": "rejected", "field": null}]})),
        )
        .await;
        let err = mail.send(&tam()).await.unwrap_err();
        assert_eq!((err.kind(), err.retry()), (kind, retry), "{code}: {err}");
        assert_eq!(err.resource(), Some("aws-support@company.com"));
        assert_eq!(
            server.received_requests().await.unwrap().len(),
            tries,
            "{code}"
        );
    }
}

#[tokio::test]
async fn a_slow_api_times_out() {
    let (_server, mail) =
        sendgrid(ResponseTemplate::new(202).set_delay(Duration::from_secs(10))).await;
    let err = mail
        .with_options(
            quick()
                .with_timeout(Duration::from_millis(100))
                .with_max_attempts(1),
        )
        .send(&tam())
        .await
        .unwrap_err();
    assert_eq!(
        (err.kind(), err.retry()),
        (ErrorKind::DeliveryUnknown, Retry::Permanent)
    );
}

#[tokio::test]
async fn a_mail_whose_answer_is_lost_is_not_sent_again() {
    let (server, mail) =
        sendgrid(ResponseTemplate::new(202).set_delay(Duration::from_secs(10))).await;
    let err = mail
        .with_options(quick().with_timeout(Duration::from_millis(100)))
        .send(&tam())
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::DeliveryUnknown, "{err}");
    assert_eq!(server.received_requests().await.unwrap().len(), 1);
}

#[tokio::test]
async fn bad_messages_and_senders_are_refused_before_any_request() {
    let (server, mail) = sendgrid(ResponseTemplate::new(202)).await;
    let mut empty = tam();
    empty.body = " ".into();
    assert_eq!(
        mail.send(&empty).await.unwrap_err().kind(),
        ErrorKind::InvalidInput
    );
    assert!(server.received_requests().await.unwrap().is_empty());
    let err = SendGridMail::new(
        reqwest::Client::new(),
        &server.uri(),
        SecretString::from(KEY),
        "cato",
    )
    .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidInput);
}
