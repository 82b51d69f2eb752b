//! The `cato-runbook` command, run as a process: output, exit codes, bad input.

#![allow(clippy::unwrap_used)] // A test that cannot set up fails loudly.

use std::path::Path;

use assert_cmd::Command;

fn cmd() -> Command {
    let mut cmd = Command::cargo_bin("cato-runbook").unwrap();
    cmd.env_remove("CATO_RUNBOOK_CONFIG");
    cmd.current_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join(".."));
    cmd
}

fn stdout(cmd: &mut Command) -> String {
    let out = cmd.output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

fn fails(cmd: &mut Command, code: i32) -> String {
    let out = cmd.output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(code),
        "stdout: {}",
        String::from_utf8_lossy(&out.stdout)
    );
    String::from_utf8(out.stderr).unwrap()
}

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

/// Whether to rewrite the golden files: only with `UPDATE_GOLDEN=1` (not `0`, not empty), and
/// never under `CATO_TEST_PEERS=require` (CI, `scripts/test.sh`), where goldens are compared.
fn update_golden() -> bool {
    let asked = std::env::var("UPDATE_GOLDEN").is_ok_and(|v| v == "1");
    let strict = std::env::var(cato_runbook_mock::peers::REQUIRE_VAR).is_ok_and(|v| v == "require");
    assert!(
        !(asked && strict),
        "UPDATE_GOLDEN=1 under CATO_TEST_PEERS=require: goldens are compared there, never \
         rewritten; update them with `UPDATE_GOLDEN=1 cargo test` alone"
    );
    asked
}

/// One scenario per runbook; its postmortems are compared byte for byte with `tests/golden/`
/// (set `UPDATE_GOLDEN=1` to rewrite them after a deliberate change).
const GOLDEN_SCENARIOS: [&str; 6] = [
    "shadow-self-down--rollback",
    "high-latency--scale-up",
    "cache-miss-spike--undersized-approved",
    "budget-exceeded--denied-wait-for-reset",
    "bedrock-throttling--quota-denied",
    "dynamodb-hot-partition--on-demand",
];

#[test]
fn game_day_writes_golden_postmortems_for_every_runbook() {
    let out = tempfile::tempdir().unwrap();
    let mut command = cmd();
    command
        .args(["game-day", "--quiet", "--out"])
        .arg(out.path());
    for name in GOLDEN_SCENARIOS {
        command.arg(format!("scenarios/{name}.toml"));
    }
    let text = stdout(&mut command);
    assert!(text.contains("game day: 6 passed, 0 failed"), "{text}");

    let golden_dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden");
    let mut written: Vec<_> = std::fs::read_dir(out.path())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "md"))
        .collect();
    written.sort();
    assert!(written.len() >= 6, "{written:?}");
    for name in GOLDEN_SCENARIOS {
        assert!(
            written
                .iter()
                .any(|p| p.file_name().unwrap().to_string_lossy().starts_with(name)),
            "no postmortem for {name}"
        );
    }
    for path in written {
        let text = std::fs::read_to_string(&path).unwrap();
        let golden = golden_dir.join(path.file_name().unwrap());
        if update_golden() {
            std::fs::write(&golden, &text).unwrap();
        }
        let expected = std::fs::read_to_string(&golden).unwrap_or_else(|e| {
            panic!(
                "{}: {e}; run with UPDATE_GOLDEN=1 to create it",
                golden.display()
            )
        });
        assert_eq!(
            text,
            expected,
            "{} differs from its golden file",
            golden.display()
        );

        // The saved incident renders the same postmortem through `cato-runbook postmortem`.
        let rendered = stdout(cmd().arg("postmortem").arg(path.with_extension("json")));
        assert_eq!(rendered.trim_end(), text.trim_end(), "{}", path.display());
    }
}

#[test]
fn game_day_json_and_a_failed_verdict() {
    let out = stdout(cmd().args([
        "game-day",
        "--json",
        "scenarios/high-latency--scale-up.toml",
    ]));
    let json: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(json[0]["passed"], true);
    assert!(json[0]["timeline"].as_array().unwrap().len() > 5);

    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("impossible.toml");
    std::fs::write(
        &file,
        "name = \"expects a page that never comes\"\nduration = \"10m\"\nrunbooks = [\"budget-exceeded\"]\n\
         [[expect]]\nexpect = \"pages\"\ncount = 3\n",
    )
    .unwrap();
    let out = cmd().arg("game-day").arg(&file).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains("FAIL 3 page(s)") && text.contains("game day: 0 passed, 1 failed"),
        "{text}"
    );
}

#[test]
fn a_scenario_that_expects_nothing_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("expects-nothing.toml");
    std::fs::write(
        &file,
        "name = \"passes whatever happens\"\nduration = \"10m\"\nrunbooks = [\"budget-exceeded\"]\n",
    )
    .unwrap();
    let err = fails(cmd().arg("game-day").arg(&file), 2);
    assert!(
        err.contains("expects-nothing.toml") && err.contains("no [[expect]]"),
        "{err}"
    );
}

