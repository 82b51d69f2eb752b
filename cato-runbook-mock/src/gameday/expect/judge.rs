//! How each expectation is judged against what a run produced.

use std::collections::BTreeMap;

use cato_runbook_core::time::{self, Timestamp};
use cato_runbook_core::{EntryKind, Incident, Severity};
use serde_json::Value;

use super::{Expectation, Outcome, Verdict, shown_args};
use crate::calls::CallRecord;
use crate::gameday::offset::Offset;
use crate::world::PagerAction;

impl Outcome<'_> {
    pub(super) fn offset(&self, at: Timestamp) -> Offset {
        Offset::new(time::elapsed(self.start, at))
    }

    fn of(&self, runbook: &str) -> impl Iterator<Item = &Incident> {
        self.incidents
            .iter()
            .filter(move |i| i.runbook().as_str() == runbook)
    }
}

pub(super) fn verdict(
    expectation: &Expectation,
    passed: bool,
    detail: impl Into<String>,
) -> Verdict {
    Verdict {
        expectation: expectation.to_string(),
        passed,
        detail: detail.into(),
    }
}

impl Expectation {
    /// Judges the expectation against what happened.
    pub fn judge(&self, outcome: &Outcome<'_>) -> Verdict {
        match self {
            Expectation::IncidentOpened {
                runbook,
                severity,
                by,
            } => self.each(outcome, runbook, |inc| {
                let opened = outcome.offset(inc.detected_at());
                let opened_with = opened_severity(inc);
                let sev_ok = severity.is_none_or(|s| opened_with == Some(s));
                let time_ok = by.is_none_or(|by| opened <= by);
                let shown = opened_with.map_or_else(|| "?".to_owned(), |s| s.to_string());
                (
                    sev_ok && time_ok,
                    format!("{} opened at {opened} as {shown}", inc.id()),
                )
            }),
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
            Expectation::Incidents { runbook, count } => {
                let opened: Vec<_> = outcome
                    .of(runbook)
                    .map(|i| format!("{} at {}", i.id(), outcome.offset(i.detected_at())))
                    .collect();
                verdict(
                    self,
                    opened.len() == *count,
                    if opened.is_empty() {
                        "none opened".to_owned()
                    } else {
                        format!("{} opened: {}", opened.len(), opened.join(", "))
                    },
                )
            }
            Expectation::Severity { runbook, severity } => self.each(outcome, runbook, |inc| {
                (
                    inc.severity() == *severity,
                    format!("{} ended as {}", inc.id(), inc.severity()),
                )
            }),
            Expectation::StepsApplied { runbook, steps } => self.each(outcome, runbook, |inc| {
                let applied: Vec<&str> = applied_steps(inc).collect();
                let expected: Vec<&str> = steps.iter().map(String::as_str).collect();
                (
                    applied == expected,
                    format!("{} applied [{}]", inc.id(), applied.join(", ")),
                )
            }),
            Expectation::StepNotApplied { runbook, step } => {
                let by: Vec<String> = outcome
                    .of(runbook)
                    .filter_map(|i| {
                        let times = applied_steps(i).filter(|s| *s == step.as_str()).count();
                        (times > 0).then(|| format!("{} applied it {times} time(s)", i.id()))
                    })
                    .collect();
                verdict(
                    self,
                    by.is_empty(),
                    if by.is_empty() {
                        "applied 0 time(s)".to_owned()
                    } else {
                        by.join("; ")
                    },
                )
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
            } => self.each(outcome, runbook, |inc| {
                match escalations(inc, role).next().map(|t| outcome.offset(t)) {
                    None => (false, format!("{} was never escalated to {role}", inc.id())),
                    Some(when) => (
                        at.is_none_or(|at| when == at) && by.is_none_or(|by| when <= by),
                        format!("{} escalated to {role} at {when}", inc.id()),
                    ),
                }
            }),
            Expectation::NotEscalated { runbook, role } => {
                let seen: Vec<String> = outcome
                    .of(runbook)
                    .filter_map(|i| {
                        escalations(i, role)
                            .next()
                            .map(|t| format!("{} escalated at {}", i.id(), outcome.offset(t)))
                    })
                    .collect();
                verdict(
                    self,
                    seen.is_empty(),
                    if seen.is_empty() {
                        "never escalated".to_owned()
                    } else {
                        seen.join("; ")
                    },
                )
            }
            Expectation::Resolved { runbook, by } => {
                self.each(outcome, runbook, |inc| match inc.phases().resolved {
                    Some(at) => {
                        let when = outcome.offset(at);
                        (
                            by.is_none_or(|by| when <= by),
                            format!("{} resolved at {when}", inc.id()),
                        )
                    }
                    None => (false, format!("{} is still {}", inc.id(), inc.status())),
                })
            }
            Expectation::StillOpen { runbook } => self.each(outcome, runbook, |inc| {
                (inc.is_open(), format!("{} is {}", inc.id(), inc.status()))
            }),
            Expectation::Calls { op, count, args } => {
                let of_op: Vec<&CallRecord> = outcome
                    .calls
                    .iter()
                    .filter(|c| op.matches(c.op) && c.applied())
                    .collect();
                let matching = of_op.iter().filter(|c| args_match(c, args)).count();
                let detail = if args.is_empty() {
                    format!("{matching} successful call(s)")
                } else {
                    let seen: Vec<String> = of_op.iter().map(|c| c.args.to_string()).collect();
                    format!(
                        "{matching} of {} successful call(s) with {}; arguments seen: [{}]",
                        of_op.len(),
                        shown_args(args),
                        seen.join(", ")
                    )
                };
                verdict(self, matching == *count, detail)
            }
            Expectation::RootCause { runbook, cause } => {
                self.each(outcome, runbook, |inc| match inc.root_causes().first() {
                    Some(top) => (
                        top.cause.to_lowercase().contains(&cause.to_lowercase()),
                        format!(
                            "{} top cause: {} ({:.0} %)",
                            inc.id(),
                            top.cause,
                            top.confidence * 100.0
                        ),
                    ),
                    None => (false, format!("{} has no root cause ranked", inc.id())),
                })
            }
            Expectation::ChatPosts { .. } => self.chat_posts(outcome),
            Expectation::Timeline {
                runbook,
                entry,
                step,
                contains,
                at,
                by,
            } => self.each(outcome, runbook, |inc| {
                let found = inc.timeline().iter().find(|e| {
                    e.kind.label() == entry
                        && step
                            .as_ref()
                            .is_none_or(|s| e.kind.step() == Some(s.as_str()))
                        && contains
                            .as_ref()
                            .is_none_or(|text| e.detail.contains(text.as_str()))
                });
                match found {
                    Some(e) => {
                        let when = outcome.offset(e.at);
                        (
                            at.is_none_or(|at| when == at) && by.is_none_or(|by| when <= by),
                            format!("{} at {when}: {}", inc.id(), e.detail),
                        )
                    }
                    None => (false, format!("{} has no such entry", inc.id())),
                }
            }),
            Expectation::TimelineSays {
                runbook,
                entry,
                step,
                says,
            } => self.each(outcome, runbook, |inc| {
                let mut matching = inc.timeline().iter().filter(|e| {
                    e.kind.label() == entry
                        && step
                            .as_ref()
                            .is_none_or(|s| e.kind.step() == Some(s.as_str()))
                });
                let first = matching.clone().next().map(|e| e.detail.clone());
                match (matching.find(|e| e.detail.contains(says.as_str())), first) {
                    (Some(e), _) => (
                        true,
                        format!("{} at {}: {}", inc.id(), outcome.offset(e.at), e.detail),
                    ),
                    (None, Some(detail)) => (false, format!("{} says {detail}", inc.id())),
                    (None, None) => (false, format!("{} has no such entry", inc.id())),
                }
            }),
        }
    }

