//! When an incident entered each phase, its deadlines, and the times to detect, acknowledge,
//! mitigate and resolve.

use std::time::Duration;

use serde::{Deserialize, Serialize};

use super::Incident;
use crate::time::{self, Timestamp};
use crate::timeline::EntryKind;

/// How long after resolution the blameless postmortem is due: 48 hours.
pub const POSTMORTEM_DUE_AFTER: Duration = Duration::from_secs(48 * 3600);

/// When the incident entered each phase (the first time it did).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Phases {
    /// Opened.
    pub detected: Option<Timestamp>,
    /// First acknowledged by a person.
    pub acknowledged: Option<Timestamp>,
    /// First mitigation step started.
    pub mitigating: Option<Timestamp>,
    /// First mitigation applied (now being verified).
    pub monitoring: Option<Timestamp>,
    /// Resolved.
    pub resolved: Option<Timestamp>,
    /// Closed.
    pub closed: Option<Timestamp>,
}

impl Incident {
    /// Detected + the current severity's response time.
    pub fn response_deadline(&self) -> Timestamp {
        time::add(self.detected_at(), self.severity.response_time())
    }

    /// Whether the response deadline passed at `now` without an acknowledgement.
    pub fn response_overdue(&self, now: Timestamp) -> bool {
        self.phases.acknowledged.is_none() && now > self.response_deadline()
    }

    /// Whether someone acknowledged within the response time; `None` while nobody has and the
    /// deadline has not yet passed at `now`.
    pub fn response_sla_met(&self, now: Timestamp) -> Option<bool> {
        match self.phases.acknowledged {
            Some(ack) => Some(ack <= self.response_deadline()),
            None if now > self.response_deadline() => Some(false),
            None => None,
        }
    }

    /// When the postmortem is due, once resolved: the due date the engine set at resolution
    /// (its `postmortem.due_after`), else resolved + 48 h.
    pub fn postmortem_due(&self) -> Option<Timestamp> {
        let resolved = self.phases.resolved?;
        Some(
            self.automation
                .postmortem
                .due
                .unwrap_or_else(|| time::add(resolved, POSTMORTEM_DUE_AFTER)),
        )
    }

    /// When a detector first saw the symptom (the earliest `symptom_observed` entry), or the
    /// detection time when none was recorded.
    pub fn first_symptom_at(&self) -> Timestamp {
        self.timeline
            .iter()
            .filter(|e| e.kind == EntryKind::SymptomObserved)
            .map(|e| e.at)
            .min()
            .map_or_else(|| self.detected_at(), |at| at.min(self.detected_at()))
    }

    /// First symptom → detected (the incident opened).
    pub fn time_to_detect(&self) -> Duration {
        time::elapsed(self.first_symptom_at(), self.detected_at())
    }

    /// Detected → acknowledged.
    pub fn time_to_acknowledge(&self) -> Option<Duration> {
        self.since_detected(self.phases.acknowledged)
    }

    /// Detected → first mitigation applied.
    pub fn time_to_mitigate(&self) -> Option<Duration> {
        self.since_detected(self.phases.monitoring)
    }

    /// Detected → resolved.
    pub fn time_to_resolve(&self) -> Option<Duration> {
        self.since_detected(self.phases.resolved)
    }

    fn since_detected(&self, at: Option<Timestamp>) -> Option<Duration> {
        at.map(|at| time::elapsed(self.detected_at(), at))
    }
}
