//! What the engine keeps on an incident so that a restarted engine, or another replica reading
//! the same store, carries on where it left off: the chat thread, who was paged and escalated
//! to, where the mitigation ladder stands.

use serde::{Deserialize, Serialize};

use crate::runbook::Plan;
use crate::time::Timestamp;

/// The engine's bookkeeping for one incident. It is saved with the incident; people read the
/// [`Timeline`](crate::Timeline) instead.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
#[non_exhaustive]
pub struct Automation {
    /// Whether the opening message was decided on (it waits in the outbox until chat takes
    /// it; the thread is set then).
    pub announced: bool,
    /// The chat thread of the incident, once one was started.
    pub chat_thread: Option<String>,
    /// Whether the pager accepted the on-call page.
    pub paged: bool,
    /// Whether the runbook's diagnoses ran.
    pub diagnosed: bool,
    /// Roles escalated to so far, in order (decided on: the message itself may still wait in
    /// the outbox; the timeline's `escalated` entry says when it was delivered).
    pub escalated: Vec<String>,
    /// Whether the response-time breach was recorded.
    pub sla_breached: bool,
    /// The index of the next ladder rung to consider.
    pub rung: usize,
    /// The step in flight, if any.
    pub step: Option<StepRun>,
    /// Whether every rung was tried and the incident was handed to people.
    pub exhausted: bool,
    /// Why automation last held back (kill switch, observe-only), so it is recorded once.
    pub held: Option<String>,
    /// Consecutive bad observations since the step in flight passed verification.
    pub bad_after_verified: u32,
    /// Temporary steps in place, reverted when the incident resolves or their time runs out
    /// ([`Plan::lasts_for`](crate::runbook::Plan::lasts_for)).
    pub temporary: Vec<TemporaryStep>,
    /// A call of a step that failed with an error a retry may help, waiting for its next try.
    pub retry: Option<StepRetry>,
    /// Notifications decided on and not yet accepted by their provider.
    pub outbox: super::outbox::Outbox,
    /// The spend each applied step adds, by its estimate (for the postmortem's impact).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub added_spend: Vec<AddedSpend>,
    /// The postmortem's deadline and the reminders decided on, once resolved.
    pub postmortem: PostmortemWatch,
}

/// The spend an applied step adds, as estimated when it was planned.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct AddedSpend {
    /// The step.
    pub step: String,
    /// Its estimate.
    pub estimate: crate::runbook::SpendEstimate,
    /// When it was applied.
    pub at: Timestamp,
}

/// The post-incident deadline of a resolved incident: when its postmortem is due, and which
/// reminders were decided on (each once: it is saved before it is sent).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
#[non_exhaustive]
pub struct PostmortemWatch {
    /// When the postmortem is due: resolution + the engine's `postmortem.due_after`.
    pub due: Option<Timestamp>,
    /// Whether the reminder (no postmortem yet, half-way to the deadline) was decided on.
    pub reminded: bool,
    /// Whether the overdue note was decided on.
    pub overdue: bool,
}

impl Automation {
    /// Whether `role` was escalated to.
    pub fn escalated_to(&self, role: &str) -> bool {
        self.escalated.iter().any(|r| r == role)
    }
}

/// The call of a step the engine makes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StepCall {
    /// [`Mitigation::plan`](crate::runbook::Mitigation::plan).
    Plan,
    /// [`Mitigation::apply`](crate::runbook::Mitigation::apply).
    Apply,
    /// [`Mitigation::verify`](crate::runbook::Mitigation::verify).
    Verify,
    /// [`Mitigation::revert`](crate::runbook::Mitigation::revert).
    Revert,
}

impl std::fmt::Display for StepCall {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            StepCall::Plan => "plan",
            StepCall::Apply => "apply",
            StepCall::Verify => "verify",
            StepCall::Revert => "revert",
        })
    }
}

/// A call of a step that failed with a transient or throttled error: tried again on the same
/// rung at `next_at`, a bounded number of times (see
/// [`EngineConfig::retry`](crate::engine::EngineConfig::retry)).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StepRetry {
    /// The rung of the step.
    pub rung: usize,
    /// The step's name.
    pub step: String,
    /// The call that failed.
    pub call: StepCall,
    /// How many tries failed so far.
    pub attempt: u32,
    /// When to try again.
    pub next_at: Timestamp,
}

/// A mitigation step in flight.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StepRun {
    /// Its index on the runbook's ladder.
    pub rung: usize,
    /// Its plan (the dry-run description, with what it remembers for verify and revert).
    pub plan: Plan,
    /// Where it stands.
    pub phase: StepPhase,
}

/// A temporary step in place: the engine reverts it when the incident resolves, or at
/// `until` while the incident is still open.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TemporaryStep {
    /// Its index on the runbook's ladder.
    pub rung: usize,
    /// Its plan, with what it remembers for the revert.
    pub plan: Plan,
    /// When it was applied.
    pub applied_at: Timestamp,
    /// When it is reverted at the latest (or, after a revert that failed with an error a
    /// retry may help, when it is tried again).
    pub until: Timestamp,
    /// Reverts that failed with an error a retry may help, so far.
    #[serde(default)]
    pub revert_failures: u32,
}

/// Where a step in flight stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "phase", rename_all = "snake_case")]
pub enum StepPhase {
    /// Planned in dry-run mode: recorded, never applied.
    DryRun,
    /// Waiting for an operator's approve or deny.
    AwaitingApproval {
        /// When approval was asked for.
        requested_at: Timestamp,
        /// When the request lapses.
        expires_at: Timestamp,
    },
    /// Approved; applied on the next tick if the guardrails still allow it.
    Approved {
        /// Who approved it.
        by: String,
        /// When.
        at: Timestamp,
    },
    /// Planned and cleared by every guardrail; its apply failed with an error a retry may
    /// help, and it is applied again, with the same plan, when the retry is due.
    Ready {
        /// When it was cleared.
        at: Timestamp,
    },
    /// Cleared by every guardrail, its intent saved, its call on its way: the write-ahead
    /// record. Found after a crash or by a new leader, the resource is read before anything
    /// else (see [`Mitigation::landed`](crate::runbook::Mitigation::landed)).
    Applying {
        /// When the call went out.
        at: Timestamp,
        /// The fence of the leader that made it.
        fence: crate::ports::Fence,
    },
    /// Applied (or its apply timed out); verified at `verify_at`.
    Applied {
        /// When it was applied.
        at: Timestamp,
        /// When to verify.
        verify_at: Timestamp,
        /// Whether the apply timed out, so that whether it landed is unknown until the
        /// verification reads the resource.
        #[serde(default)]
        unknown: bool,
    },
    /// Its verification failed and its revert failed with an error a retry may help; reverted
    /// again when the retry is due, then the ladder moves on.
    Reverting {
        /// When the verification failed.
        at: Timestamp,
    },
    /// Verification passed; the incident resolves once the symptom stays away.
    Verified {
        /// When verification passed.
        at: Timestamp,
    },
}
