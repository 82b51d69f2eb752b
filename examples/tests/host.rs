//! The `host` example against the real test peers: AWS on moto (the SageMaker endpoint,
//! CloudWatch, the DynamoDB store and lease), PagerDuty and Slack on local stand-ins. It starts
//! from one `cato.toml`, says ready after its first tick, takes a declared incident through
//! its API, stops on SIGTERM, and finds the incident again in DynamoDB after a restart.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

use cato_runbook_aws::service::hash_token;
use cato_runbook_mock::peers;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const TOKEN: &str = "host-test-token";

/// The example's binary, built beside this test by `cargo test`.
fn example() -> PathBuf {
    let exe = std::env::current_exe().unwrap();
    let debug = exe.parent().and_then(Path::parent).unwrap();
    debug.join("examples").join("host")
}

struct Host {
    child: Child,
    stdout: BufReader<std::process::ChildStdout>,
    url: String,
}

impl Host {
    fn start(config: &Path) -> Host {
        let binary = example();
        assert!(
            binary.exists(),
            "{} is missing: `cargo test` builds it (with --test alone, build it first: cargo build -p cato-runbook-examples --example host)",
            binary.display()
        );
        let mut child = Command::new(binary)
            .arg(config)
            .envs([
                ("AWS_ACCESS_KEY_ID", "testing"),
                ("AWS_SECRET_ACCESS_KEY", "testing"),
                ("AWS_REGION", "us-east-1"),
                ("AWS_EC2_METADATA_DISABLED", "true"),
                ("TEST_PD_KEY", "routing-key"),
                ("TEST_SLACK_TOKEN", "xoxb-test"),
            ])
            .stdout(Stdio::piped())
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().map(BufReader::new).unwrap();
        let mut host = Host {
            child,
            stdout,
            url: String::new(),
        };
        let mut line = String::new();
        while host.url.is_empty() {
            line.clear();
            let read = host.stdout.read_line(&mut line).unwrap();
            assert!(read > 0, "the host ended before it was ready");
            if let Some(url) = line.trim().strip_prefix("ready: listening on ") {
                host.url = url.to_owned();
            }
        }
        host
    }

    /// `METHOD path` with the token; (status, body).
    fn call(&self, method: &str, path: &str, body: &str) -> (u16, String) {
        let address = self.url.trim_start_matches("http://");
        let mut stream = std::net::TcpStream::connect(address).unwrap();
        write!(
            stream,
            "{method} {path} HTTP/1.0\r\nHost: {address}\r\nAuthorization: Bearer {TOKEN}\r\n\
             Content-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
            body.len()
        )
        .unwrap();
        let mut reply = String::new();
        stream.read_to_string(&mut reply).unwrap();
        let (head, body) = reply.split_once("\r\n\r\n").unwrap();
        let status = head.split(' ').nth(1).unwrap().parse().unwrap();
        (status, body.to_owned())
    }

    fn stop(mut self) -> String {
        let pid = self.child.id().to_string();
        assert!(
            Command::new("kill")
                .args(["-TERM", &pid])
                .status()
                .unwrap()
                .success()
        );
        let mut rest = String::new();
        self.stdout.read_to_string(&mut rest).unwrap();
        assert!(self.child.wait().unwrap().success(), "{rest}");
        rest
    }
}

impl Drop for Host {
    fn drop(&mut self) {
        let _ = self.child.kill();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_host_runs_on_aws_keeps_incidents_in_dynamodb_and_stops_gracefully() {
    let Some(moto) = peers::find_or_skip("CATO_TEST_MOTO_URL") else {
        return;
    };
    let pagerduty = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v2/enqueue"))
        .respond_with(ResponseTemplate::new(202).set_body_json(
            serde_json::json!({"status": "success", "message": "Event processed", "dedup_key": "k"}),
        ))
        .mount(&pagerduty)
        .await;
    let slack = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/api/chat.postMessage"))
        .respond_with(ResponseTemplate::new(200).set_body_json(
            serde_json::json!({"ok": true, "channel": "C1", "ts": "1700000000.000100"}),
        ))
        .mount(&slack)
        .await;
    let dir = tempfile::tempdir().unwrap();
    let table = format!("cato-host-{}", std::process::id());
    let config = dir.path().join("cato.toml");
    std::fs::write(
        &config,
        format!(
            r#"
enabled = ["shadow-self-down"]
[engine]
tick_interval = "1h"
lease_ttl = "3h"
[providers.aws]
region = "us-east-1"
endpoint_url = "{moto}"
ports = ["endpoint", "metrics", "logs"]
[providers.pagerduty]
base_url = "{pd}"
[providers.pagerduty.routing_keys_env]
on-call = "TEST_PD_KEY"
[providers.slack]
base_url = "{slack}"
token_env = "TEST_SLACK_TOKEN"
[store]
kind = "dynamodb"
table = "{table}"
create_table = true
[lease]
kind = "dynamodb"
replica = "host-0"
[service]
listen = "127.0.0.1:0"
[[service.tokens]]
name = "alice"
role = "admin"
sha256 = "{hash}"
"#,
            pd = pagerduty.uri(),
            slack = slack.uri(),
            hash = hash_token(TOKEN),
        ),
    )
    .unwrap();

    let host = tokio::task::spawn_blocking({
        let config = config.clone();
        move || Host::start(&config)
    })
    .await
    .unwrap();
    let (status, status_body) = host.call("GET", "/api/status", "");
    assert_eq!(status, 200, "{status_body}");
    assert!(status_body.contains("\"leader\":true"), "{status_body}");
    let declare = r#"{"runbook": "shadow-self-down", "impact": {"affected_share": 1.0, "complete_outage": true, "user_visible": true}, "source": "user report"}"#;
    let (status, declared) = host.call("POST", "/api/incidents", declare);
    assert_eq!(status, 201, "{declared}");
    let incident: serde_json::Value = serde_json::from_str(&declared).unwrap();
    let id = incident["id"].as_str().unwrap().to_owned();
    assert_eq!(incident["severity"], "SEV1");
    let (status, _) = host.call(
        "POST",
        &format!("/api/incidents/{id}/notes"),
        r#"{"text": "on it"}"#,
    );
    assert_eq!(status, 200);
    let stopped = tokio::task::spawn_blocking(move || host.stop())
        .await
        .unwrap();
    assert!(stopped.contains("stopped after"), "{stopped}");

    // A new process: the incident is read back from DynamoDB.
    let host = tokio::task::spawn_blocking(move || Host::start(&config))
        .await
        .unwrap();
    let (status, shown) = host.call("GET", &format!("/api/incidents/{id}"), "");
    assert_eq!(status, 200, "{shown}");
    assert!(
        shown.contains("on it") && shown.contains("declared by alice (user report)"),
        "{shown}"
    );
    tokio::task::spawn_blocking(move || host.stop())
        .await
        .unwrap();
}
