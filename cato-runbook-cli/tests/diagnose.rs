//! `cato-runbook diagnose` with no runbook or `--all`: every enabled runbook, at once, on the
//! fakes.

#![allow(clippy::unwrap_used, clippy::panic)] // A test that cannot set up fails loudly.

use std::process::Output;

mod support;

use support::cmd;

const RUNBOOKS: [&str; 6] = [
    "shadow-self-down",
    "high-latency",
    "cache-miss-spike",
    "budget-exceeded",
    "bedrock-throttling",
    "dynamodb-hot-partition",
];

fn run(args: &[&str]) -> Output {
    cmd().args(args).output().unwrap()
}

fn stdout(args: &[&str]) -> String {
    support::stdout(cmd().args(args))
}

/// Where each runbook's section starts in `text`: its heading `ID on RESOURCE`.
fn sections(text: &str) -> Vec<usize> {
    RUNBOOKS
        .iter()
        .map(|id| {
            text.find(&format!("{id} on "))
                .unwrap_or_else(|| panic!("no section for {id}:\n{text}"))
        })
        .collect()
}

#[test]
fn diagnose_all_prints_every_runbook_in_the_catalogs_order() {
    let text = stdout(&["diagnose", "--all"]);
    let at = sections(&text);
    assert!(at.windows(2).all(|w| w[0] < w[1]), "{at:?}:\n{text}");
    assert!(
        text.contains("cato-shadow-self") && text.contains("endpoint-status"),
        "{text}"
    );
    assert!(!text.contains("diagnosis failed"), "{text}");

    let bare = stdout(&["diagnose"]);
    assert_eq!(sections(&bare).len(), 6, "no runbook is --all:\n{bare}");
}

#[test]
fn diagnose_all_as_json_is_an_array_of_diagnoses() {
    let json: serde_json::Value =
        serde_json::from_str(&stdout(&["--json", "diagnose", "--all"])).unwrap();
    let ids: Vec<&str> = json
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["runbook"].as_str().unwrap())
        .collect();
    assert_eq!(ids, RUNBOOKS);
    for d in json.as_array().unwrap() {
        assert!(d["resource"].is_string(), "{d}");
        assert!(!d["findings"].as_array().unwrap().is_empty(), "{d}");
        assert!(
            d["root_causes"].is_array() && d["failures"].is_array(),
            "{d}"
        );
    }

    let one: serde_json::Value =
        serde_json::from_str(&stdout(&["--json", "diagnose", "high-latency"])).unwrap();
    assert_eq!(one["runbook"], "high-latency", "one runbook is one object");
}

#[test]
fn diagnose_all_on_a_scenario_and_the_usage_errors() {
    let text = stdout(&[
        "diagnose",
        "--scenario",
        "scenarios/shadow-self-down--restart-works.toml",
        "--at",
        "5m",
    ]);
    assert_eq!(sections(&text).len(), 6, "{text}");
    assert!(text.contains("Likely root causes"), "{text}");

    for args in [
        &["diagnose", "--all", "--resource", "cato-shadow-self"][..],
        &["diagnose", "--resource", "cato-shadow-self"],
        &["diagnose", "--all", "high-latency"],
    ] {
        let out = run(args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
    }
    let out = run(&["--json", "diagnose", "--resource", "cato-shadow-self"]);
    let err: serde_json::Value = serde_json::from_slice(&out.stderr).unwrap();
    assert!(
        err["error"]["message"]
            .as_str()
            .unwrap()
            .contains("--resource"),
        "{err}"
    );
}
