//! `[providers.deployments]` and `[providers.health]`: what `check` says, what `iam-policy`
//! adds, and bad values named by their key.

use super::cmd;

fn config(dir: &std::path::Path, extra: &str) -> std::path::PathBuf {
    let path = dir.join("cato.toml");
    std::fs::write(
        &path,
        format!(
            "[providers.aws]\nregion = \"us-east-1\"\nendpoint_url = \"http://127.0.0.1:9\"\n{extra}"
        ),
    )
    .unwrap();
    path
}

const SOURCES: &str = "[providers.deployments]\n[providers.health]\nregions = [\"us-east-1\"]\n";

#[test]
fn check_says_which_sources_are_configured() {
    let dir = tempfile::tempdir().unwrap();
    let path = config(dir.path(), SOURCES);
    let out = cmd(&path)
        .args(["--json", "check", "--offline"])
        .output()
        .unwrap();
    let report: serde_json::Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stderr)));
    let providers = report["providers"].as_array().unwrap();
    let row = |port: &str| {
        providers
            .iter()
            .find(|p| p["port"] == port)
            .map(|p| p["provider"].as_str().unwrap().to_owned())
    };
    // The Shadow Self endpoint of the runbooks, once.
    assert_eq!(
        row("deployments").as_deref(),
        Some("sagemaker endpoint configs (cato-shadow-self)"),
        "{report}"
    );
    assert_eq!(
        row("health").as_deref(),
        Some("aws-health (us-east-1)"),
        "{report}"
    );

    let out = cmd(&path).args(["check", "--offline"]).output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("sagemaker endpoint configs (cato-shadow-self)"),
        "{text}"
    );

    // Without the tables, no such rows.
    let plain = config(dir.path(), "");
    let out = cmd(&plain)
        .args(["--json", "check", "--offline"])
        .output()
        .unwrap();
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(
        !report["providers"].to_string().contains("deployments"),
        "{report}"
    );
}

#[test]
fn iam_policy_adds_the_configured_sources_reads() {
    let dir = tempfile::tempdir().unwrap();
    let path = config(
        dir.path(),
        "[providers.deployments]\nsagemaker_endpoints = [\"cato-shadow-self\", \"cato-canary\"]\n[providers.health]\n",
    );
    for args in [vec!["iam-policy"], vec!["iam-policy", "--read-only"]] {
        let out = cmd(&path).args(&args).output().unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let policy: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        let statement = |sid: &str| {
            policy["Statement"]
                .as_array()
                .unwrap()
                .iter()
                .find(|s| s["Sid"] == sid)
                .map(|s| s["Action"].clone())
        };
        assert_eq!(
            statement("CatoRunbookDeployments"),
            Some(serde_json::json!([
                "sagemaker:DescribeEndpoint",
                "sagemaker:ListEndpointConfigs"
            ])),
            "{policy}"
        );
        assert_eq!(
            statement("CatoRunbookHealth"),
            Some(serde_json::json!([
                "health:DescribeAffectedEntities",
                "health:DescribeEvents"
            ])),
            "{policy}"
        );
    }
    // Disabled, and no SageMaker endpoint: neither.
    let off = config(
        dir.path(),
        "[providers.deployments]\nsagemaker_endpoints = []\n[providers.health]\nenabled = false\n",
    );
    let out = cmd(&off).arg("iam-policy").output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(!text.contains("CatoRunbookDeployments"), "{text}");
    assert!(!text.contains("health:"), "{text}");
}

#[test]
fn bad_values_are_named_by_their_key() {
    let dir = tempfile::tempdir().unwrap();
    for (extra, key) in [
        (
            "[providers.deployments]\nsagemaker_endpoints = [\"cato-shadow-self\", \"-bad_name\"]\n",
            "[providers.deployments] sagemaker_endpoints[1]",
        ),
        (
            "[providers.health]\nregion = \"nowhere\"\n",
            "[providers.health] region",
        ),
        (
            "[providers.health]\nservices = [\"SAGE MAKER\"]\n",
            "[providers.health] services[0]",
        ),
        (
            "[providers.health]\nregions = [\"us-east-1\", \"\"]\n",
            "[providers.health] regions[1]",
        ),
        (
            "[providers.deployments]\ntimeout = \"0s\"\n",
            "[providers.deployments] timeout",
        ),
        (
            "[providers.health]\nplan = \"business\"\n",
            "unknown field `plan`",
        ),
    ] {
        let path = config(dir.path(), extra);
        let out = cmd(&path).arg("check").output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{extra}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains(key), "{extra}: {stderr}");
    }
}
