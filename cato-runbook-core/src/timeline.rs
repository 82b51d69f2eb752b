//! The incident log: an append-only list of typed entries.
//!
//! The runbook's triage ends with "start incident log". Every decision the engine takes and
//! everything a person does goes here, in order. The API can add an entry and read entries; no
//! API edits or removes one.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::severity::Severity;
use crate::time::Timestamp;

/// Who caused a timeline entry.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "type", content = "name", rename_all = "snake_case")]
pub enum Actor {
    /// The automation engine.
    Engine,
    /// A detector, by name.
    Detector(String),
    /// A person (operator, on-call engineer), by name or handle.
    Person(String),
}

impl Actor {
    /// A person by name.
    pub fn person(name: impl Into<String>) -> Self {
        Actor::Person(name.into())
    }
}

impl fmt::Display for Actor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Actor::Engine => f.write_str("engine"),
            Actor::Detector(name) => write!(f, "detector {name}"),
            Actor::Person(name) => f.write_str(name),
        }
    }
}

/// What happened. Steps are named by the mitigation's name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[non_exhaustive]
pub enum EntryKind {
    /// A detector saw a symptom.
    SymptomObserved,
    /// An incident was opened.
    IncidentOpened {
        /// The severity it opened with.
        severity: Severity,
    },
    /// The severity changed.
    SeverityChanged {
        /// Before.
        from: Severity,
        /// After.
        to: Severity,
    },
    /// The lifecycle status changed.
    StatusChanged {
        /// Before.
        from: crate::incident::Status,
        /// After.
        to: crate::incident::Status,
    },
    /// Someone was notified.
    Notified {
        /// The channel: `pager`, `chat`, …
        channel: String,
        /// Who or where: a service, a Slack channel.
        target: String,
    },
    /// A notification could not be delivered.
    NotificationFailed {
        /// The channel: `pager`, `chat`, `mail`, …
        channel: String,
        /// Who or where.
        target: String,
    },
    /// The incident was escalated to a contact.
    Escalated {
        /// The role escalated to, e.g. `Engineering Lead`.
        role: String,
        /// How that role is reached.
        contact: String,
    },
    /// Someone acknowledged the incident.
    Acknowledged,
    /// A diagnosis recorded a finding.
    FindingRecorded {
        /// The diagnosis that made it.
        source: String,
    },
    /// Ranked root-cause candidates were recorded.
    RootCausesRanked,
    /// A mitigation step was planned (its dry-run description is the detail).
    MitigationPlanned {
        /// The step.
        step: String,
    },
    /// A step waits for an operator's approval.
    ApprovalRequested {
        /// The step.
        step: String,
    },
    /// An operator approved a step.
    ApprovalGranted {
        /// The step.
        step: String,
    },
    /// An operator denied a step.
    ApprovalDenied {
        /// The step.
        step: String,
    },
    /// Nobody answered an approval request in time.
    ApprovalExpired {
        /// The step.
        step: String,
    },
    /// A step was applied.
    MitigationApplied {
        /// The step.
        step: String,
    },
    /// Applying a step failed.
    MitigationFailed {
        /// The step.
        step: String,
    },
    /// A call of a step failed with an error a retry may help (transient, throttled) and is
    /// tried again later on the same rung; the error and the time of the next try are the
    /// detail.
    StepRetried {
        /// The step.
        step: String,
        /// The call: `plan`, `apply`, `verify` or `revert`.
        call: String,
        /// The try that failed, from 1.
        attempt: u32,
    },
    /// Whether an apply landed is unknown (it timed out): the step's verification, which reads
    /// the resource, decides.
    MitigationUnknown {
        /// The step.
        step: String,
    },
    /// A step was not applied; the reason is in `reason`.
    MitigationSkipped {
        /// The step.
        step: String,
        /// Why: dry-run, cooldown, cap, kill switch, precondition, another replica acts, …
        reason: String,
    },
    /// A step's verification passed.
    VerificationPassed {
        /// The step.
        step: String,
    },
    /// A step's verification failed.
    VerificationFailed {
        /// The step.
        step: String,
    },
    /// A step was undone.
    MitigationReverted {
        /// The step.
        step: String,
    },
    /// The response deadline of the severity passed without an acknowledgement.
    SlaBreached,
    /// The incident was resolved.
    Resolved,
    /// The incident was closed (its postmortem is written).
    Closed,
    /// A free-form note.
    Note,
}