#[test]
fn runbooks_diagnose_and_mitigate_on_the_fakes() {
    let text = stdout(cmd().arg("runbooks"));
    for id in [
        "shadow-self-down",
        "high-latency",
        "cache-miss-spike",
        "budget-exceeded",
        "bedrock-throttling",
        "dynamodb-hot-partition",
    ] {
        assert!(text.contains(id), "{id} missing:\n{text}");
    }
    assert!(
        text.contains("restart-endpoint → rollback-endpoint-config"),
        "{text}"
    );

    let text = stdout(cmd().args([
        "diagnose",
        "shadow-self-down",
        "--scenario",
        "scenarios/shadow-self-down--restart-works.toml",
        "--at",
        "5m",
    ]));
    assert!(
        text.contains("endpoint-status") && text.contains("Likely root causes"),
        "{text}"
    );

    let text = stdout(cmd().args([
        "mitigate",
        "shadow-self-down",
        "--dry-run",
        "--scenario",
        "scenarios/shadow-self-down--restart-works.toml",
    ]));
    assert!(
        text.contains("Plan (dry run: nothing changed)") && text.contains("restart-endpoint"),
        "{text}"
    );
    assert!(text.contains("→"), "before → after: {text}");

    let err = fails(
        cmd().args([
            "mitigate",
            "budget-exceeded",
            "--apply",
            "--step",
            "raise-monthly-limit",
        ]),
        2,
    );
    assert!(
        err.contains("mitigate only plans") && err.contains("cato-runbook declare"),
        "{err}"
    );
    let err = fails(cmd().args(["diagnose", "no-such-runbook"]), 2);
    assert!(err.contains("unknown runbook"), "{err}");
}

#[test]
fn completions_a_man_page_and_errors_as_json() {
    let bash = stdout(cmd().args(["completions", "bash"]));
    assert!(
        bash.contains("cato-runbook") && bash.contains("declare"),
        "{bash}"
    );
    let man = stdout(cmd().arg("man"));
    assert!(man.contains(".TH") && man.contains("run"), "{man}");

    let out = cmd()
        .args(["--json", "diagnose", "no-such-runbook"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err: serde_json::Value = serde_json::from_slice(&out.stderr).unwrap();
    assert_eq!(err["error"]["exit_code"], 2);
    assert!(
        err["error"]["message"]
            .as_str()
            .unwrap()
            .contains("unknown runbook")
    );

    // Logs: -v and --log-level reach stderr; the default is quiet.
    let quiet = cmd()
        .args([
            "game-day",
            "--quiet",
            "scenarios/shadow-self-down--restart-works.toml",
        ])
        .output()
        .unwrap();
    assert!(!String::from_utf8_lossy(&quiet.stderr).contains(" INFO "));
    let loud = cmd()
        .args([
            "--log-level",
            "info",
            "game-day",
            "--quiet",
            "scenarios/shadow-self-down--restart-works.toml",
        ])
        .output()
        .unwrap();
    assert!(
        String::from_utf8_lossy(&loud.stderr).contains("INFO"),
        "{}",
        String::from_utf8_lossy(&loud.stderr)
    );
}

#[cfg(feature = "providers")]
#[test]
fn a_client_names_its_token_variable_and_the_missing_service() {
    // A client with no token says which variable it reads.
    let out = cmd()
        .env_remove("CATO_RUNBOOK_TOKEN")
        .args(["--server", "http://127.0.0.1:9", "incidents"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("CATO_RUNBOOK_TOKEN"));
    // A service that is not there is a runtime failure naming where it was looked for.
    let out = cmd()
        .env("CATO_RUNBOOK_TOKEN", "t")
        .args(["--server", "http://127.0.0.1:9", "incidents"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3));
    assert!(String::from_utf8_lossy(&out.stderr).contains("127.0.0.1:9"));
}

#[test]
fn a_recorded_game_day_replays_and_becomes_a_scenario_a_changed_runbook_fails() {
    let dir = std::env::temp_dir().join(format!("cato-cli-replay-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let traces = dir.join("traces");
    stdout(
        cmd()
            .args(["game-day", "--quiet", "--record"])
            .arg(&traces)
            .arg("scenarios/shadow-self-down--restart-works.toml"),
    );
    let trace = traces.join("shadow-self-down--restart-works.jsonl");
    let scenario = dir.join("replay.toml");
    let shown = stdout(
        cmd()
            .arg("replay")
            .arg(&trace)
            .arg("--to-scenario")
            .arg(&scenario),
    );
    assert!(
        shown.contains("shadow-self-down opened at T+1m30s as SEV1"),
        "{shown}"
    );
    assert!(
        shown.contains("T+1m30s mitigation_applied restart-endpoint"),
        "{shown}"
    );
    assert!(
        shown.contains("every call answered from the trace"),
        "{shown}"
    );
    let written = std::fs::read_to_string(&scenario).unwrap();
    assert!(written.contains("trace = \"traces/shadow-self-down--restart-works.jsonl\""));
    stdout(cmd().args(["game-day", "--quiet"]).arg(&scenario));

    // The restart verified later than it was: the replay's scenario fails, saying where.
    let config = dir.join("cato.toml");
    std::fs::write(
        &config,
        "[runbooks.shadow-self-down]\nrestart_verify_after = \"30m\"\n",
    )
    .unwrap();
    let out = cmd()
        .arg("--config")
        .arg(&config)
        .args(["game-day", "--quiet"])
        .arg(&scenario)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("FAIL shadow-self-down resolved by T+14m"),
        "{text}"
    );
    // The replay itself shows the other decisions.
    let shown = stdout(cmd().arg("--config").arg(&config).arg("replay").arg(&trace));
    assert!(
        shown.contains("T+31m30s verification_failed restart-endpoint"),
        "{shown}"
    );
    assert!(!shown.contains("resolved at T+14m"), "{shown}");
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn a_replay_does_the_recorded_denial_and_approval_again() {
    let shown = stdout(
        cmd()
            .arg("replay")
            .arg("scenarios/traces/shadow-self-down--restart-denied.jsonl"),
    );
    assert!(
        shown.contains("mitigation_applied rollback-endpoint-config"),
        "{shown}"
    );
    assert!(
        !shown.contains("mitigation_applied restart-endpoint"),
        "{shown}"
    );
    assert!(
        shown.contains("every call answered from the trace"),
        "{shown}"
    );
}
