//! Incidents: what is wrong, how bad it is, where it is in the process, and its log.
//!
//! An [`Incident`] is changed only through methods that enforce the lifecycle ([`Status`]) and
//! record every change on its [`Timeline`]: an illegal transition is an
//! [`ErrorKind::IllegalTransition`] error, never a panic.

mod automation;
mod ids;
mod outbox;
mod phases;
mod status;

use serde::{Deserialize, Serialize};

pub use automation::{
    AddedSpend, Automation, PostmortemWatch, StepCall, StepPhase, StepRetry, StepRun, TemporaryStep,
};
pub use ids::{DedupKey, IdempotencyKey, IncidentId, RunbookId};
pub use outbox::{Notice, NoticeKind, Outbox, UNDELIVERABLE_RETRY};
pub use phases::{POSTMORTEM_DUE_AFTER, Phases};
pub use status::Status;

use crate::error::{Error, ErrorKind, Result};
use crate::runbook::{Finding, RootCause};
use crate::severity::{Impact, Severity};
use crate::time::Timestamp;
use crate::timeline::{Actor, EntryKind, Timeline};

/// What is needed to open an incident.
#[derive(Debug, Clone)]
pub struct NewIncident {
    /// Its identifier.
    pub id: IncidentId,
    /// The runbook that handles it.
    pub runbook: RunbookId,
    /// The affected resource, e.g. `cato-shadow-self`.
    pub resource: String,
    /// A one-line title.
    pub title: String,
    /// Who is hurt, and how badly.
    pub impact: Impact,
    /// A severity that overrides [`Severity::assess`] of the impact, if any.
    pub severity: Option<Severity>,
}

/// One incident.
///
/// ```
/// use cato_runbook_core::incident::{Incident, NewIncident, Status};
/// use cato_runbook_core::{Actor, Impact, Severity};
/// use chrono::{TimeZone, Utc};
/// use std::time::Duration;
///
/// let t0 = Utc.with_ymd_and_hms(2026, 3, 1, 12, 0, 0).unwrap();
/// let mut inc = Incident::open(
///     NewIncident {
///         id: "INC-1".into(),
///         runbook: "shadow-self-down".into(),
///         resource: "cato-shadow-self".into(),
///         title: "Shadow Self endpoint down".into(),
///         impact: Impact::outage(),
///         severity: None,
///     },
///     t0,
///     Actor::Engine,
/// );
/// assert_eq!(inc.severity(), Severity::Sev1);
/// assert_eq!(inc.response_deadline(), t0 + Duration::from_secs(300));
///
/// inc.acknowledge(t0 + Duration::from_secs(120), Actor::person("alice"))?;
/// assert_eq!(inc.status(), Status::Acknowledged);
/// assert!(inc.transition(Status::Closed, t0, Actor::Engine).is_err()); // not resolved yet
/// # Ok::<(), cato_runbook_core::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Incident {
    id: IncidentId,
    runbook: RunbookId,
    resource: String,
    dedup_key: DedupKey,
    title: String,
    severity: Severity,
    impact: Impact,
    status: Status,
    phases: Phases,
    acknowledged_by: Option<String>,
    findings: Vec<Finding>,
    root_causes: Vec<RootCause>,
    timeline: Timeline,
    #[serde(default)]
    automation: Automation,
}

impl Incident {
    /// Opens an incident at `at`, with the severity its impact implies unless overridden.
    pub fn open(new: NewIncident, at: Timestamp, actor: Actor) -> Self {
        let severity = new
            .severity
            .unwrap_or_else(|| Severity::assess(&new.impact));
        let dedup_key = DedupKey::of(&new.runbook, &new.resource);
        let mut timeline = Timeline::default();
        timeline.append(
            at,
            actor,
            EntryKind::IncidentOpened { severity },
            format!("{} on {}", new.title, new.resource),
        );
        Incident {
            id: new.id,
            runbook: new.runbook,
            resource: new.resource,
            dedup_key,
            title: new.title,
            severity,
            impact: new.impact,
            status: Status::Detected,
            phases: Phases {
                detected: Some(at),
                ..Phases::default()
            },
            acknowledged_by: None,
            findings: Vec::new(),
            root_causes: Vec::new(),
            timeline,
            automation: Automation::default(),
        }
    }

