//! What the replay tests share: a scenario recorded into a trace, the replay scenario of that
//! trace (expecting the recorded run's decisions), and the check that a committed trace and its
//! scenario in `scenarios/` are what the game day records now (rewritten with `UPDATE_GOLDEN=1`).

use std::path::{Path, PathBuf};
use std::sync::Arc;

use cato_runbook_core::catalog::CatalogConfig;
use cato_runbook_core::trace::{MemorySink, TraceStart, parse_jsonl};
use cato_runbook_mock::gameday::{GameDay, Report, RunbookRegistry, Scenario, decisions};
use cato_runbook_mock::replay::Replay;

/// The repository's `scenarios/`.
pub(crate) fn scenarios() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../scenarios")
}

/// The game-day runner over the catalog.
pub(crate) fn runner() -> GameDay {
    GameDay::new(RunbookRegistry::catalog(CatalogConfig::default()))
}

/// `scenarios/NAME.toml`.
pub(crate) fn load(name: &str) -> Scenario {
    Scenario::load(scenarios().join(format!("{name}.toml"))).unwrap()
}

/// `scenario`, recorded: its report and its trace.
pub(crate) fn record(scenario: &Scenario) -> (Report, String) {
    let sink = Arc::new(MemorySink::default());
    let report = runner()
        .run_blocking_with(scenario, None, Some(sink.clone()))
        .unwrap();
    (report, sink.to_jsonl())
}

/// The decisions of `report`'s incidents, as expectations, timed from the trace's start.
pub(crate) fn decided(
    scenario: &Scenario,
    replay: &Replay,
    report: &Report,
) -> Vec<cato_runbook_mock::gameday::Expectation> {
    decisions(replay.started_at(), &report.incidents, &scenario.runbooks)
}

/// The replay scenario of `trace` (at `path`, as the scenario file names it), expecting the
/// decisions of `report`, the recorded run of `scenario`.
pub(crate) fn replay_scenario(
    name: &str,
    scenario: &Scenario,
    report: &Report,
    trace: &str,
    path: PathBuf,
) -> Scenario {
    let replay = Replay::parse("trace", trace).unwrap();
    let expect = decided(scenario, &replay, report);
    let fallback = TraceStart {
        runbooks: scenario.runbooks.clone(),
        policy: scenario.policy.clone(),
        tick: scenario.tick,
        source: String::new(),
    };
    Scenario::replaying(format!("replay: {name}"), path, &replay, &fallback, expect)
}

fn update_golden() -> bool {
    std::env::var("UPDATE_GOLDEN").is_ok_and(|v| v == "1")
        && std::env::var("CATO_TEST_PEERS").map_or(true, |v| v != "require")
}

/// Records `scenarios/NAME.toml` and checks that `scenarios/traces/NAME.jsonl` and
/// `scenarios/replay--NAME.toml` are what it records now, and that the committed replay
/// scenario passes. Returns the replay scenario's text.
#[allow(clippy::panic)] // A test helper: a missing golden file fails the test, saying how to write it.
pub(crate) fn check_committed(name: &str) -> String {
    let scenario = load(name);
    let (report, trace) = record(&scenario);
    assert!(report.passed, "{report}");
    let trace_file = scenarios().join(format!("traces/{name}.jsonl"));
    let scenario_file = scenarios().join(format!("replay--{name}.toml"));
    let path = PathBuf::from(format!("traces/{name}.jsonl"));
    let text = replay_scenario(name, &scenario, &report, &trace, path)
        .to_replay_toml()
        .unwrap();
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
    text
}
