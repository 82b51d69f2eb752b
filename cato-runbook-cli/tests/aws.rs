//! The command with AWS providers configured: against a real moto server (`[providers.aws]`
//! with an endpoint override and credentials from the environment), and the IAM policy.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::print_stderr
)]

#[path = "aws/against_moto.rs"]
mod against_moto;
#[path = "aws/first_five_minutes.rs"]
mod first_five_minutes;
#[path = "aws/moto_account.rs"]
mod moto_account;
#[path = "aws/preflight.rs"]
mod preflight;
#[path = "aws/through_the_proxy.rs"]
mod through_the_proxy;
#[path = "aws/without_credentials.rs"]
mod without_credentials;
#[path = "aws/without_moto.rs"]
mod without_moto;

use std::path::Path;

use assert_cmd::Command;

fn cmd(config: &Path) -> Command {
    let mut cmd = Command::cargo_bin("cato-runbook").unwrap();
    cmd.env_remove("CATO_RUNBOOK_CONFIG")
        .env_remove("AWS_PROFILE")
        .env_remove("AWS_SESSION_TOKEN")
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
