//! Every expectation kind, judged on hand-made outcomes: each holds when it should and fails
//! when it should, and those about a runbook's incident judge every incident, not the first.

mod calls_and_timeline;
mod opened;
mod people;
mod resolution;
mod steps;
mod words;

use std::time::Duration;

use cato_runbook_core::incident::NewIncident;
use cato_runbook_core::runbook::RootCause;
use cato_runbook_core::time;
use cato_runbook_core::{Actor, EntryKind, Impact, Status};
use chrono::{TimeZone, Utc};

use super::*;

const RUNBOOK: &str = "shadow-self-down";
const RESTART: &str = "restart-endpoint";
const ROLLBACK: &str = "rollback-endpoint-config";
const LEAD: &str = "Engineering Lead";

fn t0() -> Timestamp {
    Utc.with_ymd_and_hms(2026, 3, 10, 9, 0, 0).unwrap()
}

/// T+`secs`.
fn at(secs: u64) -> Timestamp {
    time::add(t0(), Duration::from_secs(secs))
}

fn open(id: &str, runbook: &str, severity: Severity, secs: u64) -> Incident {
    Incident::open(
        NewIncident {
            id: id.into(),
            runbook: runbook.into(),
            resource: "cato-shadow-self".into(),
            title: "Shadow Self endpoint down".into(),
            impact: Impact::outage(),
            severity: Some(severity),
        },
        at(secs),
        Actor::Detector("endpoint-instances".into()),
    )
}

fn record(inc: &mut Incident, secs: u64, kind: EntryKind, detail: &str) {
    inc.record(at(secs), Actor::Engine, kind, detail).unwrap();
}

fn apply(inc: &mut Incident, secs: u64, step: &str) {
    record(
        inc,
        secs,
        EntryKind::MitigationApplied { step: step.into() },
        "applied",
    );
}

fn escalate(inc: &mut Incident, secs: u64, role: &str) {
    record(
        inc,
        secs,
        EntryKind::Escalated {
            role: role.into(),
            contact: "chat @lead-eng".into(),
        },
        "nobody acknowledged",
    );
}

fn resolve(inc: &mut Incident, secs: u64) {
    inc.transition(Status::Resolved, at(secs), Actor::Engine)
        .unwrap();
}

/// What a run produced, owned; [`Seen::outcome`] lends it out as the runner does.
#[derive(Default)]
struct Seen {
    incidents: Vec<Incident>,
    pager: Vec<PagerEvent>,
    calls: Vec<CallRecord>,
}

impl Seen {
    fn of(incidents: Vec<Incident>) -> Self {
        Seen {
            incidents,
            ..Seen::default()
        }
    }

    fn outcome(&self) -> Outcome<'_> {
        Outcome {
            start: t0(),
            incidents: &self.incidents,
            pager: &self.pager,
            calls: &self.calls,
        }
    }

    /// Judges an expectation written as in a scenario's `[[expect]]` table.
    fn judge(&self, toml_text: &str) -> Verdict {
        expectation(toml_text).judge(&self.outcome())
    }
}

fn expectation(toml_text: &str) -> Expectation {
    toml::from_str(toml_text).unwrap_or_else(|e| panic!("{toml_text}: {e}"))
}

#[track_caller]
fn holds(v: &Verdict) {
    assert!(v.passed, "{}: {}", v.expectation, v.detail);
}

#[track_caller]
fn fails(v: &Verdict, detail: &str) {
    assert!(!v.passed, "{} held: {}", v.expectation, v.detail);
    assert!(
        v.detail.contains(detail),
        "{}: {:?} does not say {detail:?}",
        v.expectation,
        v.detail
    );
}

/// The restart works: opened as SEV1 at T+1m30s, escalated to the lead at T+16m30s, the
/// restart applied at T+2m and verified, resolved at T+14m.
fn restart_works(id: &str, offset: u64) -> Incident {
    let mut inc = open(id, RUNBOOK, Severity::Sev1, offset + 90);
    inc.set_root_causes(
        at(offset + 90),
        vec![
            RootCause::new("container crash loop", 0.8),
            RootCause::new("out of memory (model too large)", 0.2),
        ],
    );
    record(
        &mut inc,
        offset + 120,
        EntryKind::MitigationPlanned {
            step: RESTART.into(),
        },
        "restart on the current config",
    );
    apply(&mut inc, offset + 120, RESTART);
    record(
        &mut inc,
        offset + 720,
        EntryKind::VerificationPassed {
            step: RESTART.into(),
        },
        "10 instances in service",
    );
    escalate(&mut inc, offset + 990, LEAD);
    resolve(&mut inc, offset + 840);
    inc
}
