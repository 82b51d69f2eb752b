//! `cato-runbook run` as a real process on a loopback port, on the fakes with an SQLite store:
//! the client subcommands against it (wrong roles, unknown incidents, `--json`), `/metrics`
//! parsed, SIGTERM, a restart that keeps the incident, and the status page in headless
//! Chromium.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "service/browser.rs"]
mod browser;
#[path = "service/process.rs"]
mod process;

use assert_cmd::Command;
use process::{ADMIN, RESPONDER, Running, VIEWER, WEBHOOK_SECRET, post, scrape};

/// A client subcommand against `service` with `token`; (exit code, stdout, stderr).
fn client(service: &Running, token: &str, args: &[&str]) -> (i32, String, String) {
    let out = Command::cargo_bin("cato-runbook")
        .unwrap()
        .env("CATO_RUNBOOK_TOKEN", token)
        .env_remove("CATO_RUNBOOK_CONFIG")
        .arg("--server")
        .arg(&service.url)
        .args(args)
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn ok(service: &Running, token: &str, args: &[&str]) -> String {
    let (code, stdout, stderr) = client(service, token, args);
    assert_eq!(code, 0, "{args:?}: {stdout}{stderr}");
    stdout
}

fn json(service: &Running, token: &str, args: &[&str]) -> serde_json::Value {
    let mut with_json = vec!["--json"];
    with_json.extend_from_slice(args);
    serde_json::from_str(&ok(service, token, &with_json)).unwrap()
}

fn refused(service: &Running, token: &str, args: &[&str], code: i32, says: &str) {
    let (got, stdout, stderr) = client(service, token, args);
    assert_eq!(got, code, "{args:?}: {stdout}{stderr}");
    assert!(
        stderr.contains(says),
        "{args:?}: expected {says:?} in {stderr}"
    );
}

#[test]
fn the_service_runs_is_worked_through_its_commands_and_keeps_incidents_across_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let service = Running::start(dir.path());
    assert!(service.banner.contains("mode: auto"), "{}", service.banner);
    assert!(
        service.banner.contains("store: SQLite"),
        "{}",
        service.banner
    );

    let status = json(&service, VIEWER, &["status"]);
    assert_eq!(
        (status["leader"].as_bool(), status["open"].as_u64()),
        (Some(true), Some(0))
    );
    assert!(ok(&service, VIEWER, &["incidents"]).contains("No open incidents"));

    // Declared by hand: a user report.
    let declared = json(
        &service,
        RESPONDER,
        &[
            "declare",
            "--title",
            "users report blank answers",
            "--share",
            "0.3",
            "--user-visible",
            "--source",
            "user report",
        ],
    );
    let id = declared["id"].as_str().unwrap().to_owned();
    assert_eq!(declared["runbook"], "manual");
    refused(&service, VIEWER, &["ack", &id], 2, "403");
    // Acknowledged in PagerDuty: the webhook, signed; a bad signature first changes nothing.
    let event = serde_json::json!({"event": {"id": "E1", "event_type": "incident.acknowledged",
        "agent": {"summary": "Dana"}, "data": {"id": "Q1", "incident_key": id}}})
    .to_string();
    let signature =
        cato_runbook_aws::service::sign_pagerduty_webhook(WEBHOOK_SECRET, event.as_bytes());
    let forged = cato_runbook_aws::service::sign_pagerduty_webhook("guess", event.as_bytes());
    assert_eq!(
        post(
            &service.url,
            "/webhooks/pagerduty",
            &event,
            &[("X-PagerDuty-Signature", &forged)]
        ),
        401
    );
    assert_eq!(json(&service, VIEWER, &["show", &id])["status"], "detected");
    assert_eq!(
        post(
            &service.url,
            "/webhooks/pagerduty",
            &event,
            &[("X-PagerDuty-Signature", &signature)]
        ),
        204
    );
    let shown = json(&service, VIEWER, &["show", &id]);
    assert_eq!(shown["acknowledged_by"], "Dana (PagerDuty)", "{shown}");
    ok(&service, RESPONDER, &["ack", &id]);
    ok(
        &service,
        RESPONDER,
        &["note", &id, "asked support for examples"],
    );
    refused(
        &service,
        RESPONDER,
        &["approve", &id, "restart-endpoint"],
        2,
        "no approval is pending",
    );
    refused(
        &service,
        RESPONDER,
        &["deny", &id, "restart-endpoint", "--reason", "no"],
        2,
        "no approval is pending",
    );
    refused(&service, RESPONDER, &["show", "INC-nope"], 2, "404");
    refused(&service, "not-a-token", &["incidents"], 2, "401");
    ok(
        &service,
        RESPONDER,
        &["tam", &id, "--reason", "capacity questions"],
    );
    refused(&service, RESPONDER, &["halt", "--reason", "test"], 2, "403");
    assert_eq!(
        json(&service, ADMIN, &["halt", "--reason", "drill"])["halted"],
        true
    );
    assert_eq!(json(&service, ADMIN, &["resume"])["halted"], false);
    let shown = ok(&service, VIEWER, &["show", &id]);
    for expected in [
        "acknowledged",
        "asked support for examples",
        "AWS TAM",
        "automation halted by ada",
        "automation resumed by ada",
    ] {
        assert!(shown.contains(expected), "{expected}: {shown}");
    }

    // What a platform watches.
    let metrics = scrape(&service.url, "/metrics");
    assert!(
        metrics.contains("cato_runbook_ticks_total{role=\"leader\"} 1"),
        "{metrics}"
    );
    assert!(
        metrics.contains("cato_runbook_leader{replica=\"orchestrator-0\"} 1"),
        "{metrics}"
    );
    assert!(metrics.contains("cato_runbook_call_seconds"), "{metrics}");
    assert!(scrape(&service.url, "/readyz").contains("\"ready\":true"));

    // The page, in a real browser.
    browser::shows(&service.url, &id, dir.path());

    // SIGTERM: a graceful stop. The incident, its timeline and its outbox are in the file.
    let stopped = service.stop();
    assert!(stopped.contains("stopped after"), "{stopped}");
    let service = Running::start(dir.path());
    let shown = json(&service, VIEWER, &["show", &id]);
    assert_eq!(shown["status"], "acknowledged", "{shown}");
    assert!(
        shown["timeline"]
            .to_string()
            .contains("asked support for examples")
    );
    assert!(shown["automation"]["outbox"].is_object(), "{shown}");
    ok(
        &service,
        RESPONDER,
        &[
            "resolve",
            &id,
            "--reason",
            "a bad prompt template, rolled back",
        ],
    );
    let closed = json(
        &service,
        RESPONDER,
        &["close", &id, "--postmortem", "https://wiki/pm/42"],
    );
    assert_eq!(closed["status"], "closed");
    assert!(ok(&service, VIEWER, &["incidents"]).contains("No open incidents"));
    service.stop();
}

