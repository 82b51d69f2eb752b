//! Game days: golden postmortems, JSON verdicts, recorded traces replayed.

use std::path::Path;

use super::*;

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