impl EntryKind {
    /// A short, stable label: `mitigation_applied`, `note`, …
    pub fn label(&self) -> &'static str {
        match self {
            EntryKind::SymptomObserved => "symptom_observed",
            EntryKind::IncidentOpened { .. } => "incident_opened",
            EntryKind::SeverityChanged { .. } => "severity_changed",
            EntryKind::StatusChanged { .. } => "status_changed",
            EntryKind::Notified { .. } => "notified",
            EntryKind::NotificationFailed { .. } => "notification_failed",
            EntryKind::Escalated { .. } => "escalated",
            EntryKind::Acknowledged => "acknowledged",
            EntryKind::FindingRecorded { .. } => "finding_recorded",
            EntryKind::RootCausesRanked => "root_causes_ranked",
            EntryKind::MitigationPlanned { .. } => "mitigation_planned",
            EntryKind::ApprovalRequested { .. } => "approval_requested",
            EntryKind::ApprovalGranted { .. } => "approval_granted",
            EntryKind::ApprovalDenied { .. } => "approval_denied",
            EntryKind::ApprovalExpired { .. } => "approval_expired",
            EntryKind::MitigationApplied { .. } => "mitigation_applied",
            EntryKind::MitigationFailed { .. } => "mitigation_failed",
            EntryKind::MitigationSkipped { .. } => "mitigation_skipped",
            EntryKind::StepRetried { .. } => "step_retried",
            EntryKind::MitigationUnknown { .. } => "mitigation_unknown",
            EntryKind::VerificationPassed { .. } => "verification_passed",
            EntryKind::VerificationFailed { .. } => "verification_failed",
            EntryKind::MitigationReverted { .. } => "mitigation_reverted",
            EntryKind::SlaBreached => "sla_breached",
            EntryKind::Resolved => "resolved",
            EntryKind::Closed => "closed",
            EntryKind::Note => "note",
        }
    }

    /// The mitigation step this entry is about, if any.
    pub fn step(&self) -> Option<&str> {
        match self {
            EntryKind::MitigationPlanned { step }
            | EntryKind::ApprovalRequested { step }
            | EntryKind::ApprovalGranted { step }
            | EntryKind::ApprovalDenied { step }
            | EntryKind::ApprovalExpired { step }
            | EntryKind::MitigationApplied { step }
            | EntryKind::MitigationFailed { step }
            | EntryKind::MitigationSkipped { step, .. }
            | EntryKind::StepRetried { step, .. }
            | EntryKind::MitigationUnknown { step }
            | EntryKind::VerificationPassed { step }
            | EntryKind::VerificationFailed { step }
            | EntryKind::MitigationReverted { step } => Some(step),
            _ => None,
        }
    }
}

/// One line of the incident log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry {
    /// When it happened (clock time).
    pub at: Timestamp,
    /// Who caused it.
    pub actor: Actor,
    /// What happened.
    #[serde(flatten)]
    pub kind: EntryKind,
    /// Free text: the finding, the plan, the reason, the note.
    pub detail: String,
}

impl fmt::Display for Entry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} [{}] {}",
            self.at.format("%Y-%m-%d %H:%M:%S"),
            self.actor,
            self.kind.label()
        )?;
        if let Some(step) = self.kind.step() {
            write!(f, " {step}")?;
        }
        if !self.detail.is_empty() {
            write!(f, ": {}", self.detail)?;
        }
        Ok(())
    }
}

/// The append-only incident log.
///
/// ```
/// use cato_runbook_core::timeline::{Actor, EntryKind, Timeline};
/// use chrono::{TimeZone, Utc};
///
/// let mut log = Timeline::default();
/// let t0 = Utc.with_ymd_and_hms(2026, 3, 1, 12, 0, 0).unwrap();
/// log.append(t0, Actor::Engine, EntryKind::SymptomObserved, "p99 2.4 s > 2 s");
/// log.append(t0, Actor::person("alice"), EntryKind::Note, "looking at the deploy from 11:50");
/// assert_eq!(log.len(), 2);
/// assert_eq!(log.entries()[1].actor, Actor::person("alice"));
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Timeline {
    entries: Vec<Entry>,
}

impl Timeline {
    /// Adds an entry at the end and returns it.
    ///
    /// Entries stay in the order they were appended, even if a caller passes a time earlier than
    /// the last entry's (a person's back-dated note): the log records when things were written.
    pub fn append(
        &mut self,
        at: Timestamp,
        actor: Actor,
        kind: EntryKind,
        detail: impl Into<String>,
    ) -> &Entry {
        self.entries.push(Entry {
            at,
            actor,
            kind,
            detail: detail.into(),
        });
        let last = self.entries.len() - 1;
        &self.entries[last]
    }

    /// All entries, oldest first. A shared slice: nothing can be edited through it.
    pub fn entries(&self) -> &[Entry] {
        &self.entries
    }

