//! What must happen in a scenario, and how each expectation is judged.

use std::fmt;

use cato_runbook_core::time::{self, Timestamp};
use cato_runbook_core::{EntryKind, Incident, Severity};
use serde::{Deserialize, Serialize};

use super::offset::Offset;
use crate::calls::CallRecord;
use crate::ops::OpMatch;
use crate::world::{PagerAction, PagerEvent};

/// One thing that must happen (or must not), tagged by `expect` in data.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "expect", rename_all = "snake_case", deny_unknown_fields)]
#[non_exhaustive]
pub enum Expectation {
    /// The runbook opened an incident (with this severity, by this time).
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
    /// The runbook's incident ended with this severity.
    Severity {
        /// The runbook.
        runbook: String,
        /// The severity at the end.
        severity: Severity,
    },
    /// These steps, and only these, were applied, in this order.
    StepsApplied {
        /// The runbook.
        runbook: String,
        /// The steps, in order.
        steps: Vec<String>,
    },
    /// A step was never applied.
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
    /// The incident was escalated to a role (at exactly, or by, a time).
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
    /// The incident was never escalated to a role.
    NotEscalated {
        /// The runbook.
        runbook: String,
        /// The role.
        role: String,
    },
    /// The incident was resolved (by a time).
    Resolved {
        /// The runbook.
        runbook: String,
        /// At the latest.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        by: Option<Offset>,
    },
    /// The incident is still open at the end.
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
    },
    /// The top-ranked root cause mentions this text.
    RootCause {
        /// The runbook.
        runbook: String,
        /// Text the top cause contains.
        cause: String,
    },
    /// The incident's timeline has an entry of this kind (for this step).
    Timeline {
        /// The runbook.
        runbook: String,
        /// The entry's label, e.g. `approval_denied`.
        entry: String,
        /// The step it is about.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        step: Option<String>,
        /// At the latest (the first such entry).
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

impl Outcome<'_> {
    fn offset(&self, at: Timestamp) -> Offset {
        Offset::new(time::elapsed(self.start, at))
    }

    fn first(&self, runbook: &str) -> Option<&Incident> {
        self.incidents
            .iter()
            .find(|i| i.runbook().as_str() == runbook)
    }

    fn of(&self, runbook: &str) -> impl Iterator<Item = &Incident> {
        self.incidents
            .iter()
            .filter(move |i| i.runbook().as_str() == runbook)
    }
}

fn verdict(expectation: &Expectation, passed: bool, detail: impl Into<String>) -> Verdict {
    Verdict {
        expectation: expectation.to_string(),
        passed,
        detail: detail.into(),
    }
}