    /// Moves the incident to `to`, recording it, or fails with
    /// [`ErrorKind::IllegalTransition`] and changes nothing.
    ///
    /// Moving to [`Status::Acknowledged`] goes through [`Incident::acknowledge`].
    ///
    /// # Errors
    ///
    /// When the process does not allow `self.status() → to`.
    pub fn transition(&mut self, to: Status, at: Timestamp, actor: Actor) -> Result<()> {
        if to == Status::Acknowledged {
            return self.acknowledge(at, actor).map(|_| ());
        }
        self.check_transition(to)?;
        let from = self.status;
        self.status = to;
        let slot = match to {
            Status::Detected | Status::Acknowledged => None,
            Status::Mitigating => Some(&mut self.phases.mitigating),
            Status::Monitoring => Some(&mut self.phases.monitoring),
            Status::Resolved => Some(&mut self.phases.resolved),
            Status::Closed => Some(&mut self.phases.closed),
        };
        if let Some(slot) = slot {
            slot.get_or_insert(at);
        }
        let kind = match to {
            Status::Resolved => EntryKind::Resolved,
            Status::Closed => EntryKind::Closed,
            _ => EntryKind::StatusChanged { from, to },
        };
        self.timeline
            .append(at, actor, kind, format!("{from} → {to}"));
        Ok(())
    }

    fn check_transition(&self, to: Status) -> Result<()> {
        if self.status.can_become(to) {
            Ok(())
        } else {
            Err(Error::new(
                ErrorKind::IllegalTransition,
                "incident.transition",
                format!("an incident cannot go from {} to {to}", self.status),
            )
            .with_resource(self.id.to_string()))
        }
    }

    /// Records that `actor` acknowledged the incident. Returns `false` (and records nothing) if
    /// it was already acknowledged. A `Detected` incident becomes `Acknowledged`; one already
    /// being mitigated keeps its status.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::IllegalTransition`] on a resolved or closed incident.
    pub fn acknowledge(&mut self, at: Timestamp, actor: Actor) -> Result<bool> {
        if !self.status.is_open() {
            return self.check_transition(Status::Acknowledged).map(|()| false);
        }
        if self.phases.acknowledged.is_some() {
            return Ok(false);
        }
        self.phases.acknowledged = Some(at);
        self.acknowledged_by = Some(actor.to_string());
        if self.status == Status::Detected {
            self.status = Status::Acknowledged;
        }
        self.timeline.append(
            at,
            actor,
            EntryKind::Acknowledged,
            format!("status {}", self.status),
        );
        Ok(true)
    }

    /// Changes the severity, recording the change. Returns whether it changed.
    pub fn set_severity(
        &mut self,
        to: Severity,
        at: Timestamp,
        actor: Actor,
        reason: impl Into<String>,
    ) -> bool {
        if to == self.severity {
            return false;
        }
        let from = std::mem::replace(&mut self.severity, to);
        self.timeline
            .append(at, actor, EntryKind::SeverityChanged { from, to }, reason);
        true
    }

    /// Widens the recorded impact to the worse of the current and `impact`, and raises the
    /// severity if the wider impact is worse. Returns whether the severity rose.
    pub fn worsen(&mut self, impact: Impact, at: Timestamp, actor: Actor) -> bool {
        self.impact = self.impact.worst(impact);
        let assessed = Severity::assess(&self.impact);
        if assessed.is_worse_than(self.severity) {
            let reason = format!(
                "impact widened to {:.0} % of users{}",
                self.impact.affected_share() * 100.0,
                if self.impact.complete_outage() {
                    ", complete outage"
                } else {
                    ""
                }
            );
            self.set_severity(assessed, at, actor, reason)
        } else {
            false
        }
    }

