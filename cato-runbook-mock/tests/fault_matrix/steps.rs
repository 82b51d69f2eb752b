//! Step faults beside another incident: for every runbook's main game day, at each step phase
//! it reaches (plan, apply, verify, revert), one call the phase makes hangs, answers just
//! within the step timeout, or answers far past it — while another runbook's incident opens
//! in the same world at that moment. The other incident opens, escalates and breaches its
//! response time at the ticks of its fault-free run, every tick starts on time, and no change
//! is applied twice. The table goes in the README beside the fault matrix. How a game day is
//! brought to its revert phase is in `revert.rs`.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use cato_runbook_core::time;
use cato_runbook_core::trace::{MemorySink, TRACE_PORT, TraceRecord};
use cato_runbook_mock::gameday::{Report, Scenario, ScheduledFault};
use cato_runbook_mock::{Fault, Op, OpMatch};

use super::outcome::Outcome;
use super::{MAIN_GAME_DAYS, revert, runner, scenario_path, table};

/// The game day whose stimulus opens the other incident, for each main game day: one whose
/// symptom neither gates nor feeds the main runbook's (an exhausted budget holds back every
/// step that adds spend, so it goes beside the restart only; cache misses load the Shadow Self
/// endpoint, so the cache goes beside DynamoDB).
const BESIDE: &[(&str, &str)] = &[
    (
        "shadow-self-down--restart-works",
        "budget-exceeded--approved",
    ),
    (
        "high-latency--scale-up",
        "dynamodb-hot-partition--on-demand",
    ),
    (
        "cache-miss-spike--undersized-approved",
        "dynamodb-hot-partition--on-demand",
    ),
    (
        "budget-exceeded--approved",
        "shadow-self-down--restart-works",
    ),
    (
        "bedrock-throttling--quota-approved",
        "shadow-self-down--restart-works",
    ),
    (
        "dynamodb-hot-partition--on-demand",
        "shadow-self-down--restart-works",
    ),
];

/// Each phase, and the timeline entries that show a step reached it.
const PHASES: &[(&str, &[&str])] = &[
    ("plan", &["mitigation_planned"]),
    ("apply", &["mitigation_applied", "mitigation_unknown"]),
    ("verify", &["verification_passed", "verification_failed"]),
    ("revert", &["mitigation_reverted"]),
];

/// The ports of people and of the engine: never a step's.
const NOT_A_STEP: &[&str] = &[TRACE_PORT, "pager", "chat", "mail"];

/// The faults, as the table's columns name them, for a step timeout of `limit`.
fn faults(limit: Duration) -> Vec<(String, Fault)> {
    let under = limit.saturating_sub(Duration::from_secs(1));
    let over = limit * 3;
    vec![
        ("hang".to_owned(), Fault::Hang {}),
        (
            format!("slow {}", time::HumanDuration(under)),
            Fault::latency(under),
        ),
        (
            format!("slow {}", time::HumanDuration(over)),
            Fault::latency(over),
        ),
    ]
}

/// The main scenario with the other's world changes moved to start at `at`, its runbook
/// watched too; no expectation of either (the verdicts that stay: every tick on time, no
/// change applied twice).
fn beside(main: &Scenario, other: &Scenario, at: Duration) -> Scenario {
    let mut s = main.clone();
    s.expect.clear();
    for runbook in &other.runbooks {
        if !s.runbooks.contains(runbook) {
            s.runbooks.push(runbook.clone());
        }
    }
    let first = other
        .events
        .iter()
        .map(|e| e.at.as_duration())
        .min()
        .unwrap_or_default();
    for event in &other.events {
        let mut event = event.clone();
        let moved = event.at.as_duration().saturating_sub(first) + at;
        event.at = cato_runbook_mock::gameday::Offset::new(moved);
        s.events.push(event);
    }
    s
}

/// The first time the main runbook's incident reached `phase`.
pub(crate) fn reached(report: &Report, runbook: &str, entries: &[&str]) -> Option<Duration> {
    let ids: Vec<String> = report
        .incidents
        .iter()
        .filter(|i| i.runbook().as_str() == runbook)
        .map(|i| i.id().to_string())
        .collect();
    report
        .timeline
        .iter()
        .filter(|l| ids.contains(&l.source))
        .find(|l| entries.iter().any(|e| l.what.split(' ').next() == Some(*e)))
        .map(|l| l.offset)
}

