//! Every game-day scenario in the repository's `scenarios/` folder passes on the fakes with the
//! catalog's runbooks.

use std::path::{Path, PathBuf};

use cato_runbook_mock::gameday::{GameDay, RunbookRegistry, Scenario};

fn scenario_files() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../scenarios");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .map(|entries| {
            entries
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.extension().is_some_and(|x| x == "toml"))
                .collect()
        })
        .unwrap_or_default();
    files.sort();
    files
}

#[test]
fn every_scenario_passes() {
    let files = scenario_files();
    // Every runbook of the catalog has a game day of its own (so an empty folder fails too).
    for entry in cato_runbook_core::catalog::entries() {
        let prefix = format!("{}--", entry.id);
        assert!(
            files.iter().any(|f| f
                .file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with(&prefix))),
            "no scenario for {} in scenarios/",
            entry.id
        );
    }
    let runner = GameDay::new(RunbookRegistry::catalog(Default::default()));
    let mut failed = Vec::new();
    for file in files {
        let scenario = match Scenario::load(&file) {
            Ok(s) => s,
            Err(e) => {
                failed.push(format!("{e}"));
                continue;
            }
        };
        match runner.run_blocking(&scenario, None) {
            Ok(report) if report.passed => {}
            Ok(report) => failed.push(format!("{}:\n{report}", file.display())),
            Err(e) => failed.push(format!("{}: {e}", file.display())),
        }
    }
    assert!(
        failed.is_empty(),
        "{} scenario(s) failed:\n{}",
        failed.len(),
        failed.join("\n\n")
    );
}
