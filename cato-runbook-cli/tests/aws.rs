//! The command with AWS providers configured: against a real moto server (`[providers.aws]`
//! with an endpoint override and credentials from the environment), and the IAM policy.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::print_stderr)]

use std::path::Path;

use assert_cmd::Command;
use cato_runbook_mock::peers::{self, Peer};

fn moto() -> Option<String> {
    match peers::find("CATO_TEST_MOTO_URL") {
        Peer::Found(url) => Some(url),
        Peer::Missing { reason, required } => {
            assert!(!required, "{reason}");
            eprintln!("skipped: {reason}");
            None
        }
    }
}

fn cmd(config: &Path) -> Command {
    let mut cmd = Command::cargo_bin("cato-runbook").unwrap();
    cmd.env_remove("CATO_RUNBOOK_CONFIG")
        .env_remove("AWS_PROFILE")
        .env("AWS_ACCESS_KEY_ID", "AKIDCLITEST")
        .env("AWS_SECRET_ACCESS_KEY", "secret")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .arg("--config")
        .arg(config);
    cmd
}

fn aws_config(dir: &Path, url: &str) -> std::path::PathBuf {
    let path = dir.join("aws.toml");
    std::fs::write(
        &path,
        format!(
            "[providers.aws]\nregion = \"us-east-1\"\nendpoint_url = \"{url}\"\ntimeout = \"10s\"\n"
        ),
    )
    .unwrap();
    path
}

#[test]
fn diagnose_and_dry_run_against_moto() {
    let Some(url) = moto() else { return };
    let dir = tempfile::tempdir().unwrap();
    let config = aws_config(dir.path(), &url);
    let out = cmd(&config).arg("check").output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{text}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        text.contains(&format!("AWS in us-east-1 at {url}")),
        "{text}"
    );

    let listed = cmd(&config).args(["runbooks", "--json"]).output().unwrap();
    let runbooks: serde_json::Value = serde_json::from_slice(&listed.stdout).unwrap();
    for runbook in runbooks.as_array().unwrap() {
        let id = runbook["id"].as_str().unwrap();
        // moto holds none of the runbook's resources: each diagnosis reaches AWS (moto) and
        // reports what it could not find, and the command still answers.
        let out = cmd(&config)
            .args(["diagnose", id, "--json"])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{id}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let d: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(d["runbook"], id);
        let out = cmd(&config)
            .args(["mitigate", id, "--dry-run"])
            .output()
            .unwrap();
        // Planning reads the resource the step would change; on an empty moto that is a
        // provider failure (3) naming it, never a crash.
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            matches!(out.status.code(), Some(0 | 2 | 3)),
            "{id}: {stderr}"
        );
        if out.status.code() == Some(3) {
            assert!(stderr.contains("failed ("), "{id}: {stderr}");
        }
    }
}

#[test]
fn scenarios_are_for_the_fakes() {
    let dir = tempfile::tempdir().unwrap();
    let config = aws_config(dir.path(), "http://127.0.0.1:9");
    let out = cmd(&config)
        .args([
            "diagnose",
            "shadow-self-down",
            "--scenario",
            "scenarios/x.toml",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--scenario"));
}

#[test]
fn unknown_aws_ports_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bad.toml");
    std::fs::write(
        &path,
        "[providers.aws]\nregion = \"us-east-1\"\nports = [\"workloads\"]\n",
    )
    .unwrap();
    let out = cmd(&path).arg("check").output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no AWS provider for \"workloads\""));
}

#[test]
fn iam_policy_is_an_iam_document() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("empty.toml");
    std::fs::write(&path, "").unwrap();
    let out = cmd(&path).arg("iam-policy").output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let policy: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(policy["Version"], "2012-10-17");
    let expected = cato_runbook_aws::iam::policy_for_runbooks(
        &cato_runbook_core::catalog::entries()
            .iter()
            .collect::<Vec<_>>(),
        cato_runbook_aws::iam::Scope::All,
    );
    assert_eq!(
        policy,
        serde_json::from_str::<serde_json::Value>(&expected.to_json()).unwrap()
    );
    let out = cmd(&path)
        .args(["iam-policy", "--read-only", "--per-runbook"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let per: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(per.is_object());
    let out = cmd(&path)
        .args(["iam-policy", "no-such-runbook"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
}
