//! What people did, in a trace: a game day with a denial and an approval, recorded, has a line
//! per action and replays to the same decisions (the denied restart, the approved rollback);
//! an action of a kind a scenario has not is an error naming it.

use cato_runbook_core::ErrorKind;
use cato_runbook_core::timeline::EntryKind;
use cato_runbook_core::trace::{OPERATOR_PORT, parse_jsonl};
use cato_runbook_mock::gameday::{Action, Report, Scenario, decisions, recorded_actions};
use cato_runbook_mock::replay::Replay;

use super::recording::{check_committed, load, record, replay_scenario, runner};

const NAME: &str = "shadow-self-down--restart-denied";
const RUNBOOK: &str = "shadow-self-down";

/// The game day, recorded: the scenario, its report and its trace.
fn recorded() -> (Scenario, Report, String) {
    let scenario = load(NAME);
    let (report, trace) = record(&scenario);
    assert!(report.passed, "{report}");
    (scenario, report, trace)
}

#[test]
fn the_committed_trace_with_a_denial_and_an_approval_is_what_the_game_day_records() {
    let text = check_committed(NAME);
    // The scenario file lists no action: the runner does the trace's.
    assert!(!text.contains("[[operator]]"));
}

#[test]
fn a_recorded_denial_and_approval_replay_to_the_same_decisions() {
    let (scenario, report, trace) = recorded();

    // A line for each of the scenario's operator entries, in order, at its time.
    let records = parse_jsonl("trace", &trace).unwrap();
    let done: Vec<_> = records.iter().filter(|r| r.is_operator()).collect();
    let ops: Vec<_> = done.iter().map(|r| r.op.as_str()).collect();
    let planned: Vec<_> = scenario
        .operator
        .iter()
        .map(|a| serde_json::to_value(&a.action).unwrap()["action"].clone())
        .collect();
    assert_eq!(
        planned,
        ops.iter()
            .map(|op| serde_json::json!(op))
            .collect::<Vec<_>>()
    );
    assert!(ops.contains(&"deny") && ops.contains(&"approve"), "{ops:?}");
    let incident = report.incidents[0].id().to_string();
    for record in &done {
        assert_eq!(record.port, OPERATOR_PORT);
        assert_eq!(record.args["incident"], incident.as_str());
        assert_eq!(record.args["runbook"], RUNBOOK);
        assert_eq!(record.args["by"], "alice");
    }
    let deny = done.iter().find(|r| r.op == "deny").unwrap();
    assert_eq!(deny.args["step"], "restart-endpoint");
    assert!(deny.args["reason"].as_str().is_some_and(|r| !r.is_empty()));
    assert!(!trace.contains("token") && !trace.contains("routing_key"));

    // The trace's actions read back as the scenario's own entries.
    let replay = Replay::parse("trace", &trace).unwrap();
    let mut expected = scenario.operator.clone();
    expected.sort_by_key(|a| a.at);
    assert_eq!(recorded_actions(&replay).unwrap(), expected);

    // Replayed with no [[operator]] entry: the trace's actions are done again.
    let dir = std::env::temp_dir().join(format!("cato-replay-operator-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("trace.jsonl");
    std::fs::write(&path, &trace).unwrap();
    let runbooks = [RUNBOOK.to_owned()];
    let again = replay_scenario(NAME, &scenario, &report, &trace, path);
    assert!(again.operator.is_empty());
    let replayed = runner().run_blocking(&again, None).unwrap();
    std::fs::remove_dir_all(&dir).ok();
    assert!(replayed.passed, "{replayed}");
    assert_eq!(
        decisions(replay.started_at(), &replayed.incidents, &runbooks),
        decisions(replay.started_at(), &report.incidents, &runbooks)
    );
    let entries = |incidents: &[cato_runbook_core::Incident]| -> Vec<_> {
        incidents[0]
            .timeline()
            .iter()
            .filter(|e| {
                matches!(
                    e.kind,
                    EntryKind::ApprovalDenied { .. } | EntryKind::ApprovalGranted { .. }
                )
            })
            .map(|e| (e.at, e.kind.clone(), e.actor.to_string()))
            .collect()
    };
    assert_eq!(entries(&replayed.incidents), entries(&report.incidents));
    assert_eq!(entries(&replayed.incidents).len(), 2);
}

#[test]
fn an_unknown_operator_action_in_a_trace_is_an_error_naming_it() {
    let trace = concat!(
        r#"{"time":"2026-03-10T00:00:00Z","port":"trace","op":"tick","args":{},"answer":null}"#,
        "\n",
        r#"{"time":"2026-03-10T00:01:00Z","port":"operator","op":"reboot","args":{"incident":"INC-1","runbook":"shadow-self-down","by":"alice"},"answer":null}"#,
        "\n",
        r#"{"time":"2026-03-10T00:02:00Z","port":"operator","op":"approve","args":{"incident":"INC-1","runbook":"shadow-self-down","by":"alice","step":"restart-endpoint"},"answer":null}"#,
    );
    let replay = Replay::parse("trace", trace).unwrap();
    assert_eq!(replay.operator().len(), 2);
    let err = recorded_actions(&replay).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidInput);
    assert_eq!(err.resource(), Some("reboot"));
    assert!(
        err.message().contains("unknown operator action `reboot`"),
        "{err}"
    );

    // A known kind reads as the scenario's entry, at its offset from the trace's start.
    let known = Replay::parse("trace", trace.lines().nth(2).unwrap()).unwrap();
    let actions = recorded_actions(&known).unwrap();
    assert_eq!(
        actions[0].action,
        Action::Approve {
            step: "restart-endpoint".into()
        }
    );
    assert_eq!(actions[0].runbook.as_deref(), Some("shadow-self-down"));
}

#[test]
fn every_kind_of_action_writes_a_line_and_reads_back_as_its_entry() {
    let scenario = Scenario::from_toml(
        "inline.toml",
        r#"
        name = "every operator action"
        duration = "10m"
        runbooks = ["shadow-self-down"]
        [[events]]
        at = "T+1m"
        change = "endpoint_loses_instances"
        endpoint = "cato-shadow-self"
        [[operator]]
        at = "T+2m"
        action = "halt"
        reason = "looking"
        [[operator]]
        at = "T+3m"
        action = "resume"
        [[operator]]
        at = "T+4m"
        runbook = "shadow-self-down"
        action = "note"
        text = "config went out at 08:00"
        [[operator]]
        at = "T+5m"
        runbook = "shadow-self-down"
        action = "escalate_to_aws_tam"
        reason = "instances do not come back"
        [[operator]]
        at = "T+6m"
        runbook = "shadow-self-down"
        action = "resolve"
        reason = "back by hand"
        [[expect]]
        # Resolved by hand while still down: a second one opens.
        expect = "incidents"
        runbook = "shadow-self-down"
        count = 2
        "#,
    )
    .unwrap();
    let (report, trace) = record(&scenario);
    let ops: Vec<_> = parse_jsonl("trace", &trace)
        .unwrap()
        .into_iter()
        .filter(|r| r.is_operator())
        .map(|r| r.op)
        .collect();
    assert_eq!(
        ops,
        ["halt", "resume", "note", "escalate_to_aws_tam", "resolve"],
        "{report}"
    );
    assert!(report.passed, "{report}");
    let replay = Replay::parse("trace", &trace).unwrap();
    assert_eq!(recorded_actions(&replay).unwrap(), scenario.operator);
}