/// PagerDuty and Slack that cannot be reached: what the engine decided to tell people waits in
/// the incident's outbox, and is still there after a graceful stop and a restart.
#[test]
fn a_restart_keeps_the_outbox_of_deliveries_not_yet_made() {
    let dir = tempfile::tempdir().unwrap();
    let scenario = dir.path().join("down.toml");
    std::fs::write(
        &scenario,
        r#"
name = "down from the start"
duration = "1h"
runbooks = ["shadow-self-down"]
[[events]]
at = "T+0s"
change = "endpoint_loses_instances"
endpoint = "cato-shadow-self"
cause = "crash_loop"
[[expect]]
expect = "incident_opened"
runbook = "shadow-self-down"
severity = "SEV1"
by = "T+1m"
"#,
    )
    .unwrap();
    // Port 9 (discard) on loopback: nothing listens, every delivery is refused.
    let unreachable = r#"
[providers.pagerduty]
base_url = "http://127.0.0.1:9"
max_attempts = 1
timeout = "1s"
[providers.pagerduty.routing_keys_env]
on-call = "TEST_PD_KEY"
[providers.slack]
base_url = "http://127.0.0.1:9"
token_env = "TEST_SLACK_TOKEN"
max_attempts = 1
timeout = "1s"
"#;
    let env = [("TEST_PD_KEY", "pd-key"), ("TEST_SLACK_TOKEN", "xoxb-test")];
    let args = ["--scenario", scenario.to_str().unwrap()];
    let service = Running::start_with(dir.path(), unreachable, &args, &env);
    assert!(
        service.banner.contains("pager: pagerduty"),
        "{}",
        service.banner
    );
    let open = json(&service, VIEWER, &["incidents"]);
    let incident = &open["incidents"][0];
    let id = incident["id"]
        .as_str()
        .expect("the endpoint's incident opened")
        .to_owned();
    let waiting = |incident: &serde_json::Value| {
        incident["automation"]["outbox"]["notices"]
            .as_array()
            .map(|n| {
                n.iter()
                    .map(|n| n["kind"].as_str().unwrap_or("?").to_owned())
                    .collect::<Vec<_>>()
            })
            .unwrap_or_default()
    };
    let before = waiting(incident);
    assert!(
        before.iter().any(|k| k == "page"),
        "the page waits: {incident}"
    );
    service.stop();

    let service = Running::start_with(dir.path(), unreachable, &args, &env);
    let shown = json(&service, VIEWER, &["show", &id]);
    let after = waiting(&shown);
    assert!(
        after.iter().any(|k| k == "page"),
        "the page still waits: {shown}"
    );
    assert!(
        shown["automation"]["outbox"]["notices"][0]["attempts"].as_u64() >= Some(1),
        "{shown}"
    );
    service.stop();
}