    /// How many entries there are.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether the log is empty.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Entries oldest first.
    pub fn iter(&self) -> std::slice::Iter<'_, Entry> {
        self.entries.iter()
    }

    /// The first entry with the given label, e.g. `"mitigation_applied"`.
    pub fn first(&self, label: &str) -> Option<&Entry> {
        self.entries.iter().find(|e| e.kind.label() == label)
    }

    /// Entries whose label matches.
    pub fn with_label<'a>(&'a self, label: &'a str) -> impl Iterator<Item = &'a Entry> + 'a {
        self.entries.iter().filter(move |e| e.kind.label() == label)
    }
}

impl<'a> IntoIterator for &'a Timeline {
    type Item = &'a Entry;
    type IntoIter = std::slice::Iter<'a, Entry>;
    fn into_iter(self) -> Self::IntoIter {
        self.entries.iter()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{TimeZone, Utc};

    fn t(min: u32) -> Timestamp {
        Utc.with_ymd_and_hms(2026, 3, 1, 12, min, 0).unwrap()
    }

    #[test]
    fn append_keeps_order_and_content() {
        let mut log = Timeline::default();
        log.append(
            t(0),
            Actor::Detector("p99".into()),
            EntryKind::SymptomObserved,
            "p99 2.4 s",
        );
        log.append(
            t(1),
            Actor::Engine,
            EntryKind::MitigationSkipped {
                step: "scale".into(),
                reason: "dry-run".into(),
            },
            "would scale 4 → 8",
        );
        log.append(t(0), Actor::person("bob"), EntryKind::Note, "back-dated");
        let labels: Vec<_> = log.iter().map(|e| e.kind.label()).collect();
        assert_eq!(labels, ["symptom_observed", "mitigation_skipped", "note"]);
        assert_eq!(log.entries()[1].kind.step(), Some("scale"));
        assert_eq!(log.first("note").map(|e| e.at), Some(t(0)));
        assert_eq!(log.with_label("note").count(), 1);
    }

    #[test]
    fn serde_round_trip_of_every_kind() {
        use crate::incident::Status;
        let kinds = vec![
            EntryKind::SymptomObserved,
            EntryKind::IncidentOpened {
                severity: Severity::Sev2,
            },
            EntryKind::SeverityChanged {
                from: Severity::Sev3,
                to: Severity::Sev2,
            },
            EntryKind::StatusChanged {
                from: Status::Detected,
                to: Status::Mitigating,
            },
            EntryKind::Notified {
                channel: "pager".into(),
                target: "cato".into(),
            },
            EntryKind::NotificationFailed {
                channel: "mail".into(),
                target: "aws-support@company.com".into(),
            },
            EntryKind::Escalated {
                role: "Engineering Lead".into(),
                contact: "@lead-eng".into(),
            },
            EntryKind::Acknowledged,
            EntryKind::FindingRecorded {
                source: "endpoint-status".into(),
            },
            EntryKind::RootCausesRanked,
            EntryKind::MitigationPlanned { step: "s".into() },
            EntryKind::ApprovalRequested { step: "s".into() },
            EntryKind::ApprovalGranted { step: "s".into() },
            EntryKind::ApprovalDenied { step: "s".into() },
            EntryKind::ApprovalExpired { step: "s".into() },
            EntryKind::MitigationApplied { step: "s".into() },
            EntryKind::MitigationFailed { step: "s".into() },
            EntryKind::MitigationSkipped {
                step: "s".into(),
                reason: "cooldown".into(),
            },
            EntryKind::StepRetried {
                step: "s".into(),
                call: "apply".into(),
                attempt: 1,
            },
            EntryKind::MitigationUnknown { step: "s".into() },
            EntryKind::VerificationPassed { step: "s".into() },
            EntryKind::VerificationFailed { step: "s".into() },
            EntryKind::MitigationReverted { step: "s".into() },
            EntryKind::SlaBreached,
            EntryKind::Resolved,
            EntryKind::Closed,
            EntryKind::Note,
        ];
        let mut log = Timeline::default();
        for (i, kind) in kinds.into_iter().enumerate() {
            log.append(t(i as u32), Actor::Engine, kind, format!("entry {i}"));
        }
        let json = serde_json::to_string(&log).unwrap();
        let back: Timeline = serde_json::from_str(&json).unwrap();
        assert_eq!(back, log);
        assert_eq!(back.len(), 27);
    }

    #[test]
    fn display_is_one_line() {
        let mut log = Timeline::default();
        let e = log
            .append(
                t(5),
                Actor::Engine,
                EntryKind::MitigationApplied {
                    step: "restart".into(),
                },
                "ok",
            )
            .clone();
        assert_eq!(
            e.to_string(),
            "2026-03-01 12:05:00 [engine] mitigation_applied restart: ok"
        );
    }
}
