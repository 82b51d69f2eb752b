//! CloudWatch Logs: the logs conformance suite on moto; pagination and failures on the wire.

use std::time::Duration;

use cato_runbook_aws::cloudwatch_logs::CloudWatchLogs;
use cato_runbook_core::catalog::PortName;
use cato_runbook_core::ports::{Clock, Logs, SystemClock};
use cato_runbook_core::time;
use cato_runbook_mock::World;
use cato_runbook_mock::conformance::{self, logs::LogsFixture};
use serde_json::json;
use wiremock::matchers::body_partial_json;
use wiremock::{Mock, MockServer};

use crate::aws_support::wire::{self, Protocol};
use crate::aws_support::{self as support, Aws, seed};

#[tokio::test]
async fn conformance_on_moto() {
    let Some(aws) = Aws::start().await else {
        return;
    };
    let now = SystemClock.now();
    let mut f: LogsFixture = World::default().conformance_fixtures().unwrap().logs;
    f.settle = support::settle();
    f.since = time::sub(now, Duration::from_secs(60));
    seed::logs(
        &aws,
        &f.group,
        "conformance",
        &f.events,
        time::sub(now, Duration::from_secs(30)),
    )
    .await;
    let port = CloudWatchLogs::from_client(aws.logs());
    conformance::logs::run_all(&port, &f).await.unwrap();
    let called = support::assert_within_policy(&aws.recorder, PortName::Logs);
    assert_eq!(called.len(), 1);
}

fn event(i: i64, message: &str) -> serde_json::Value {
    json!({ "logStreamName": "s", "timestamp": 1_700_000_000_000_i64 + i, "message": message, "eventId": i.to_string() })
}

#[tokio::test]
async fn pages_are_read_up_to_the_limit() {
    let server = MockServer::start().await;
    Mock::given(body_partial_json(json!({ "nextToken": "page-2" })))
        .respond_with(wire::ok(
            Protocol::Json,
            &json!({ "events": [event(3, "ERROR c")] }),
        ))
        .with_priority(1)
        .mount(&server)
        .await;
    Mock::given(body_partial_json(
        json!({ "logGroupName": "/aws/sagemaker/Endpoints/cato-shadow-self" }),
    ))
    .respond_with(wire::ok(
        Protocol::Json,
        &json!({ "events": [event(2, "ERROR b"), event(1, "ERROR a")], "nextToken": "page-2" }),
    ))
    .with_priority(2)
    .mount(&server)
    .await;
    let sdk = support::sdk_config(&server.uri(), support::test_credentials());
    let port = CloudWatchLogs::new(&sdk);
    let since = chrono::DateTime::from_timestamp(1_700_000_000, 0).unwrap();
    let all = port
        .filter(
            "/aws/sagemaker/Endpoints/cato-shadow-self",
            "ERROR",
            since,
            100,
        )
        .await
        .unwrap();
    let messages: Vec<_> = all.iter().map(|e| e.message.as_str()).collect();
    assert_eq!(messages, ["ERROR a", "ERROR b", "ERROR c"]);
    assert_eq!(server.received_requests().await.unwrap().len(), 2);
    let two = port
        .filter(
            "/aws/sagemaker/Endpoints/cato-shadow-self",
            "ERROR",
            since,
            2,
        )
        .await
        .unwrap();
    assert_eq!(two.len(), 2);
    // The bound stopped at the first page.
    assert_eq!(server.received_requests().await.unwrap().len(), 3);
    let requests = server.received_requests().await.unwrap();
    let first: serde_json::Value = serde_json::from_slice(&requests[0].body).unwrap();
    assert_eq!(first["filterPattern"], "ERROR");
    assert_eq!(first["startTime"], 1_700_000_000_000_i64);
}

#[tokio::test]
async fn failures_map_to_their_class() {
    let since = SystemClock.now();
    wire::failure_classes(
        Protocol::Json,
        (
            400,
            "ResourceNotFoundException",
            "The specified log group does not exist.",
        ),
        "cloudwatch-logs",
        "FilterLogEvents",
        |sdk| async move {
            CloudWatchLogs::new(&sdk)
                .filter("/cato/x", "ERROR", since, 10)
                .await
        },
    )
    .await;
}
