//! A run's decisions as expectations: what makes a replayed incident a regression test.

use std::collections::BTreeSet;

use cato_runbook_core::time::{self, Timestamp};
use cato_runbook_core::{Incident, Severity};

use super::expect::{Expectation, applied_steps, opened_severity};
use super::offset::Offset;

/// The decisions the engine took in `incidents` (started at `start`), for each of `runbooks`,
/// as expectations a later run must meet: how many incidents, opened with which severity and
/// by when, the severity at the end, the steps applied (in order, and each at its time), and
/// resolved by when or still open; a runbook that opened nothing must open nothing.
pub fn decisions(
    start: Timestamp,
    incidents: &[Incident],
    runbooks: &[String],
) -> Vec<Expectation> {
    let offset = |at: Timestamp| Offset::new(time::elapsed(start, at));
    let mut out = Vec::new();
    for runbook in runbooks {
        let of: Vec<&Incident> = incidents
            .iter()
            .filter(|i| i.runbook().as_str() == runbook.as_str())
            .collect();
        if of.is_empty() {
            out.push(Expectation::NoIncident {
                runbook: runbook.clone(),
            });
            continue;
        }
        out.push(Expectation::Incidents {
            runbook: runbook.clone(),
            count: of.len(),
        });
        let opened = of
            .iter()
            .map(|i| opened_severity(i))
            .collect::<BTreeSet<_>>();
        out.push(Expectation::IncidentOpened {
            runbook: runbook.clone(),
            severity: single(&opened).flatten(),
            by: of.iter().map(|i| offset(i.detected_at())).max(),
        });
        let ended = of
            .iter()
            .map(|i| i.severity())
            .collect::<BTreeSet<Severity>>();
        if let Some(severity) = single(&ended) {
            out.push(Expectation::Severity {
                runbook: runbook.clone(),
                severity,
            });
        }
        let ladders = of
            .iter()
            .map(|i| applied_steps(i).map(str::to_owned).collect::<Vec<_>>())
            .collect::<BTreeSet<_>>();
        if let Some(steps) = single(&ladders) {
            out.push(Expectation::StepsApplied {
                runbook: runbook.clone(),
                steps,
            });
        }
        if let [incident] = of.as_slice() {
            let mut seen = BTreeSet::new();
            for entry in incident.timeline().iter() {
                let Some(step) = entry.kind.step() else {
                    continue;
                };
                if entry.kind.label() == "mitigation_applied" && seen.insert(step.to_owned()) {
                    out.push(Expectation::Timeline {
                        runbook: runbook.clone(),
                        entry: "mitigation_applied".to_owned(),
                        step: Some(step.to_owned()),
                        at: Some(offset(entry.at)),
                        by: None,
                        contains: None,
                    });
                }
            }
        }
        let resolved: Option<Vec<Timestamp>> = of.iter().map(|i| i.phases().resolved).collect();
        out.push(match resolved {
            Some(times) => Expectation::Resolved {
                runbook: runbook.clone(),
                by: times.into_iter().map(offset).max(),
            },
            None if of.iter().all(|i| i.is_open()) => Expectation::StillOpen {
                runbook: runbook.clone(),
            },
            // Some resolved and some not: the count and the ladder say enough.
            None => continue,
        });
    }
    out
}

/// The one element of `set`, when it has exactly one.
fn single<T: Clone>(set: &BTreeSet<T>) -> Option<T> {
    match set.len() {
        1 => set.iter().next().cloned(),
        _ => None,
    }
}
