//! What a game day reports: the timeline, and a verdict per expectation.

use std::collections::BTreeMap;
use std::fmt;
use std::time::Duration;

use cato_runbook_core::Incident;
use serde::{Deserialize, Serialize};

use super::expect::Verdict;
use super::offset::clock_label;
use crate::world::PagerEvent;

/// One line of a game day's merged timeline.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Line {
    /// Time since T+0.
    #[serde(with = "humantime_serde")]
    pub offset: Duration,
    /// The incident, or `world` for what happened to the world.
    pub source: String,
    /// Who.
    pub actor: String,
    /// What, e.g. `mitigation_applied restart-endpoint`.
    pub what: String,
    /// Details.
    pub detail: String,
}

/// The result of one game day.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Report {
    /// The scenario's name.
    pub scenario: String,
    /// The seed it ran with.
    pub seed: u64,
    /// Virtual time it ran.
    #[serde(with = "humantime_serde")]
    pub duration: Duration,
    /// Engine ticks.
    pub ticks: u64,
    /// Whether every expectation held.
    pub passed: bool,
    /// One verdict per expectation, in the scenario's order.
    pub verdicts: Vec<Verdict>,
    /// Everything that happened, in time order.
    pub timeline: Vec<Line>,
    /// The incidents, as saved.
    pub incidents: Vec<Incident>,
    /// Every pager event.
    pub pages: Vec<PagerEvent>,
    /// Each runbook's prevention items, for the postmortems.
    pub prevention: BTreeMap<String, Vec<String>>,
    /// Calls per operation (`endpoint.describe` → 12).
    #[serde(default)]
    pub calls: BTreeMap<String, u64>,
    /// Changes that took effect more than once under one idempotency key: empty on a sound
    /// run (a run with one fails its verdicts).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub repeated_changes: Vec<String>,
}

impl Report {
    /// The verdicts that failed.
    pub fn failures(&self) -> impl Iterator<Item = &Verdict> {
        self.verdicts.iter().filter(|v| !v.passed)
    }
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "== {} (seed {}) ==", self.scenario, self.seed)?;
        for line in &self.timeline {
            write!(
                f,
                "{} {:<10} [{}] {}",
                clock_label(line.offset),
                line.source,
                line.actor,
                line.what
            )?;
            if !line.detail.is_empty() {
                write!(f, ": {}", line.detail)?;
            }
            writeln!(f)?;
        }
        writeln!(f, "-- verdicts --")?;
        for v in &self.verdicts {
            writeln!(
                f,
                "{} {} — {}",
                if v.passed { "PASS" } else { "FAIL" },
                v.expectation,
                v.detail
            )?;
        }
        let passed = self.verdicts.iter().filter(|v| v.passed).count();
        write!(
            f,
            "{}: {passed}/{} expectations held",
            if self.passed { "PASSED" } else { "FAILED" },
            self.verdicts.len()
        )
    }
}
