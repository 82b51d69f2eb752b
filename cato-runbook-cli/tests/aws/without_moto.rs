//! Without moto: scenarios are for the fakes, unknown AWS ports are refused, and the IAM policy.

use super::{aws_config, cmd};

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

#[test]
fn iam_policy_adds_the_state_a_service_keeps_in_dynamodb() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("cato.toml");
    std::fs::write(
        &config,
        "[store]\nkind = \"dynamodb\"\ncreate_table = true\n[lease]\nkind = \"dynamodb\"\n",
    )
    .unwrap();
    let out = cmd(&config)
        .args(["iam-policy", "shadow-self-down"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let policy: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let sids: Vec<&str> = policy["Statement"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["Sid"].as_str().unwrap())
        .collect();
    for sid in [
        "CatoRunbookIncidentStore",
        "CatoRunbookLease",
        "CatoRunbookTableSetup",
    ] {
        assert!(sids.contains(&sid), "{sid}: {sids:?}");
    }
    assert!(policy.to_string().contains("dynamodb:TransactWriteItems"));
    // A read-only look keeps no state.
    let out = cmd(&config)
        .args(["iam-policy", "shadow-self-down", "--read-only"])
        .output()
        .unwrap();
    assert!(!String::from_utf8_lossy(&out.stdout).contains("TransactWriteItems"));
}