impl Expectation {
    /// Judges the expectation against what happened.
    pub fn judge(&self, outcome: &Outcome<'_>) -> Verdict {
        let none =
            |runbook: &str| verdict(self, false, format!("no {runbook} incident was opened"));
        match self {
            Expectation::IncidentOpened {
                runbook,
                severity,
                by,
            } => {
                let Some(inc) = outcome.first(runbook) else {
                    return none(runbook);
                };
                let opened = outcome.offset(inc.detected_at());
                let opened_with = inc.timeline().iter().find_map(|e| match e.kind {
                    EntryKind::IncidentOpened { severity } => Some(severity),
                    _ => None,
                });
                let sev_ok = severity.is_none_or(|s| opened_with == Some(s));
                let time_ok = by.is_none_or(|by| opened <= by);
                let shown = opened_with.map_or_else(|| "?".to_owned(), |s| s.to_string());
                verdict(
                    self,
                    sev_ok && time_ok,
                    format!("{} opened at {opened} as {shown}", inc.id()),
                )
            }
            Expectation::NoIncident { runbook } => {
                let ids: Vec<_> = outcome.of(runbook).map(|i| i.id().to_string()).collect();
                verdict(
                    self,
                    ids.is_empty(),
                    if ids.is_empty() {
                        "none opened".into()
                    } else {
                        format!("opened {}", ids.join(", "))
                    },
                )
            }
            Expectation::Severity { runbook, severity } => {
                let Some(inc) = outcome.first(runbook) else {
                    return none(runbook);
                };
                verdict(
                    self,
                    inc.severity() == *severity,
                    format!("{} ended as {}", inc.id(), inc.severity()),
                )
            }
            Expectation::StepsApplied { runbook, steps } => {
                let applied: Vec<String> = outcome
                    .of(runbook)
                    .flat_map(|i| i.timeline().iter())
                    .filter_map(|e| match &e.kind {
                        EntryKind::MitigationApplied { step } => Some(step.clone()),
                        _ => None,
                    })
                    .collect();
                verdict(
                    self,
                    &applied == steps,
                    format!("applied [{}]", applied.join(", ")),
                )
            }
            Expectation::StepNotApplied { runbook, step } => {
                let times = outcome
                    .of(runbook)
                    .flat_map(|i| i.timeline().iter())
                    .filter(|e| matches!(&e.kind, EntryKind::MitigationApplied { step: s } if s == step))
                    .count();
                verdict(self, times == 0, format!("applied {times} time(s)"))
            }
            Expectation::Pages { count, target } => {
                let opened = outcome
                    .pager
                    .iter()
                    .filter(|p| p.action == PagerAction::Opened)
                    .filter(|p| target.as_ref().is_none_or(|t| &p.target == t))
                    .count();
                verdict(
                    self,
                    opened == *count,
                    format!("{opened} page(s) opened an alert"),
                )
            }
            Expectation::Escalated {
                runbook,
                role,
                at,
                by,
            } => {
                let Some(inc) = outcome.first(runbook) else {
                    return none(runbook);
                };
                let when = escalations(inc, role).next().map(|t| outcome.offset(t));
                let Some(when) = when else {
                    return verdict(
                        self,
                        false,
                        format!("{} was never escalated to {role}", inc.id()),
                    );
                };
                let ok = at.is_none_or(|at| when == at) && by.is_none_or(|by| when <= by);
                verdict(self, ok, format!("escalated to {role} at {when}"))
            }
            Expectation::NotEscalated { runbook, role } => {
                let times: Vec<_> = outcome
                    .of(runbook)
                    .flat_map(|i| escalations(i, role))
                    .collect();
                verdict(
                    self,
                    times.is_empty(),
                    match times.first() {
                        None => "never escalated".to_owned(),
                        Some(t) => format!("escalated at {}", outcome.offset(*t)),
                    },
                )
            }
            Expectation::Resolved { runbook, by } => {
                let Some(inc) = outcome.first(runbook) else {
                    return none(runbook);
                };
                match inc.phases().resolved {
                    Some(at) => {
                        let when = outcome.offset(at);
                        verdict(
                            self,
                            by.is_none_or(|by| when <= by),
                            format!("{} resolved at {when}", inc.id()),
                        )
                    }
                    None => verdict(
                        self,
                        false,
                        format!("{} is still {}", inc.id(), inc.status()),
                    ),
                }
            }
            Expectation::StillOpen { runbook } => {
                let Some(inc) = outcome.first(runbook) else {
                    return none(runbook);
                };
                verdict(
                    self,
                    inc.is_open(),
                    format!("{} is {}", inc.id(), inc.status()),
                )
            }
            Expectation::Calls { op, count } => {
                let applied = outcome
                    .calls
                    .iter()
                    .filter(|c| op.matches(c.op) && c.applied())
                    .count();
                verdict(
                    self,
                    applied == *count,
                    format!("{applied} successful call(s)"),
                )
            }
            Expectation::RootCause { runbook, cause } => {
                let Some(inc) = outcome.first(runbook) else {
                    return none(runbook);
                };
                match inc.root_causes().first() {
                    Some(top) => verdict(
                        self,
                        top.cause.to_lowercase().contains(&cause.to_lowercase()),
                        format!("top cause: {} ({:.0} %)", top.cause, top.confidence * 100.0),
                    ),
                    None => verdict(self, false, "no root cause ranked"),
                }
            }
            Expectation::Timeline {
                runbook,
                entry,
                step,
                by,
            } => {
                let found = outcome
                    .of(runbook)
                    .flat_map(|i| i.timeline().iter())
                    .find(|e| {
                        e.kind.label() == entry
                            && step
                                .as_ref()
                                .is_none_or(|s| e.kind.step() == Some(s.as_str()))
                    });
                match found {
                    Some(e) => verdict(
                        self,
                        by.is_none_or(|by| outcome.offset(e.at) <= by),
                        format!("at {}: {}", outcome.offset(e.at), e.detail),
                    ),
                    None => verdict(self, false, "no such entry"),
                }
            }
        }
    }
}

fn escalations<'a>(inc: &'a Incident, role: &'a str) -> impl Iterator<Item = Timestamp> + 'a {
    inc.timeline().iter().filter_map(move |e| match &e.kind {
        EntryKind::Escalated { role: r, .. } if r == role => Some(e.at),
        _ => None,
    })
}

impl fmt::Display for Expectation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let within = |by: &Option<Offset>| by.map(|b| format!(" by {b}")).unwrap_or_default();
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
            } => {
                write!(f, "{runbook} escalated to {role}")?;
                if let Some(at) = at {
                    write!(f, " at {at}")?;
                }
                write!(f, "{}", within(by))
            }
            Expectation::NotEscalated { runbook, role } => {
                write!(f, "{runbook} never escalated to {role}")
            }
            Expectation::Resolved { runbook, by } => write!(f, "{runbook} resolved{}", within(by)),
            Expectation::StillOpen { runbook } => write!(f, "{runbook} still open at the end"),
            Expectation::Calls { op, count } => write!(f, "{op} succeeds {count} time(s)"),
            Expectation::RootCause { runbook, cause } => {
                write!(f, "{runbook} top root cause mentions {cause:?}")
            }
            Expectation::Timeline {
                runbook,
                entry,
                step,
                by,
            } => {
                write!(f, "{runbook} timeline has {entry}")?;
                if let Some(s) = step {
                    write!(f, " for {s}")?;
                }
                if let Some(by) = by {
                    write!(f, " by {by}")?;
                }
                Ok(())
            }
        }
    }
}
