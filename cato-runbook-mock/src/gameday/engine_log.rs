//! What the engine could not do, on the game day's timeline: a line when a detector, the
//! store, the budget or the lease stops answering and one when it answers again (not one per
//! tick), and the ticks that came later than the tick interval.

use std::collections::BTreeMap;
use std::time::Duration;

use cato_runbook_core::engine::{TickEvent, TickReport};
use cato_runbook_core::time::HumanDuration;

use super::expect::Verdict;
use super::offset::clock_label;
use super::report::Line;

/// The failures seen on the last tick, and the tick times so far.
#[derive(Debug)]
pub(super) struct EngineLog {
    interval: Duration,
    previous: Option<Duration>,
    failing: BTreeMap<String, String>,
    late: Vec<String>,
}

/// What failed, in words, and why: `None` for an event that is no failure.
fn failure(event: &TickEvent) -> Option<(String, String)> {
    Some(match event {
        TickEvent::DetectorUnknown {
            runbook,
            detector,
            error,
        } => (format!("detector {runbook}/{detector}"), error.clone()),
        TickEvent::StoreFailed { incident, error } => {
            (format!("store (saving {incident})"), error.clone())
        }
        TickEvent::StoreUnavailable { what, error } => (format!("store ({what})"), error.clone()),
        TickEvent::BudgetUnreadable { error } => ("budget".to_owned(), error.clone()),
        TickEvent::LeaseUnavailable { error } => ("lease".to_owned(), error.clone()),
        _ => return None,
    })
}

impl EngineLog {
    /// A log of a run that ticks every `interval`.
    pub(super) fn new(interval: Duration) -> Self {
        EngineLog {
            interval,
            previous: None,
            failing: BTreeMap::new(),
            late: Vec::new(),
        }
    }

    /// Takes in the tick that started at `at` (since T+0); adds its news to `lines`.
    pub(super) fn tick(&mut self, at: Duration, report: &TickReport, lines: &mut Vec<Line>) {
        if let Some(previous) = self.previous
            && at.saturating_sub(previous) > self.interval
        {
            self.late.push(format!(
                "the tick at {} came {} after the one before (every {})",
                clock_label(at),
                HumanDuration(at.saturating_sub(previous)),
                HumanDuration(self.interval)
            ));
        }
        self.previous = Some(at);
        let now: BTreeMap<String, String> = report.events.iter().filter_map(failure).collect();
        let line = |what: String, detail: String| Line {
            offset: at,
            source: "engine".to_owned(),
            actor: "engine".to_owned(),
            what,
            detail,
        };
        for (what, error) in &now {
            if !self.failing.contains_key(what) {
                lines.push(line(format!("{what} cannot answer"), error.clone()));
            }
        }
        for what in self.failing.keys() {
            if !now.contains_key(what) {
                lines.push(line(format!("{what} answers again"), String::new()));
            }
        }
        self.failing = now;
    }

    /// The verdict of a run with a late tick (none when every tick was on time).
    pub(super) fn verdict(&self) -> Option<Verdict> {
        (!self.late.is_empty()).then(|| Verdict {
            expectation: "every tick on time".to_owned(),
            passed: false,
            detail: self.late.join("; "),
        })
    }
}
