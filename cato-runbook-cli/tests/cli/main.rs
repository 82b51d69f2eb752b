//! The `cato-runbook` command, run as a process: output, exit codes, bad input; the commands on
//! the fakes in `commands`, game days, their goldens and replays in `game_days`.

#![allow(clippy::unwrap_used)] // A test that cannot set up fails loudly.

#[path = "../support/mod.rs"]
mod support;

use support::{cmd, fails, stdout};

#[test]
fn severity_table_and_json() {
    let text = stdout(cmd().arg("severity"));
    assert!(
        text.contains("| SEV1  | Complete outage, all users affected | 5m"),
        "{text}"
    );
    assert!(
        text.contains("| SEV4  | Cosmetic/minor, no user impact      | 24h"),
        "{text}"
    );
    assert!(
        !text.contains('\u{1b}'),
        "no colour when stdout is not a terminal"
    );
    let json: serde_json::Value =
        serde_json::from_str(&stdout(cmd().args(["severity", "--json"]))).unwrap();
    assert_eq!(json[1]["level"], "SEV2");
    assert_eq!(json[1]["response_time_secs"], 900);
}

#[test]
fn help_teaches() {
    let text = stdout(cmd().arg("--help"));
    for word in [
        "game-day",
        "runbooks",
        "severity",
        "diagnose",
        "mitigate",
        "postmortem",
        "check",
        "Exit codes",
    ] {
        assert!(text.contains(word), "{word} missing from --help:\n{text}");
    }
    let text = stdout(cmd().args(["game-day", "--help"]));
    assert!(
        text.contains("--seed") && text.contains("--out") && text.contains("virtual time"),
        "{text}"
    );
}

#[test]
fn bad_arguments_exit_2() {
    let err = fails(cmd().arg("no-such-command"), 2);
    assert!(err.contains("unrecognized subcommand"), "{err}");
    let err = fails(cmd().args(["game-day", "--seed", "many"]), 2);
    assert!(err.contains("--seed"), "{err}");
    let err = fails(cmd().args(["mitigate", "x", "--dry-run", "--apply"]), 2);
    assert!(err.contains("cannot be used with"), "{err}");
}

