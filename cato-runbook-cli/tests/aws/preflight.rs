//! `check` reads every configured peer once: a local fake of Slack (`auth.test`), SendGrid
//! (`GET /v3/scopes`) and PagerDuty's Events API, and, when moto runs, STS and SageMaker. Each
//! peer has one line; a failing one names itself and what to do, and the exit code is 5.
//! `--offline` contacts nobody.

use std::net::SocketAddr;
use std::path::Path;

use axum::Router;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::{get, post};
use cato_runbook_mock::peers;
use serde_json::json;

use super::cmd;

const SLACK_TOKEN: &str = "xoxb-good";
const SENDGRID_KEY: &str = "SG.good";

fn bearer(headers: &HeaderMap) -> String {
    headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .trim_start_matches("Bearer ")
        .to_owned()
}

/// Slack's `auth.test`, SendGrid's scopes and a PagerDuty root on one local port, in a thread
/// of its own for the life of the test binary.
fn fake_peers() -> SocketAddr {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.set_nonblocking(true).unwrap();
    let addr = listener.local_addr().unwrap();
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async move {
            let app = Router::new()
                .route(
                    "/api/auth.test",
                    post(|headers: HeaderMap| async move {
                        if bearer(&headers) == SLACK_TOKEN {
                            axum::Json(json!({"ok": true, "team": "Cato", "user": "runbook"}))
                        } else {
                            axum::Json(json!({"ok": false, "error": "invalid_auth"}))
                        }
                    }),
                )
                .route(
                    "/v3/scopes",
                    get(|headers: HeaderMap| async move {
                        if bearer(&headers) == SENDGRID_KEY {
                            (StatusCode::OK, axum::Json(json!({"scopes": ["mail.send"]})))
                        } else {
                            let body = json!({"errors": [{"message": "authorization required"}]});
                            (StatusCode::UNAUTHORIZED, axum::Json(body))
                        }
                    }),
                )
                .route("/", get(|| async { StatusCode::NOT_FOUND }));
            let listener = tokio::net::TcpListener::from_std(listener).unwrap();
            axum::serve(listener, app).await.unwrap();
        });
    });
    addr
}

fn config(dir: &Path, peers: SocketAddr, moto: Option<&str>) -> std::path::PathBuf {
    let url = format!("http://{peers}");
    let mut text = format!(
        "[store]\nkind = \"memory\"\n\
         [providers.slack]\nbase_url = \"{url}\"\ntoken_env = \"TEST_SLACK_TOKEN\"\ntimeout = \"5s\"\n\
         [providers.sendgrid]\nbase_url = \"{url}\"\napi_key_env = \"TEST_SENDGRID_KEY\"\n\
         from = \"cato@example.com\"\ntimeout = \"5s\"\nmax_attempts = 1\n\
         [providers.pagerduty]\nbase_url = \"{url}\"\ntimeout = \"5s\"\n\
         [providers.pagerduty.routing_keys_env]\non-call = \"TEST_PD_KEY\"\n"
    );
    if let Some(moto) = moto {
        text.push_str(&format!(
            "[providers.aws]\nregion = \"us-east-1\"\nendpoint_url = \"{moto}\"\n\
             timeout = \"10s\"\nports = [\"endpoint\"]\n"
        ));
    }
    let path = dir.join("peers.toml");
    std::fs::write(&path, text).unwrap();
    path
}

#[test]
fn check_reads_every_peer_and_a_failing_one_names_itself() {
    let moto = peers::find_or_skip("CATO_TEST_MOTO_URL");
    let dir = tempfile::tempdir().unwrap();
    let path = config(dir.path(), fake_peers(), moto.as_deref());
    let out = cmd(&path)
        .env("TEST_SLACK_TOKEN", SLACK_TOKEN)
        .env("TEST_SENDGRID_KEY", "SG.revoked")
        .env("TEST_PD_KEY", "R0UT1NG")
        .args(["--json", "check"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(5), "{text}{stderr}");
    assert!(stderr.contains("sendgrid"), "{stderr}");
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let peer = |name: &str| {
        report["peers"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["peer"].as_str().is_some_and(|p| p.starts_with(name)))
            .unwrap_or_else(|| panic!("{name}: {text}"))
            .clone()
    };
    assert_eq!(peer("slack")["ok"], true, "{text}");
    assert!(
        peer("slack")["detail"]
            .as_str()
            .unwrap()
            .contains("Cato/runbook")
    );
    assert_eq!(peer("pagerduty")["ok"], true, "{text}");
    assert_eq!(peer("store")["ok"], true, "{text}");
    let sendgrid = peer("sendgrid");
    assert_eq!(sendgrid["ok"], false, "{text}");
    let why = sendgrid["detail"].as_str().unwrap();
    assert!(why.contains("not authenticated"), "{why}");
    assert!(why.contains("TEST_SENDGRID_KEY"), "{why}");
    if moto.is_some() {
        // moto answers STS; it holds no endpoint, so SageMaker's read fails naming it.
        assert_eq!(peer("aws credentials")["ok"], true, "{text}");
        let sagemaker = peer("sagemaker");
        assert_eq!(sagemaker["ok"], false, "{text}");
        assert!(
            sagemaker["detail"].as_str().unwrap().contains("endpoint"),
            "{sagemaker}"
        );
    }

    // The plain text: one line per peer.
    let out = cmd(&path)
        .env("TEST_SLACK_TOKEN", "xoxb-revoked")
        .env("TEST_SENDGRID_KEY", SENDGRID_KEY)
        .env("TEST_PD_KEY", "R0UT1NG")
        .arg("check")
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(5), "{text}");
    assert!(text.contains("slack (auth.test): FAILED"), "{text}");
    assert!(text.contains("TEST_SLACK_TOKEN"), "{text}");
    assert!(text.contains("sendgrid (GET /v3/scopes): ok"), "{text}");
    for secret in ["xoxb-revoked", SENDGRID_KEY, "R0UT1NG"] {
        assert!(!text.contains(secret), "{secret} shown: {text}");
    }
}

#[test]
fn offline_contacts_nobody_and_an_unreachable_peer_names_itself() {
    let dir = tempfile::tempdir().unwrap();
    // Nothing listens on the peers' address.
    let closed = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    let path = config(dir.path(), closed, None);
    let run = |args: &[&str]| {
        cmd(&path)
            .env("TEST_SLACK_TOKEN", SLACK_TOKEN)
            .env("TEST_SENDGRID_KEY", SENDGRID_KEY)
            .env("TEST_PD_KEY", "R0UT1NG")
            .args(args)
            .output()
            .unwrap()
    };
    let out = run(&["check", "--offline"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{text}");
    assert!(text.contains("not contacted (--offline)"), "{text}");

    let out = run(&["check"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(5), "{text}");
    for peer in [
        "slack (auth.test): FAILED",
        "sendgrid (GET /v3/scopes): FAILED",
        "pagerduty (reachability): FAILED",
    ] {
        assert!(text.contains(peer), "{peer}: {text}");
    }
    assert!(text.contains("[providers.slack]"), "{text}");
}
