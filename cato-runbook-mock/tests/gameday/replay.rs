//! Traces: a game day recorded and replayed gives the same decisions; a call the trace does not
//! hold is a finding naming it; a runbook that would act differently fails the replay's
//! scenario, naming the expectation. Owns the committed trace and its scenario in
//! `scenarios/` (regenerate with `UPDATE_GOLDEN=1`).

use cato_runbook_core::ErrorKind;
use cato_runbook_core::catalog::CatalogConfig;
use cato_runbook_core::ports::ModelEndpoint;
use cato_runbook_core::trace::{parse_jsonl, to_jsonl};
use cato_runbook_mock::World;
use cato_runbook_mock::gameday::Scenario;
use cato_runbook_mock::replay::{Replay, ReplayPort};

use super::recording::{
    check_committed, decided, load, record, replay_scenario, runner, scenarios,
};

const NAME: &str = "shadow-self-down--restart-works";

#[test]
fn a_recorded_game_day_replays_to_the_same_decisions() {
    let scenario = load(NAME);
    let (report, trace) = record(&scenario);
    assert!(report.passed, "{report}");
    let records = parse_jsonl("trace", &trace).unwrap();
    assert_eq!(records[0].op, "start");
    assert!(
        records
            .iter()
            .any(|r| r.port == "endpoint" && r.op == "update_config")
    );
    assert!(
        records
            .iter()
            .any(|r| r.port == "pager" && r.op == "trigger")
    );
    assert!(!trace.contains("routing_key") && !trace.contains("token"));

    let dir = std::env::temp_dir().join(format!("cato-replay-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("trace.jsonl");
    std::fs::write(&path, &trace).unwrap();
    let again = replay_scenario(NAME, &scenario, &report, &trace, path);
    let replayed = runner().run_blocking(&again, None).unwrap();
    assert!(replayed.passed, "{replayed}");
    let replay = Replay::parse("trace", &trace).unwrap();
    assert_eq!(
        decided(&scenario, &replay, &replayed),
        decided(&scenario, &replay, &report)
    );
    assert_eq!(replayed.ticks, report.ticks);
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn the_committed_trace_and_its_scenario_are_what_the_game_day_records() {
    check_committed(NAME);
}

#[test]
fn a_runbook_that_would_act_differently_fails_the_replay_naming_the_expectation() {
    let mut scenario = Scenario::load(scenarios().join(format!("replay--{NAME}.toml"))).unwrap();
    let mut catalog = CatalogConfig::default();
    // Verify the restart later than it was: the incident resolves at another time.
    catalog.shadow_self_down.restart_verify_after = std::time::Duration::from_secs(30 * 60);
    scenario.catalog = Some(catalog);
    let report = runner().run_blocking(&scenario, None).unwrap();
    assert!(!report.passed, "{report}");
    let failed: Vec<_> = report.failures().collect();
    assert!(
        failed
            .iter()
            .any(|v| v.expectation.starts_with("shadow-self-down resolved by T+")),
        "{report}"
    );
}

#[test]
fn a_call_the_trace_does_not_hold_is_an_error_naming_it() {
    let trace = r#"{"time":"2026-03-10T00:00:00Z","port":"endpoint","op":"describe","args":{"endpoint":"cato-shadow-self"},"answer":null}"#;
    let replay = Replay::parse("trace", trace).unwrap();
    let port = ReplayPort::new(&replay, "endpoint");
    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    let err = rt.block_on(port.describe("other-endpoint")).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::NotFound);
    assert!(
        err.message()
            .contains(r#"endpoint.describe(endpoint="other-endpoint") is not in the trace"#),
        "{err}"
    );
    // The recorded call is answered once (its answer does not read as a description), then
    // it is one call too many.
    let first = rt.block_on(port.describe("cato-shadow-self")).unwrap_err();
    assert_eq!(first.kind(), ErrorKind::MalformedResponse);
    let again = rt.block_on(port.describe("cato-shadow-self")).unwrap_err();
    assert!(
        again.message().contains("answered 1 time(s) there"),
        "{again}"
    );
    assert_eq!(replay.misses().len(), 2);

    // A replayed world's ports answer from the trace, its store stays in memory.
    let world = World::default();
    let ports = replay.ports(&world, "replica-1");
    assert_eq!(ports.endpoint.to_string(), "replay of endpoint");
    assert_eq!(to_jsonl(&[]), "");
}