/// What people must see of the other incident: when it opened, escalated and breached.
fn milestones(report: &Report, runbook: &str) -> Vec<String> {
    let ids: Vec<String> = report
        .incidents
        .iter()
        .filter(|i| i.runbook().as_str() == runbook)
        .map(|i| i.id().to_string())
        .collect();
    report
        .timeline
        .iter()
        .filter(|l| ids.contains(&l.source))
        .filter(|l| {
            ["incident_opened", "escalated", "sla_breached"]
                .iter()
                .any(|e| l.what.starts_with(e))
        })
        .map(|l| format!("{} {} {}", time::HumanDuration(l.offset), l.what, l.detail))
        .collect()
}

/// The provider calls of the tick that started at `at`, in the order they were made, each
/// with how many calls of its operation the tick made before it.
fn calls_of_tick(records: &[TraceRecord], at: cato_runbook_core::Timestamp) -> Vec<(Op, u32)> {
    let start = records
        .iter()
        .position(|r| r.port == TRACE_PORT && r.op == "tick" && r.time == at);
    let Some(start) = start else {
        return Vec::new();
    };
    let mut seen: BTreeMap<Op, u32> = BTreeMap::new();
    let mut out = Vec::new();
    for record in &records[start + 1..] {
        if record.port == TRACE_PORT && record.op == "tick" {
            break;
        }
        if NOT_A_STEP.contains(&record.port.as_str()) {
            continue;
        }
        let name = format!("{}.{}", record.port, record.op);
        let Some(op) = Op::ALL.iter().copied().find(|o| o.as_str() == name) else {
            continue;
        };
        let before = seen.entry(op).or_default();
        out.push((op, *before));
        *before += 1;
    }
    out
}

/// The calls that may be the phase's, likeliest first: a change for apply and revert (the
/// first of the tick), a read for plan and verify (nearest before the tick's first change).
fn candidates(phase: &str, calls: &[(Op, u32)]) -> Vec<(Op, u32)> {
    let first_change = calls
        .iter()
        .position(|(op, _)| op.mutates())
        .unwrap_or(calls.len());
    match phase {
        "apply" | "revert" => calls
            .iter()
            .filter(|(op, _)| op.mutates())
            .copied()
            .collect(),
        _ => {
            let mut out: Vec<_> = calls[..first_change].iter().rev().copied().collect();
            out.extend(calls[first_change..].iter().filter(|(op, _)| !op.mutates()));
            out
        }
    }
}

/// The scenario with `fault` on the `skip`-th call of `op` from `at` on, once.
fn faulted(scenario: &Scenario, at: Duration, op: Op, skip: u32, fault: Fault) -> Scenario {
    let mut s = scenario.clone();
    s.faults.push(ScheduledFault {
        at: cato_runbook_mock::gameday::Offset::new(at),
        until: None,
        op: OpMatch::from(op),
        fault,
        times: Some(1),
        skip,
    });
    s
}

/// Whether the run shows the phase's call ran out of the step timeout.
fn timed_out(report: &Report, runbook: &str, phase: &str, from: Duration) -> bool {
    let ids: Vec<String> = report
        .incidents
        .iter()
        .filter(|i| i.runbook().as_str() == runbook)
        .map(|i| i.id().to_string())
        .collect();
    let operation = format!("mitigation.{phase}");
    report.timeline.iter().any(|l| {
        l.offset >= from
            && ids.contains(&l.source)
            && l.detail.contains(&operation)
            && l.detail.contains("no answer within")
    })
}

pub(crate) fn load(name: &str) -> Scenario {
    Scenario::load(scenario_path(name)).unwrap()
}

