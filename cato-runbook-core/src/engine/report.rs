//! What one tick saw and did.

use serde::{Deserialize, Serialize};

use crate::incident::IncidentId;
use crate::severity::Severity;
use crate::time::Timestamp;

/// One thing a tick did or noticed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "snake_case")]
#[non_exhaustive]
pub enum TickEvent {
    /// A detector failed or did not answer in time: its signal is unknown.
    DetectorUnknown {
        /// The runbook.
        runbook: String,
        /// The detector.
        detector: String,
        /// Why.
        error: String,
    },
    /// An incident opened.
    Opened {
        /// The incident.
        incident: IncidentId,
        /// Its severity.
        severity: Severity,
    },
    /// A worse impact raised an incident's severity.
    SeverityRaised {
        /// The incident.
        incident: IncidentId,
        /// Before.
        from: Severity,
        /// After.
        to: Severity,
    },
    /// Someone was notified or escalated to.
    Notified {
        /// The incident.
        incident: IncidentId,
        /// The channel (`pager`, `chat`, `phone`, `mail`).
        channel: String,
        /// Who or where.
        target: String,
    },
    /// An alert was posted to the alerts channel (no incident).
    Alerted {
        /// The alert's key: `runbook/detector/resource`.
        key: String,
        /// The channel.
        channel: String,
    },
    /// Diagnoses ran.
    Diagnosed {
        /// The incident.
        incident: IncidentId,
        /// How many findings were recorded.
        findings: usize,
    },
    /// A step was planned and not applied (dry-run, guardrail, precondition).
    Skipped {
        /// The incident.
        incident: IncidentId,
        /// The step.
        step: String,
        /// Why.
        reason: String,
    },
    /// A step waits for an operator.
    ApprovalRequested {
        /// The incident.
        incident: IncidentId,
        /// The step.
        step: String,
    },
    /// A step was applied.
    Applied {
        /// The incident.
        incident: IncidentId,
        /// The step.
        step: String,
    },
    /// A step failed to apply.
    Failed {
        /// The incident.
        incident: IncidentId,
        /// The step.
        step: String,
    },
    /// A call of a step failed with an error a retry may help; it is tried again later.
    Retrying {
        /// The incident.
        incident: IncidentId,
        /// The step.
        step: String,
        /// The call: `plan`, `apply`, `verify` or `revert`.
        call: String,
        /// When it is tried again.
        at: Timestamp,
    },
    /// Whether an apply landed is unknown (it timed out); its verification decides.
    Unknown {
        /// The incident.
        incident: IncidentId,
        /// The step.
        step: String,
    },
    /// A step was verified.
    Verified {
        /// The incident.
        incident: IncidentId,
        /// The step.
        step: String,
        /// Whether it helped.
        passed: bool,
    },
    /// A step was undone.
    Reverted {
        /// The incident.
        incident: IncidentId,
        /// The step.
        step: String,
    },
    /// Every rung was tried: the incident is with people.
    LadderExhausted {
        /// The incident.
        incident: IncidentId,
    },
    /// The response deadline passed without an acknowledgement.
    SlaBreached {
        /// The incident.
        incident: IncidentId,
    },
    /// An incident resolved.
    Resolved {
        /// The incident.
        incident: IncidentId,
    },
    /// An incident could not be saved; the engine keeps it and saves it with the next change.
    StoreFailed {
        /// The incident.
        incident: IncidentId,
        /// Why.
        error: String,
    },
    /// The store could not answer for something other than one incident's save (opening an
    /// incident, the guardrail state).
    StoreUnavailable {
        /// What was asked (`open`, `guardrails`, or the dedup key of an incident to open).
        what: String,
        /// Why.
        error: String,
    },
    /// The budget's mode could not be read this tick: a step that adds spend waits for an
    /// operator's approval until it can (fail closed).
    BudgetUnreadable {
        /// Why.
        error: String,
    },
    /// This replica took the lease: a new term, with its fence.
    Leading {
        /// The fencing token of the term.
        fence: u64,
    },
    /// The lease could not answer: no step is applied once this replica's lease lapses;
    /// detection, opening and notifications go on.
    LeaseUnavailable {
        /// Why.
        error: String,
    },
}

/// What one tick saw and did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct TickReport {
    /// The clock's time when the tick started.
    pub at: Option<Timestamp>,
    /// Detectors asked.
    pub detectors: usize,
    /// Detectors that saw nothing wrong.
    pub healthy: usize,
    /// Detectors that saw a symptom.
    pub symptoms: usize,
    /// Detectors that failed or timed out.
    pub unknown: usize,
    /// Incidents open after the tick.
    pub open_incidents: usize,
    /// Set when another replica leads (its name): this one ran no detector.
    pub standby: Option<String>,
    /// What happened, in order.
    pub events: Vec<TickEvent>,
    /// The earliest moment something is due (escalation, verification, approval expiry, SLA),
    /// if any; [`Engine::run`](super::Engine::run) wakes no later than this.
    pub next_due: Option<Timestamp>,
}

impl TickReport {
    /// Incidents opened in this tick.
    pub fn opened(&self) -> impl Iterator<Item = &IncidentId> {
        self.events.iter().filter_map(|e| match e {
            TickEvent::Opened { incident, .. } => Some(incident),
            _ => None,
        })
    }

    /// Incidents resolved in this tick.
    pub fn resolved(&self) -> impl Iterator<Item = &IncidentId> {
        self.events.iter().filter_map(|e| match e {
            TickEvent::Resolved { incident } => Some(incident),
            _ => None,
        })
    }
}
