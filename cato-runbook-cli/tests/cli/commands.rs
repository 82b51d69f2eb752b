//! The runbooks, diagnose, mitigate, completions and clients on the fakes.

use super::*;

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
