//! The game-day runner over a test-double runbook, and bad scenario files.

#![allow(clippy::unwrap_used)] // A test that cannot set up fails loudly.

mod doubles;
mod files;
mod recording;
mod replay;
mod replay_operator;

use cato_runbook_mock::gameday::{GameDay, Scenario};

const RESTART: &str = r#"
name = "endpoint loses its instances; a restart brings them back"
duration = "40m"
runbooks = ["endpoint"]

[[events]]
at = "T+1m"
change = "endpoint_loses_instances"
endpoint = "cato-shadow-self"

[[expect]]
expect = "incident_opened"
runbook = "endpoint"
severity = "SEV1"
by = "T+3m"

[[expect]]
expect = "steps_applied"
runbook = "endpoint"
steps = ["restart-endpoint"]

[[expect]]
expect = "calls"
op = "endpoint.update_config"
count = 1

[[expect]]
expect = "pages"
count = 1
target = "on-call"

[[expect]]
expect = "resolved"
runbook = "endpoint"
by = "T+25m"

[[expect]]
expect = "root_cause"
runbook = "endpoint"
cause = "crash loop"
"#;

/// The endpoint loses its instances at T+0 and its current config is broken: a restart fails.
const BROKEN_AT_T0: &str = r#"
[[events]]
at = "T+0"
change = "config_broken"
config = "cato-shadow-self-config"
cause = "oom"

[[events]]
at = "T+0"
change = "endpoint_loses_instances"
endpoint = "cato-shadow-self"
"#;

fn run(text: &str) -> cato_runbook_mock::gameday::Report {
    let scenario = Scenario::from_toml("inline.toml", text).unwrap();
    GameDay::new(doubles::registry())
        .run_blocking(&scenario, Some(42))
        .unwrap()
}

#[test]
fn a_restart_brings_the_endpoint_back() {
    let report = run(RESTART);
    assert!(report.passed, "{report}");
    assert_eq!(report.verdicts.len(), 6);
    let shown = report.to_string();
    assert!(
        shown.contains("PASS endpoint incident opened as SEV1 by T+3m"),
        "{shown}"
    );
    assert!(
        shown.contains("mitigation_applied restart-endpoint"),
        "{shown}"
    );
    assert!(shown.contains("T+01:00 world"), "{shown}");
}

#[test]
fn failed_expectations_are_verdicts_not_errors() {
    let text = RESTART
        .replace("severity = \"SEV1\"", "severity = \"SEV3\"")
        .replace("count = 1\ntarget", "count = 2\ntarget");
    let report = run(&text);
    assert!(!report.passed);
    let failed: Vec<_> = report.failures().map(|v| v.expectation.as_str()).collect();
    assert_eq!(
        failed,
        [
            "endpoint incident opened as SEV3 by T+3m",
            "2 page(s) to on-call"
        ]
    );
    assert!(report.to_string().contains("FAILED: 4/6 expectations held"));
}

#[test]
fn the_same_seed_gives_the_same_report() {
    let a = serde_json::to_string(&run(RESTART)).unwrap();
    let b = serde_json::to_string(&run(RESTART)).unwrap();
    assert_eq!(a, b);
    let json: serde_json::Value = serde_json::from_str(&a).unwrap();
    assert_eq!(json["seed"], 42);
    assert_eq!(json["passed"], true);
    assert!(json["timeline"].as_array().unwrap().len() > 5);
}

#[test]
fn a_broken_config_exhausts_the_ladder_and_escalates_on_schedule() {
    let text = [
        r#"
name = "the current config is broken: nothing the ladder does helps"
duration = "45m"
runbooks = ["endpoint"]
"#,
        BROKEN_AT_T0,
        r#"
[[expect]]
expect = "still_open"
runbook = "endpoint"

[[expect]]
expect = "escalated"
runbook = "endpoint"
role = "VP Engineering"

[[expect]]
expect = "timeline"
runbook = "endpoint"
entry = "verification_failed"
step = "restart-endpoint"
"#,
    ]
    .concat();
    let report = run(&text);
    assert!(report.passed, "{report}");
}

#[test]
fn an_acknowledgement_stops_escalation() {
    let text = [
        r#"
name = "on-call acknowledges at T+4m"
duration = "45m"
runbooks = ["endpoint"]
"#,
        BROKEN_AT_T0,
        r#"
[[operator]]
at = "T+4m"
runbook = "endpoint"
action = "acknowledge"
by = "alice"

[[expect]]
expect = "not_escalated"
runbook = "endpoint"
role = "VP Engineering"

[[expect]]
expect = "timeline"
runbook = "endpoint"
entry = "acknowledged"
"#,
    ]
    .concat();
    let report = run(&text);
    assert!(report.passed, "{report}");
    assert!(
        report
            .to_string()
            .contains("operator   [alice] acknowledge: done"),
        "{report}"
    );
}

#[test]
fn an_action_without_an_open_incident_does_nothing_and_says_so() {
    let text = r#"
name = "nothing wrong"
duration = "10m"
runbooks = ["endpoint"]

[[operator]]
at = "T+2m"
runbook = "endpoint"
action = "acknowledge"

[[expect]]
expect = "no_incident"
runbook = "endpoint"
"#;
    let report = run(text);
    assert!(report.passed, "{report}");
    assert!(
        report
            .to_string()
            .contains("no open endpoint incident; nothing done")
    );
}

#[test]
fn an_unknown_runbook_is_an_error() {
    let scenario = Scenario::from_toml(
        "x.toml",
        "name = \"x\"\nduration = \"1m\"\nrunbooks = [\"nope\"]\n\n[[expect]]\nexpect = \"pages\"\ncount = 0\n",
    )
    .unwrap();
    let err = GameDay::new(doubles::registry())
        .run_blocking(&scenario, None)
        .unwrap_err();
    assert!(
        err.to_string()
            .contains("unknown runbook \"nope\"; known: endpoint"),
        "{err}"
    );
}

#[test]
fn an_operator_calls_in_the_aws_tam_by_mail() {
    let text = r#"
name = "the endpoint stays down; on-call calls in the AWS TAM"
duration = "20m"
runbooks = ["endpoint"]

[[events]]
at = "T+0"
change = "config_broken"
config = "cato-shadow-self-config"
cause = "gpu_driver"

[[events]]
at = "T+0"
change = "endpoint_loses_instances"
endpoint = "cato-shadow-self"

[[operator]]
at = "T+6m"
runbook = "endpoint"
action = "escalate_to_aws_tam"
reason = "SageMaker fleet fails its health checks"

[[expect]]
expect = "escalated"
runbook = "endpoint"
role = "AWS TAM"
at = "T+6m"

[[expect]]
expect = "calls"
op = "mail.send"
count = 1
"#;
    let report = run(text);
    assert!(report.passed, "{report}");
}
