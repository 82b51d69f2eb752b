//! Traces: a game day recorded and replayed gives the same decisions; a call the trace does not
//! hold is a finding naming it; a runbook that would act differently fails the replay's
//! scenario, naming the expectation. Owns the committed trace and its scenario in
//! `scenarios/` (regenerate with `UPDATE_GOLDEN=1`).

use std::path::{Path, PathBuf};
use std::sync::Arc;

use cato_runbook_core::catalog::CatalogConfig;
use cato_runbook_core::ports::ModelEndpoint;
use cato_runbook_core::trace::{MemorySink, TraceStart, parse_jsonl, to_jsonl};
use cato_runbook_core::{ErrorKind, Incident};
use cato_runbook_mock::World;
use cato_runbook_mock::gameday::{
    Expectation, GameDay, Report, RunbookRegistry, Scenario, decisions,
};
use cato_runbook_mock::replay::{Replay, ReplayPort};

const NAME: &str = "shadow-self-down--restart-works";

fn scenarios() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../scenarios")
}

fn runner() -> GameDay {
    GameDay::new(RunbookRegistry::catalog(CatalogConfig::default()))
}

/// The game day, recorded: its report and its trace.
fn recorded() -> (Report, String) {
    let scenario = Scenario::load(scenarios().join(format!("{NAME}.toml"))).unwrap();
    let sink = Arc::new(MemorySink::default());
    let report = runner()
        .run_blocking_with(&scenario, None, Some(sink.clone()))
        .unwrap();
    assert!(report.passed, "{report}");
    (report, sink.to_jsonl())
}

fn fallback() -> TraceStart {
    TraceStart {
        runbooks: vec!["shadow-self-down".into()],
        policy: Default::default(),
        tick: std::time::Duration::from_secs(30),
        source: String::new(),
    }
}

fn decided(replay: &Replay, incidents: &[Incident]) -> Vec<Expectation> {
    decisions(
        replay.started_at(),
        incidents,
        &["shadow-self-down".to_owned()],
    )
}

/// The replay's scenario of `trace` (at `path`, as the scenario file names it).
fn replay_scenario(trace: &str, path: &str, incidents: &[Incident]) -> Scenario {
    let replay = Replay::parse("trace", trace).unwrap();
    let expect = decided(&replay, incidents);
    Scenario::replaying(
        format!("replay: {NAME}"),
        PathBuf::from(path),
        &replay,
        &fallback(),
        expect,
    )
}

fn update_golden() -> bool {
    std::env::var("UPDATE_GOLDEN").is_ok_and(|v| v == "1")
        && std::env::var("CATO_TEST_PEERS").map_or(true, |v| v != "require")
}

#[test]
fn a_recorded_game_day_replays_to_the_same_decisions() {
    let (report, trace) = recorded();
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
    let scenario = replay_scenario(&trace, &path.display().to_string(), &report.incidents);
    let replayed = runner().run_blocking(&scenario, None).unwrap();
    assert!(replayed.passed, "{replayed}");
    let replay = Replay::parse("trace", &trace).unwrap();
    assert_eq!(
        decided(&replay, &replayed.incidents),
        decided(&replay, &report.incidents)
    );
    assert_eq!(replayed.ticks, report.ticks);
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn the_committed_trace_and_its_scenario_are_what_the_game_day_records() {
    let (report, trace) = recorded();
    let trace_file = scenarios().join(format!("traces/{NAME}.jsonl"));
    let scenario_file = scenarios().join(format!("replay--{NAME}.toml"));
    let scenario = replay_scenario(&trace, &format!("traces/{NAME}.jsonl"), &report.incidents);
    let text = scenario.to_replay_toml().unwrap();
    if update_golden() {
        std::fs::create_dir_all(trace_file.parent().unwrap()).unwrap();
        std::fs::write(&trace_file, &trace).unwrap();
        std::fs::write(&scenario_file, &text).unwrap();
    }
    let committed = std::fs::read_to_string(&trace_file)
        .unwrap_or_else(|e| panic!("{}: {e}; run with UPDATE_GOLDEN=1", trace_file.display()));
    assert_eq!(
        parse_jsonl("committed", &committed).unwrap(),
        parse_jsonl("recorded", &trace).unwrap(),
        "the game day records another trace now: run with UPDATE_GOLDEN=1"
    );
    assert_eq!(
        std::fs::read_to_string(&scenario_file).unwrap(),
        text,
        "run with UPDATE_GOLDEN=1"
    );
    let loaded = Scenario::load(&scenario_file).unwrap();
    let replayed = runner().run_blocking(&loaded, None).unwrap();
    assert!(replayed.passed, "{replayed}");
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
