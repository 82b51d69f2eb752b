//! What must hold after every step of a schedule, and at its end.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use cato_runbook_core::Severity;
use cato_runbook_core::ports::IncidentStore;

use super::SimReport;
use crate::calls::{CallOutcome, CallRecord};
use crate::world::World;

/// Ports whose calls are not mitigations (notifications fail open and may repeat; the store
/// and the lease are the engine's own).
const NOT_STEPS: [&str; 5] = ["pager", "chat", "mail", "incident_store", "lease"];

/// An invariant a schedule broke.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Violation {
    /// One change of a step reached the provider more than once.
    AppliedTwice {
        /// The step's idempotency key.
        key: String,
        /// The operation and its arguments.
        call: String,
        /// How many times it reached the fake (applied or deduplicated).
        times: usize,
    },
    /// Two open incidents on one dedup key.
    TwoOpen {
        /// The key.
        key: String,
        /// The incidents.
        incidents: Vec<String>,
    },
    /// A SEV1 incident nobody was paged for.
    NotPaged {
        /// The incident.
        incident: String,
    },
    /// An expected runbook has no incident in the store.
    Lost {
        /// The runbook.
        runbook: String,
    },
    /// The store could not be read to check.
    Unreadable(String),
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Violation::AppliedTwice { key, call, times } => {
                write!(f, "{call} under {key} reached the provider {times} times")
            }
            Violation::TwoOpen { key, incidents } => {
                write!(
                    f,
                    "{} open incidents on {key}: {}",
                    incidents.len(),
                    incidents.join(", ")
                )
            }
            Violation::NotPaged { incident } => write!(f, "SEV1 {incident} was never paged"),
            Violation::Lost { runbook } => write!(f, "no {runbook} incident in the store"),
            Violation::Unreadable(why) => write!(f, "the store could not be read: {why}"),
        }
    }
}

fn reached(call: &CallRecord) -> bool {
    matches!(call.outcome, CallOutcome::Ok | CallOutcome::Deduplicated)
}

fn push(report: &mut SimReport, violation: Violation) {
    if !report.violations.contains(&violation) {
        report.violations.push(violation);
    }
}

/// A person on another replica writes a note on the oldest open incident, under
/// compare-and-swap; returns whether it wrote.
pub(super) async fn foreign_write(world: &World) -> bool {
    let Ok(open) = world.store().open().await else {
        return false;
    };
    let Some(stored) = open.into_iter().next() else {
        return false;
    };
    let mut incident = stored.value;
    incident.note(
        world.now(),
        cato_runbook_core::Actor::person("someone-else"),
        "looked from another replica",
    );
    // A person's write carries the current holder's fence (as a standby's operator does).
    world
        .store()
        .update(&incident, stored.version, world.lease_fence())
        .await
        .is_ok()
}

/// After every step: no change applied twice, no key with two open incidents.
pub(super) async fn during(world: &World, report: &mut SimReport) {
    let mut changes: BTreeMap<(String, String), usize> = BTreeMap::new();
    let mut steps = 0;
    for call in world.calls().all() {
        if !call.op.mutates() || NOT_STEPS.contains(&call.op.port()) || !reached(&call) {
            continue;
        }
        let Some(key) = &call.key else { continue };
        steps += 1;
        let change = format!("{} {}", call.op, call.args);
        *changes.entry((key.to_string(), change)).or_default() += 1;
    }
    report.step_calls = steps;
    for ((key, call), times) in changes {
        if times > 1 {
            push(report, Violation::AppliedTwice { key, call, times });
        }
    }
    let open = match world.store().open().await {
        Ok(open) => open,
        Err(err) => return push(report, Violation::Unreadable(err.to_string())),
    };
    let mut by_key: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for stored in open {
        by_key
            .entry(stored.value.dedup_key().to_string())
            .or_default()
            .push(stored.value.id().to_string());
    }
    for (key, incidents) in by_key {
        if incidents.len() > 1 {
            push(report, Violation::TwoOpen { key, incidents });
        }
    }
}

/// At the end: every SEV1 paged, every expected runbook's incident kept.
pub(super) async fn at_end(world: &World, expected: &[String], report: &mut SimReport) {
    let all = match world.store().all().await {
        Ok(all) => all,
        Err(err) => return push(report, Violation::Unreadable(err.to_string())),
    };
    let paged: BTreeSet<String> = world
        .calls()
        .all()
        .iter()
        .filter(|c| c.op.port() == "pager" && c.op.as_str() == "pager.trigger" && reached(c))
        .filter_map(|c| c.arg_str("dedup_key").map(str::to_owned))
        .collect();
    for incident in &all {
        if incident.severity() == Severity::Sev1 && !paged.contains(incident.id().as_str()) {
            push(
                report,
                Violation::NotPaged {
                    incident: incident.id().to_string(),
                },
            );
        }
    }
    for runbook in expected {
        if !all.iter().any(|i| i.runbook().as_str() == runbook) {
            push(
                report,
                Violation::Lost {
                    runbook: runbook.clone(),
                },
            );
        }
    }
}
