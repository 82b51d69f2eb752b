//! `[providers]` sections put real providers in place of the fakes; secrets come from the
//! environment and never show.

#![allow(clippy::unwrap_used)] // A test that cannot set up fails loudly.

use std::path::Path;

use assert_cmd::Command;

const CONFIG: &str = r#"
[providers.redis]
timeout = "2s"
[providers.redis.caches.cato-cache]
url = "redis://127.0.0.1:6390"
password_env = "TEST_REDIS_PASSWORD"

[providers.kubernetes]
max_replicas = 50
deployments = true

[providers.cato_api]
base_url = "https://api.cato.example"
token_env = "TEST_CATO_TOKEN"
max_attempts = 2

[providers.pagerduty]
events_per_minute = 60
[providers.pagerduty.routing_keys_env]
on-call = "TEST_PD_ON_CALL"
vp-engineering = "TEST_PD_VP"

[providers.slack]
token_env = "TEST_SLACK_TOKEN"
timeout = "5s"

[providers.sendgrid]
api_key_env = "TEST_SENDGRID_KEY"
from = "cato-runbook@company.example"
"#;

const KUBECONFIG: &str = r#"
apiVersion: v1
kind: Config
clusters:
- name: test
  cluster:
    server: http://127.0.0.1:6443
contexts:
- name: test
  context:
    cluster: test
    user: test
current-context: test
users:
- name: test
  user:
    token: kube-token-not-shown
"#;

const SECRETS: [(&str, &str); 6] = [
    ("TEST_SENDGRID_KEY", "SG.sendgrid-secret"),
    ("TEST_REDIS_PASSWORD", "redis-pass-9f8e"),
    ("TEST_CATO_TOKEN", "cato-token-1a2b"),
    ("TEST_PD_ON_CALL", "pdkeyoncall00000000000000000000a"),
    ("TEST_PD_VP", "pdkeyvp0000000000000000000000000"),
    ("TEST_SLACK_TOKEN", "xoxb-slack-secret"),
];

fn setup(dir: &Path) -> Command {
    std::fs::write(dir.join("cato.toml"), CONFIG).unwrap();
    std::fs::write(dir.join("kubeconfig"), KUBECONFIG).unwrap();
    let mut cmd = Command::cargo_bin("cato-runbook").unwrap();
    cmd.env_remove("CATO_RUNBOOK_CONFIG")
        .env("KUBECONFIG", dir.join("kubeconfig"))
        .arg("--config")
        .arg(dir.join("cato.toml"));
    for (var, value) in SECRETS {
        cmd.env(var, value);
    }
    cmd
}

#[test]
fn check_lists_the_real_providers_and_shows_no_secret() {
    let dir = tempfile::tempdir().unwrap();
    let out = setup(dir.path())
        .args(["check", "--json", "--offline"])
        .output()
        .unwrap();
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(
        out.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    let ports: Vec<&str> = report["providers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["port"].as_str().unwrap())
        .collect();
    assert_eq!(
        ports,
        [
            "cache-stats",
            "workloads",
            "deployments",
            "budget",
            "traffic",
            "pager",
            "chat",
            "mail"
        ]
    );
    let providers = report["providers"].to_string();
    assert!(
        providers.contains("redis (cato-cache at 127.0.0.1:6390)"),
        "{providers}"
    );
    assert!(
        providers.contains("cato/cato-orchestrator ≤ 50"),
        "{providers}"
    );
    assert!(
        providers.contains("kubernetes deployments (cato/cato-orchestrator)"),
        "{providers}"
    );
    assert!(providers.contains("on-call, vp-engineering"), "{providers}");

    let text = setup(dir.path())
        .args(["check", "--offline"])
        .output()
        .unwrap();
    let shown = format!(
        "{stdout}{}{}",
        String::from_utf8_lossy(&text.stdout),
        String::from_utf8_lossy(&text.stderr)
    );
    assert!(shown.contains("real providers where configured"), "{shown}");
    for (_, secret) in SECRETS {
        assert!(!shown.contains(secret), "{secret} shown:\n{shown}");
    }
    assert!(!shown.contains("kube-token-not-shown"));
}

#[test]
fn a_missing_secret_is_a_usage_error_naming_its_variable() {
    let dir = tempfile::tempdir().unwrap();
    let out = setup(dir.path())
        .env_remove("TEST_SLACK_TOKEN")
        .arg("check")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("[providers.slack]") && stderr.contains("TEST_SLACK_TOKEN"),
        "{stderr}"
    );
}

#[test]
fn an_unknown_provider_key_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("bad.toml"),
        "[providers.slack]\ntoken_env = \"X\"\nwebhook = \"https://hooks.example\"\n",
    )
    .unwrap();
    let out = Command::cargo_bin("cato-runbook")
        .unwrap()
        .env_remove("CATO_RUNBOOK_CONFIG")
        .arg("--config")
        .arg(dir.path().join("bad.toml"))
        .arg("check")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("webhook"));
}