    /// Judges `check` on every incident of `runbook`: the expectation holds when the runbook
    /// opened at least one and `check` holds for each. `check` says whether it held and what
    /// was seen, naming the incident.
    fn each(
        &self,
        outcome: &Outcome<'_>,
        runbook: &str,
        check: impl Fn(&Incident) -> (bool, String),
    ) -> Verdict {
        let results: Vec<(bool, String)> = outcome.of(runbook).map(check).collect();
        if results.is_empty() {
            return verdict(self, false, format!("no {runbook} incident was opened"));
        }
        let failed: Vec<&str> = results
            .iter()
            .filter(|(held, _)| !held)
            .map(|(_, seen)| seen.as_str())
            .collect();
        if failed.is_empty() {
            let seen: Vec<&str> = results.iter().map(|(_, seen)| seen.as_str()).collect();
            return verdict(self, true, seen.join("; "));
        }
        let detail = if results.len() == 1 {
            failed.join("; ")
        } else {
            format!(
                "failed for {} of {} {runbook} incidents: {}",
                failed.len(),
                results.len(),
                failed.join("; ")
            )
        };
        verdict(self, false, detail)
    }
}

/// The severity an incident opened with (its `incident_opened` entry).
pub(crate) fn opened_severity(inc: &Incident) -> Option<Severity> {
    inc.timeline().iter().find_map(|e| match e.kind {
        EntryKind::IncidentOpened { severity } => Some(severity),
        _ => None,
    })
}

/// The steps an incident applied, in order.
pub(crate) fn applied_steps(inc: &Incident) -> impl Iterator<Item = &str> + '_ {
    inc.timeline().iter().filter_map(|e| match &e.kind {
        EntryKind::MitigationApplied { step } => Some(step.as_str()),
        _ => None,
    })
}

fn escalations<'a>(inc: &'a Incident, role: &'a str) -> impl Iterator<Item = Timestamp> + 'a {
    inc.timeline().iter().filter_map(move |e| match &e.kind {
        EntryKind::Escalated { role: r, .. } if r == role => Some(e.at),
        _ => None,
    })
}

/// Whether the call has every one of `args`.
fn args_match(call: &CallRecord, args: &BTreeMap<String, Value>) -> bool {
    args.iter()
        .all(|(name, want)| call.arg(name).is_some_and(|got| same_value(got, want)))
}

/// JSON equality, with numbers compared by value (a recorded `12` matches a written `12.0`).
fn same_value(got: &Value, want: &Value) -> bool {
    match (got.as_f64(), want.as_f64()) {
        (Some(a), Some(b)) => (a - b).abs() <= 1e-9 * a.abs().max(b.abs()).max(1.0),
        _ => got == want,
    }
}
