//! The command built on the fakes alone (`--no-default-features`): what needs a real provider
//! parses and is refused with a usage error saying how to get the providers, and a
//! configuration naming a real provider is refused, naming its table. With the providers
//! (the default) these tests are not built.

#![cfg(not(feature = "providers"))]
#![allow(clippy::unwrap_used)] // A test that cannot set up fails loudly.

mod support;

use assert_cmd::Command;
use support::{cmd, fails};

/// Runs `cmd`, expects the usage error's exit code 2 and returns stderr.
fn usage_error(cmd: &mut Command) -> String {
    fails(cmd, 2)
}

#[test]
fn run_and_the_clients_parse_and_are_refused_saying_how_to_get_them() {
    let help = String::from_utf8(cmd().arg("--help").output().unwrap().stdout).unwrap();
    assert!(help.contains("run") && help.contains("incidents"), "{help}");

    let err = usage_error(cmd().args(["run", "--listen", "127.0.0.1:0"]));
    assert!(
        err.contains("`run`") && err.contains("real providers"),
        "{err}"
    );
    assert!(err.contains("cargo install cato-runbook-cli"), "{err}");

    let err = usage_error(cmd().env("CATO_RUNBOOK_TOKEN", "t").args([
        "--server",
        "http://127.0.0.1:9",
        "incidents",
    ]));
    assert!(
        err.contains("operator API") && err.contains("providers"),
        "{err}"
    );

    // A bad flag is still clap's usage error, as in the full build.
    let err = usage_error(cmd().args(["ack"]));
    assert!(err.contains("ID"), "{err}");
}

#[test]
fn a_configuration_naming_a_real_provider_is_refused_naming_the_table() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("cato.toml");
    std::fs::write(
        &file,
        "[providers.aws]\nregion = \"us-east-1\"\n[providers.slack]\ntoken_env = \"SLACK\"\n",
    )
    .unwrap();
    for args in [
        &["check"][..],
        &["diagnose", "shadow-self-down"],
        &["mitigate", "high-latency"],
    ] {
        let err = usage_error(cmd().arg("--config").arg(&file).args(args));
        assert!(
            err.contains("[providers.slack], [providers.aws]") && err.contains("cato.toml"),
            "{args:?}: {err}"
        );
        assert!(err.contains("without the `providers` feature"), "{err}");
    }
    // A schema error is still named by key and line, without any provider built.
    std::fs::write(&file, "[providers.aws]\nregoin = \"us-east-1\"\n").unwrap();
    let err = usage_error(cmd().arg("--config").arg(&file).arg("check"));
    assert!(
        err.contains("cato.toml:2") && err.contains("regoin"),
        "{err}"
    );
}

#[test]
fn the_fakes_build_checks_diagnoses_and_plays_a_game_day() {
    let text = String::from_utf8(cmd().arg("check").output().unwrap().stdout).unwrap();
    assert!(text.contains("configuration ok"), "{text}");
    assert!(
        text.contains("the live checks need the provider build"),
        "{text}"
    );
    let out = cmd()
        .args([
            "game-day",
            "--quiet",
            "scenarios/shadow-self-down--restart-works.toml",
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = cmd().args(["iam-policy", "--read-only"]).output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}