    /// Appends a log entry that does not change the lifecycle: a finding, a notification, a
    /// step's outcome, an escalation, a note.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidInput`] for the entry kinds only lifecycle methods may write
    /// (`incident_opened`, `status_changed`, `severity_changed`, `acknowledged`, `resolved`,
    /// `closed`): they would make the log disagree with the incident.
    pub fn record(
        &mut self,
        at: Timestamp,
        actor: Actor,
        kind: EntryKind,
        detail: impl Into<String>,
    ) -> Result<()> {
        if matches!(
            kind,
            EntryKind::IncidentOpened { .. }
                | EntryKind::StatusChanged { .. }
                | EntryKind::SeverityChanged { .. }
                | EntryKind::Acknowledged
                | EntryKind::Resolved
                | EntryKind::Closed
        ) {
            return Err(Error::invalid_input(
                "incident.record",
                format!(
                    "{} entries are written by the lifecycle methods",
                    kind.label()
                ),
            )
            .with_resource(self.id.to_string()));
        }
        self.timeline.append(at, actor, kind, detail);
        Ok(())
    }

    /// Adds a free-form note.
    pub fn note(&mut self, at: Timestamp, actor: Actor, text: impl Into<String>) {
        self.timeline.append(at, actor, EntryKind::Note, text);
    }

    /// Records a diagnosis finding (also on the timeline).
    pub fn add_finding(&mut self, at: Timestamp, finding: Finding) {
        self.timeline.append(
            at,
            Actor::Engine,
            EntryKind::FindingRecorded {
                source: finding.source.clone(),
            },
            finding.summary.clone(),
        );
        self.findings.push(finding);
    }

    /// Replaces the ranked root-cause candidates (highest confidence first), recording them.
    pub fn set_root_causes(&mut self, at: Timestamp, mut causes: Vec<RootCause>) {
        crate::runbook::rank(&mut causes);
        let detail = causes
            .iter()
            .map(|c| format!("{} ({:.0} %)", c.cause, c.confidence * 100.0))
            .collect::<Vec<_>>()
            .join(", ");
        self.timeline
            .append(at, Actor::Engine, EntryKind::RootCausesRanked, detail);
        self.root_causes = causes;
    }

    /// The identifier.
    pub fn id(&self) -> &IncidentId {
        &self.id
    }
    /// The runbook handling it.
    pub fn runbook(&self) -> &RunbookId {
        &self.runbook
    }
    /// The affected resource.
    pub fn resource(&self) -> &str {
        &self.resource
    }
    /// `runbook/resource`.
    pub fn dedup_key(&self) -> &DedupKey {
        &self.dedup_key
    }
    /// The title.
    pub fn title(&self) -> &str {
        &self.title
    }
    /// The current severity.
    pub fn severity(&self) -> Severity {
        self.severity
    }
    /// The widest impact seen.
    pub fn impact(&self) -> &Impact {
        &self.impact
    }
    /// The lifecycle status.
    pub fn status(&self) -> Status {
        self.status
    }
    /// Whether it still needs work.
    pub fn is_open(&self) -> bool {
        self.status.is_open()
    }
    /// Phase timestamps.
    pub fn phases(&self) -> &Phases {
        &self.phases
    }
    /// When it was detected.
    pub fn detected_at(&self) -> Timestamp {
        // `open` always sets it; a deserialised incident without it falls back to its first entry.
        self.phases
            .detected
            .or_else(|| self.timeline.entries().first().map(|e| e.at))
            .unwrap_or(chrono::DateTime::<chrono::Utc>::MIN_UTC)
    }
    /// Who acknowledged it, if anyone.
    pub fn acknowledged_by(&self) -> Option<&str> {
        self.acknowledged_by.as_deref()
    }
    /// Diagnosis findings, in the order they were recorded.
    pub fn findings(&self) -> &[Finding] {
        &self.findings
    }
    /// Root-cause candidates, most likely first.
    pub fn root_causes(&self) -> &[RootCause] {
        &self.root_causes
    }
    /// The incident log.
    pub fn timeline(&self) -> &Timeline {
        &self.timeline
    }

    /// The engine's bookkeeping: chat thread, escalations, where the mitigation ladder stands.
    pub fn automation(&self) -> &Automation {
        &self.automation
    }

    /// The engine's bookkeeping, to change. It never touches the lifecycle or the timeline.
    pub fn automation_mut(&mut self) -> &mut Automation {
        &mut self.automation
    }
}

#[cfg(test)]
mod tests;
