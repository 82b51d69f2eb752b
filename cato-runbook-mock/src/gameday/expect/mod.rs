//! What must happen in a scenario, and how each expectation is judged.
//!
//! An expectation about a runbook's incident (`incident_opened`, `severity`, `steps_applied`,
//! `escalated`, `resolved`, `still_open`, `root_cause`, `timeline`, `timeline_says`) must hold for *every*
//! incident that runbook opened — a runbook that opens twice must behave twice — and fails when
//! it opened none; its verdict names the incidents it failed for. `incidents` pins how many
//! incidents a runbook opened. The negative ones (`no_incident`, `step_not_applied`,
//! `not_escalated`) hold over all of the runbook's incidents, none included. `chat_posts`
//! counts the messages chat took in a channel (with a text, in a thread or not, in a window).

mod chat;
mod judge;

pub(crate) use judge::{applied_steps, opened_severity};
#[cfg(test)]
mod tests;

use std::collections::BTreeMap;
use std::fmt;

use cato_runbook_core::time::Timestamp;
use cato_runbook_core::{Incident, Severity};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::offset::Offset;
use crate::calls::CallRecord;
use crate::ops::OpMatch;
use crate::world::PagerEvent;

/// One thing that must happen (or must not), tagged by `expect` in data.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "expect", rename_all = "snake_case", deny_unknown_fields)]
#[non_exhaustive]
pub enum Expectation {
    /// Each incident of the runbook opened (with this severity, by this time); at least one
    /// did.
    IncidentOpened {
        /// The runbook.
        runbook: String,
        /// The severity it opened with.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        severity: Option<Severity>,
        /// At the latest.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        by: Option<Offset>,
    },
    /// The runbook opened no incident.
    NoIncident {
        /// The runbook.
        runbook: String,
    },
    /// The runbook opened exactly this many incidents.
    Incidents {
        /// The runbook.
        runbook: String,
        /// How many.
        count: usize,
    },
    /// Each of the runbook's incidents ended with this severity.
    Severity {
        /// The runbook.
        runbook: String,
        /// The severity at the end.
        severity: Severity,
    },
    /// In each of the runbook's incidents these steps, and only these, were applied, in this
    /// order.
    StepsApplied {
        /// The runbook.
        runbook: String,
        /// The steps, in order.
        steps: Vec<String>,
    },
    /// A step was never applied, in any of the runbook's incidents.
    StepNotApplied {
        /// The runbook.
        runbook: String,
        /// The step.
        step: String,
    },
    /// Pages that opened an alert (a re-trigger under the same dedup key does not count).
    Pages {
        /// How many.
        count: usize,
        /// Only pages to this routing name.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        target: Option<String>,
    },
    /// Each of the runbook's incidents was escalated to a role (its first escalation to it at
    /// exactly, or by, a time).
    Escalated {
        /// The runbook.
        runbook: String,
        /// The role, e.g. `Engineering Lead`.
        role: String,
        /// Exactly then.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        at: Option<Offset>,
        /// At the latest.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        by: Option<Offset>,
    },
    /// None of the runbook's incidents was escalated to a role.
    NotEscalated {
        /// The runbook.
        runbook: String,
        /// The role.
        role: String,
    },
    /// Each of the runbook's incidents was resolved (by a time).
    Resolved {
        /// The runbook.
        runbook: String,
        /// At the latest.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        by: Option<Offset>,
    },
    /// Each of the runbook's incidents is still open at the end.
    StillOpen {
        /// The runbook.
        runbook: String,
    },
    /// Operations succeeded exactly `count` times (repeats deduplicated by their idempotency key
    /// do not count).
    Calls {
        /// Which operations.
        op: OpMatch,
        /// How many times.
        count: usize,
        /// Only calls with these arguments, e.g. `{ threshold = 0.87 }` (numbers compare by
        /// value: `12` matches `12.0`).
        #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
        args: BTreeMap<String, Value>,
    },
    /// The top-ranked root cause of each of the runbook's incidents mentions this text.
    RootCause {
        /// The runbook.
        runbook: String,
        /// Text the top cause contains.
        cause: String,
    },
    /// Each of the runbook's incidents has a timeline entry of this kind (for this step); its
    /// first such entry at exactly, or by, a time.
    Timeline {
        /// The runbook.
        runbook: String,
        /// The entry's label, e.g. `approval_denied`.
        entry: String,
        /// The step it is about.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        step: Option<String>,
        /// Text the entry's detail contains (a finding's summary, a note), e.g. `not read from`.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        contains: Option<String>,
        /// Exactly then (the first such entry).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        at: Option<Offset>,
        /// At the latest (the first such entry).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        by: Option<Offset>,
    },
    /// Each incident of the runbook has an entry with this label (about this step) whose
    /// detail contains `says`: why a step waits, what a plan estimates.
    TimelineSays {
        /// The runbook.
        runbook: String,
        /// The entry's label, e.g. `approval_requested`.
        entry: String,
        /// The step it is about.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        step: Option<String>,
        /// Text the entry's detail contains.
        says: String,
    },
    /// Chat took exactly `count` messages in `channel` (with this text, in a thread or not,
    /// within a window of virtual time).
    ChatPosts {
        /// The channel, e.g. `#cato-alerts` (the `#` may be left out).
        channel: String,
        /// How many.
        count: usize,
        /// Only messages whose text contains this (case-insensitive).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        contains: Option<String>,
        /// Only replies in a thread (`true`) or only messages that start one (`false`).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        in_thread: Option<bool>,
        /// Only messages posted at or after this time.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        after: Option<Offset>,
        /// Only messages posted at or before this time.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        by: Option<Offset>,
    },
}

