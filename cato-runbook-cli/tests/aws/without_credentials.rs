//! No AWS credentials anywhere: every call says the credential chain found none and what to
//! set — a person must act — never that AWS could not be reached. Nothing reaches the network:
//! the chain fails before a request is signed, and the endpoint is a closed local port anyway.

use std::path::Path;

use assert_cmd::Command;

use super::aws_config;

/// The command with an empty environment: no credentials, no profile, empty shared files, no
/// instance metadata.
fn bare(dir: &Path, config: &Path) -> Command {
    let home = dir.join("home");
    std::fs::create_dir_all(&home).unwrap();
    let (aws_config_file, credentials_file) = (dir.join("aws-config"), dir.join("credentials"));
    std::fs::write(&aws_config_file, "").unwrap();
    std::fs::write(&credentials_file, "").unwrap();
    let mut cmd = Command::cargo_bin("cato-runbook").unwrap();
    cmd.env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", &home)
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("AWS_CONFIG_FILE", &aws_config_file)
        .env("AWS_SHARED_CREDENTIALS_FILE", &credentials_file)
        .arg("--config")
        .arg(config);
    cmd
}

#[test]
fn diagnose_without_credentials_names_the_chain() {
    let dir = tempfile::tempdir().unwrap();
    let config = aws_config(dir.path(), "http://127.0.0.1:9");
    let out = bare(dir.path(), &config)
        .args(["diagnose", "shadow-self-down", "--json"])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    let text = format!("{stdout}{stderr}");
    let diagnosed: serde_json::Value =
        serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {text}"));
    let failures = diagnosed["failures"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert!(!failures.is_empty(), "{text}");
    for failure in &failures {
        let failure = failure.to_string();
        assert!(failure.contains("not authenticated"), "{failure}");
    }
    for named in [
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
        "AWS_PROFILE",
        "~/.aws/credentials",
        "aws sso login",
        "AWS_WEB_IDENTITY_TOKEN_FILE",
        "EC2 instance metadata",
    ] {
        assert!(text.contains(named), "{named}: {text}");
    }
    assert!(!text.contains("unavailable"), "{text}");
    assert!(!text.contains("could not be reached"), "{text}");
}
