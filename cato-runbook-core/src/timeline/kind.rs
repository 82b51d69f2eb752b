//! What a timeline entry records: [`EntryKind`], its stable labels and the step it is about.

use serde::{Deserialize, Serialize};

use crate::severity::Severity;

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
    /// No postmortem yet, half-way to its deadline: the incident's thread is reminded.
    PostmortemReminder,
    /// The postmortem's deadline passed without one.
    PostmortemOverdue,
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
            EntryKind::PostmortemReminder => "postmortem_reminder",
            EntryKind::PostmortemOverdue => "postmortem_overdue",
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