/// What a run produced, for judging.
#[derive(Debug, Clone, Copy)]
pub struct Outcome<'a> {
    /// T+0.
    pub start: Timestamp,
    /// Every incident, oldest first.
    pub incidents: &'a [Incident],
    /// Every pager event.
    pub pager: &'a [PagerEvent],
    /// Every port call.
    pub calls: &'a [CallRecord],
}

/// The judgement of one expectation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Verdict {
    /// The expectation, in words.
    pub expectation: String,
    /// Whether it held.
    pub passed: bool,
    /// What was seen.
    pub detail: String,
}

fn shown_args(args: &BTreeMap<String, Value>) -> String {
    args.iter()
        .map(|(name, value)| format!("{name}={value}"))
        .collect::<Vec<_>>()
        .join(", ")
}

impl fmt::Display for Expectation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let within = |by: &Option<Offset>| by.map(|b| format!(" by {b}")).unwrap_or_default();
        let exactly = |at: &Option<Offset>| at.map(|a| format!(" at {a}")).unwrap_or_default();
        match self {
            Expectation::IncidentOpened {
                runbook,
                severity,
                by,
            } => {
                write!(f, "{runbook} incident opened")?;
                if let Some(s) = severity {
                    write!(f, " as {s}")?;
                }
                write!(f, "{}", within(by))
            }
            Expectation::NoIncident { runbook } => write!(f, "no {runbook} incident"),
            Expectation::Incidents { runbook, count } => {
                write!(f, "{runbook} opens {count} incident(s)")
            }
            Expectation::Severity { runbook, severity } => {
                write!(f, "{runbook} incident ends as {severity}")
            }
            Expectation::StepsApplied { runbook, steps } => {
                write!(f, "{runbook} applies [{}]", steps.join(", "))
            }
            Expectation::StepNotApplied { runbook, step } => {
                write!(f, "{runbook} never applies {step}")
            }
            Expectation::Pages { count, target } => match target {
                Some(t) => write!(f, "{count} page(s) to {t}"),
                None => write!(f, "{count} page(s)"),
            },
            Expectation::Escalated {
                runbook,
                role,
                at,
                by,
            } => write!(
                f,
                "{runbook} escalated to {role}{}{}",
                exactly(at),
                within(by)
            ),
            Expectation::NotEscalated { runbook, role } => {
                write!(f, "{runbook} never escalated to {role}")
            }
            Expectation::Resolved { runbook, by } => write!(f, "{runbook} resolved{}", within(by)),
            Expectation::StillOpen { runbook } => write!(f, "{runbook} still open at the end"),
            Expectation::Calls { op, count, args } => {
                write!(f, "{op}")?;
                if !args.is_empty() {
                    write!(f, " with {}", shown_args(args))?;
                }
                write!(f, " succeeds {count} time(s)")
            }
            Expectation::RootCause { runbook, cause } => {
                write!(f, "{runbook} top root cause mentions {cause:?}")
            }
            Expectation::ChatPosts {
                channel,
                count,
                contains,
                in_thread,
                after,
                by,
            } => {
                write!(f, "{count} chat post(s) in {channel}")?;
                if let Some(text) = contains {
                    write!(f, " containing {text:?}")?;
                }
                match in_thread {
                    Some(true) => write!(f, " in a thread")?,
                    Some(false) => write!(f, " starting a thread")?,
                    None => {}
                }
                if let Some(after) = after {
                    write!(f, " from {after}")?;
                }
                write!(f, "{}", within(by))
            }
            Expectation::Timeline {
                runbook,
                entry,
                step,
                contains,
                at,
                by,
            } => {
                write!(f, "{runbook} timeline has {entry}")?;
                if let Some(s) = step {
                    write!(f, " for {s}")?;
                }
                if let Some(text) = contains {
                    write!(f, " saying {text:?}")?;
                }
                write!(f, "{}{}", exactly(at), within(by))
            }
            Expectation::TimelineSays {
                runbook,
                entry,
                step,
                says,
            } => {
                write!(f, "{runbook} timeline has {entry}")?;
                if let Some(s) = step {
                    write!(f, " for {s}")?;
                }
                write!(f, " saying {says:?}")
            }
        }
    }
}
