//! The incident lifecycle, as the runbook's process: detection → triage → mitigation →
//! resolution → post-incident.

use std::fmt;

use serde::{Deserialize, Serialize};

/// Where an incident is in the process.
///
/// ```text
/// Detected ──► Acknowledged ──► Mitigating ◄──► Monitoring ──► Resolved ──► Closed
///    │  └──────────────────────────▲  │              │           ▲
///    └──────────────(any open status may resolve)────┴───────────┘
/// ```
///
/// * `Detected → Mitigating` is allowed: the engine starts the ladder before a person triages.
///   A later acknowledgement is recorded without moving the status back.
/// * `Monitoring → Mitigating`: the applied step failed verification, the next one starts.
/// * Any open status may go to `Resolved` (the symptom cleared, or a person resolved by hand).
/// * `Resolved → Closed` once the postmortem is written. `Closed` is final.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Opened by a detector or a person; nobody has triaged it yet.
    Detected,
    /// Someone acknowledged it and is triaging.
    Acknowledged,
    /// A mitigation step is being planned, approved or applied.
    Mitigating,
    /// A mitigation was applied and is being verified.
    Monitoring,
    /// The service is restored.
    Resolved,
    /// The postmortem is written; nothing more happens.
    Closed,
}

impl Status {
    /// Every status, in process order.
    pub const ALL: [Status; 6] = [
        Status::Detected,
        Status::Acknowledged,
        Status::Mitigating,
        Status::Monitoring,
        Status::Resolved,
        Status::Closed,
    ];

    /// Whether the process allows going from `self` to `to`.
    pub fn can_become(self, to: Status) -> bool {
        use Status::*;
        matches!(
            (self, to),
            (Detected, Acknowledged | Mitigating | Resolved)
                | (Acknowledged, Mitigating | Resolved)
                | (Mitigating, Monitoring | Resolved)
                | (Monitoring, Mitigating | Resolved)
                | (Resolved, Closed)
        )
    }

    /// Whether the incident still needs work (not resolved, not closed).
    pub fn is_open(self) -> bool {
        !matches!(self, Status::Resolved | Status::Closed)
    }

    /// The status as lower-case text.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Detected => "detected",
            Status::Acknowledged => "acknowledged",
            Status::Mitigating => "mitigating",
            Status::Monitoring => "monitoring",
            Status::Resolved => "resolved",
            Status::Closed => "closed",
        }
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}