#[test]
fn step_faults_beside_another_incident() {
    let mut rows = Vec::new();
    let mut broken = Vec::new();
    let mut columns = Vec::new();
    for name in MAIN_GAME_DAYS {
        let main = load(name);
        let runbook = main.runbooks[0].clone();
        let (_, other_name) = BESIDE.iter().find(|(m, _)| m == name).unwrap();
        let other = load(other_name);
        let other_runbook = other.runbooks[0].clone();
        let limit = main.engine.timeouts.step;
        let faults = faults(limit);
        columns = faults.iter().map(|(l, _)| l.clone()).collect();
        let alone = runner().run_blocking(&main, None).unwrap();
        let mut verify = None;
        for (phase, entries) in PHASES {
            let mut row = table::Row {
                runbook: runbook.clone(),
                port: (*phase).to_owned(),
                cells: Vec::new(),
            };
            let not_reached = |row: &mut table::Row, why: String| {
                row.cells = vec![why];
                row.cells.extend(faults.iter().map(|_| "—".to_owned()));
            };
            let setup = match revert::setup(phase, entries, &runbook, &main, &alone, verify) {
                Ok(setup) => setup,
                Err(why) => {
                    not_reached(&mut row, why);
                    rows.push(row);
                    continue;
                }
            };
            let mut together = beside(&setup.scenario, &other, setup.beside_at);
            together.faults.extend(setup.fault.clone());
            let sink = Arc::new(MemorySink::default());
            let clean = runner()
                .run_blocking_with(&together, None, Some(sink.clone()))
                .unwrap();
            for failure in clean.failures() {
                broken.push(format!("{name} beside {other_name}, no fault: {failure:?}"));
            }
            let expected = milestones(&clean, &other_runbook);
            if !expected.iter().any(|m| m.contains("incident_opened")) {
                broken.push(format!(
                    "{name} beside {other_name}: the other incident never opens"
                ));
            }
            let Some(at) = reached(&clean, &runbook, entries) else {
                not_reached(&mut row, format!("never reached beside {other_runbook}"));
                rows.push(row);
                continue;
            };
            let started = sink.records().first().map(|r| r.time).unwrap_or_default();
            let calls = calls_of_tick(&sink.records(), time::add(started, at));
            let over = faults.last().unwrap().1.clone();
            let hit = candidates(phase, &calls).into_iter().find(|(op, skip)| {
                let report = runner()
                    .run_blocking(&faulted(&together, at, *op, *skip, over.clone()), None)
                    .unwrap();
                timed_out(&report, &runbook, phase, at)
            });
            let Some((op, skip)) = hit else {
                not_reached(&mut row, "the phase makes no call of its own".to_owned());
                rows.push(row);
                continue;
            };
            if *phase == "verify" {
                verify = Some((setup.beside_at, at, op, skip));
            }
            row.cells.push(format!(
                "{}`{}` at {} beside {other_runbook}",
                setup.how,
                op.as_str(),
                time::HumanDuration(at)
            ));
            for (label, fault) in &faults {
                let cell = format!("{name} × {phase} × {label} beside {other_name}");
                let report = runner()
                    .run_blocking(&faulted(&together, at, op, skip, fault.clone()), None)
                    .unwrap();
                if std::env::var("CATO_STEP_DEBUG").is_ok_and(|d| cell.contains(&d)) {
                    eprintln!("{cell}\n{report}");
                }
                let mut summary = Outcome::of(&report, &runbook).summary();
                if timed_out(&report, &runbook, phase, at) {
                    summary.push_str(" · timed out");
                }
                for failure in report.failures() {
                    broken.push(format!(
                        "{cell}: {}: {}",
                        failure.expectation, failure.detail
                    ));
                }
                let seen = milestones(&report, &other_runbook);
                if seen != expected {
                    broken.push(format!(
                        "{cell}: the other incident's milestones moved:\n  fault-free: {expected:?}\n  faulted:    {seen:?}"
                    ));
                }
                row.cells.push(summary);
            }
            rows.push(row);
        }
    }
    let mut header = vec!["the faulted call".to_owned()];
    header.extend(columns);
    table::check_section(
        table::STEP_FAULTS,
        &table::render_with(&["runbook", "phase"], &header, &rows),
    );
    assert!(
        broken.is_empty(),
        "{} cell(s) broke an invariant:\n{}",
        broken.len(),
        broken.join("\n")
    );
}
