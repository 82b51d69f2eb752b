//! The fault matrix: every port each runbook's main game day calls × {transient, throttled,
//! permanent, hang, garbage}, from T+0 on every call of the port, and × lost, on the first
//! call of each change the port makes (it takes effect, its answer never comes). Whatever the
//! fault, the loop keeps ticking on time, the failure reaches the timeline, no incident
//! resolves on evidence it could not read, no change is applied twice under one key, and
//! nothing panics. The table of what the engine did goes in the README's reliability section
//! (rewritten with `UPDATE_GOLDEN=1`; the test fails when the README is stale).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::print_stderr
)]

mod outcome;
mod revert;
mod steps;
mod table;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use cato_runbook_core::ErrorKind;
use cato_runbook_mock::gameday::{GameDay, Report, RunbookRegistry, Scenario, ScheduledFault};
use cato_runbook_mock::{Fault, Op, OpMatch};

use outcome::Outcome;

/// Each runbook's main game day.
const MAIN_GAME_DAYS: &[&str] = &[
    "shadow-self-down--restart-works",
    "high-latency--scale-up",
    "cache-miss-spike--undersized-approved",
    "budget-exceeded--approved",
    "bedrock-throttling--quota-approved",
    "dynamodb-hot-partition--on-demand",
];

/// Invariants known broken, shown in the table with ⚠ (port, fault, the violation's start): a
/// violation not listed here fails the test, and so does one listed that no longer happens.
const KNOWN: &[(&str, &str, &str)] = &[];

/// The faults, as the table's columns name them.
fn faults() -> Vec<(&'static str, Fault)> {
    vec![
        ("transient", Fault::transient()),
        ("throttled", Fault::throttled()),
        ("permanent", Fault::permanent(ErrorKind::PermissionDenied)),
        ("hang", Fault::Hang {}),
        ("garbage", Fault::Garbage {}),
        ("lost", Fault::lost()),
    ]
}

/// The changes of `port` a run made: the operations a `lost` fault goes on (a read whose
/// answer is lost is only a transient error).
fn changes_of(report: &Report, port: &str) -> Vec<Op> {
    Op::ALL
        .iter()
        .copied()
        .filter(|op| op.port() == port && op.mutates() && report.calls.contains_key(op.as_str()))
        .collect()
}

fn scenario_path(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../scenarios")
        .join(format!("{name}.toml"))
}

fn runner() -> GameDay {
    GameDay::new(RunbookRegistry::catalog(Default::default()))
}

fn ports_of(report: &Report) -> BTreeSet<String> {
    report
        .calls
        .keys()
        .filter_map(|op| op.split('.').next())
        .map(str::to_owned)
        .collect()
}

/// One cell of the matrix: the scenario with `fault` on every call of `port` from T+0; or, with
/// `changes`, on the first call of each of them.
fn faulted(scenario: &Scenario, port: &str, fault: &Fault, changes: Option<&[Op]>) -> Scenario {
    let mut s = scenario.clone();
    s.expect.clear();
    let (ops, times): (Vec<OpMatch>, _) = match changes {
        Some(changes) => (
            changes.iter().copied().map(OpMatch::from).collect(),
            Some(1),
        ),
        None => (vec![format!("{port}.*").parse::<OpMatch>().unwrap()], None),
    };
    for op in ops {
        s.faults.push(ScheduledFault {
            at: Default::default(),
            until: None,
            op,
            fault: fault.clone(),
            times,
            skip: 0,
        });
    }
    s
}

#[test]
fn every_fault_on_every_port_of_every_runbook() {
    let mut rows = Vec::new();
    let mut broken = Vec::new();
    let mut seen_known = BTreeSet::new();
    for name in MAIN_GAME_DAYS {
        let scenario = Scenario::load(scenario_path(name)).unwrap();
        let runbook = scenario.runbooks[0].clone();
        let clean = runner().run_blocking(&scenario, None).unwrap();
        assert!(clean.passed, "{clean}");
        for port in ports_of(&clean) {
            let mut cells = Vec::new();
            let changes = changes_of(&clean, &port);
            for (label, fault) in faults() {
                let cell = format!("{name} × {port} × {label}");
                if std::env::var_os("CATO_MATRIX_VERBOSE").is_some() {
                    eprintln!("{cell}");
                }
                let only = matches!(fault, Fault::Lost { .. }).then_some(changes.as_slice());
                if only.is_some_and(<[Op]>::is_empty) {
                    cells.push("— (no change)".to_owned());
                    continue;
                }
                let faulted = faulted(&scenario, &port, &fault, only);
                if std::env::var("CATO_MATRIX_DEBUG").is_ok_and(|d| cell.contains(&d)) {
                    eprintln!("{cell}\n{}", runner().run_blocking(&faulted, None).unwrap());
                }
                let report = match runner().run_blocking(&faulted, None) {
                    Ok(report) => report,
                    Err(err) => {
                        broken.push(format!("{cell}: the run failed: {err}"));
                        cells.push("run failed".to_owned());
                        continue;
                    }
                };
                let outcome = Outcome::of(&report, &runbook);
                let violations = outcome.violations(&report, label != "garbage");
                let mut summary = outcome.summary();
                for violation in &violations {
                    let known = KNOWN.iter().find(|(p, l, what)| {
                        *p == port && *l == label && violation.starts_with(what)
                    });
                    match known {
                        Some((_, _, what)) => {
                            seen_known.insert((port.clone(), label, *what));
                            summary.push_str(&format!(" · ⚠ {what}"));
                        }
                        None => broken.push(format!("{cell}: {violation}")),
                    }
                }
                cells.push(summary);
            }
            rows.push(table::Row {
                runbook: runbook.clone(),
                port,
                cells,
            });
        }
    }
    for (port, label, what) in KNOWN {
        if !seen_known.contains(&(port.to_string(), *label, *what)) {
            broken.push(format!(
                "{port} × {label}: \"{what}\" no longer happens; take it off KNOWN"
            ));
        }
    }
    assert!(
        broken.is_empty(),
        "{} cell(s) broke an invariant:\n{}",
        broken.len(),
        broken.join("\n")
    );
    table::check_readme(&rows, &faults().iter().map(|(l, _)| *l).collect::<Vec<_>>());
}