#[test]
fn bad_config_names_the_key_and_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("cato.toml");
    std::fs::write(
        &file,
        "[policy]\nmode = \"auto\"\nmax_destructive_per_hour = 3\nkill_everything = true\n",
    )
    .unwrap();
    let err = fails(cmd().arg("check").arg("--config").arg(&file), 2);
    assert!(err.contains("cato.toml:4"), "{err}");
    assert!(err.contains("kill_everything"), "{err}");

    std::fs::write(&file, "[policy]\nmode = \"yolo\"\n").unwrap();
    let err = fails(cmd().arg("check").env("CATO_RUNBOOK_CONFIG", &file), 2);
    assert!(err.contains("cato.toml:2") && err.contains("yolo"), "{err}");

    std::fs::write(
        &file,
        "[policy.prices]\nregion = \"mars-north-1\"\npod_hourly_usd = 0.1\n",
    )
    .unwrap();
    let err = fails(cmd().arg("check").arg("--config").arg(&file), 2);
    assert!(
        err.contains("policy.prices.region") && err.contains("mars-north-1"),
        "{err}"
    );
    std::fs::write(
        &file,
        "[policy.prices]\nsagemaker = { \"ml.g5.xlarge\" = -1.0 }\n",
    )
    .unwrap();
    let err = fails(cmd().arg("check").arg("--config").arg(&file), 2);
    assert!(err.contains("policy.prices.sagemaker"), "{err}");

    // `nan` would turn the cap off without a word.
    std::fs::write(&file, "[policy.caps]\nmax_monthly_spend_usd = nan\n").unwrap();
    let err = fails(cmd().arg("check").arg("--config").arg(&file), 2);
    assert!(
        err.contains("policy.caps.max_monthly_spend_usd") && err.contains("NaN"),
        "{err}"
    );

    // A typo in a step's name would leave its cooldown unapplied without a word.
    std::fs::write(
        &file,
        "[policy.step_cooldowns]\nrestart-endpont = \"30m\"\n",
    )
    .unwrap();
    let err = fails(cmd().arg("check").arg("--config").arg(&file), 2);
    assert!(
        err.contains("cato.toml: policy.step_cooldowns.restart-endpont: unknown ladder step")
            && err.contains("restart-endpoint"),
        "{err}"
    );
    std::fs::write(&file, "[policy.runbook_modes]\nhigh-latncy = \"auto\"\n").unwrap();
    let err = fails(cmd().arg("check").arg("--config").arg(&file), 2);
    assert!(
        err.contains("policy.runbook_modes.high-latncy") && err.contains("high-latency"),
        "{err}"
    );

    // A tick of 0s would spin; a zero lease timeout fails every lease call.
    std::fs::write(&file, "[engine]\ntick_interval = \"0s\"\n").unwrap();
    let err = fails(cmd().arg("check").arg("--config").arg(&file), 2);
    assert!(
        err.contains("cato.toml: engine.tick_interval: must be longer than 0s"),
        "{err}"
    );
    std::fs::write(&file, "[lease]\ntimeout = \"0s\"\n").unwrap();
    let err = fails(cmd().arg("check").arg("--config").arg(&file), 2);
    assert!(err.contains("cato.toml: [lease] timeout"), "{err}");

    std::fs::write(&file, "enabled = [\"no-such-runbook\"]\n").unwrap();
    let err = fails(cmd().arg("check").arg("--config").arg(&file), 2);
    assert!(
        err.contains("`enabled`") && err.contains("no-such-runbook"),
        "{err}"
    );

    let err = fails(
        cmd()
            .arg("check")
            .arg("--config")
            .arg(dir.path().join("missing.toml")),
        2,
    );
    assert!(
        err.contains("missing.toml: cannot read the configuration"),
        "{err}"
    );
}

#[test]
fn a_missing_or_malformed_incident_file() {
    let err = fails(cmd().args(["postmortem", "no/such/incident.json"]), 2);
    assert!(
        err.contains("no/such/incident.json: cannot read the incident"),
        "{err}"
    );
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("inc.json");
    std::fs::write(&file, "{\"id\": 3}").unwrap();
    let err = fails(cmd().arg("postmortem").arg(&file), 2);
    assert!(err.contains("not a saved incident"), "{err}");
}

#[test]
fn a_bad_scenario_names_file_line_and_field() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("bad.toml");
    std::fs::write(&file, "name = \"x\"\nduration = \"10m\"\nrunbooks = [\"shadow-self-down\"]\n\n[[events]]\nat = \"T-1m\"\nchange = \"spend_reaches_limit\"\n").unwrap();
    let err = fails(cmd().arg("game-day").arg(&file), 2);
    assert!(
        err.contains("bad.toml:6:")
            && err.contains("field `at`")
            && err.contains("before the scenario starts"),
        "{err}"
    );
    let err = fails(cmd().args(["game-day", "no/such/scenario.toml"]), 2);
    assert!(err.contains("no such scenario file"), "{err}");
}

#[test]
fn the_readme_configuration_checks_out() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("cato.toml");
    std::fs::write(
        &file,
        "enabled = [\"cache-miss-spike\", \"budget-exceeded\"]\n[policy]\nmode = \"auto\"\n\
         [policy.caps]\nmax_instances = 50\nmax_replicas = 50\n[engine.escalation]\n\
         [runbooks.cache-miss-spike]\nhit_rate_below = 0.6\n[postmortem]\nowner = \"@sre\"\n\
         [providers]\nkind = \"fake\"\n",
    )
    .unwrap();
    let text = stdout(cmd().arg("check").arg("--config").arg(&file));
    assert!(
        text.contains("| cache-miss-spike |") && text.contains("ready"),
        "{text}"
    );
    assert!(
        !text.contains("shadow-self-down"),
        "only the enabled runbooks: {text}"
    );
}

mod commands;
mod game_days;
