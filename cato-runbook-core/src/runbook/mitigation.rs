//! Mitigations: one rung of a runbook's ladder — plan, apply, verify, revert.

use std::sync::Arc;

use async_trait::async_trait;
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::incident::{IdempotencyKey, IncidentId, RunbookId};
use crate::ports::Fence;
use crate::runbook::Plan;
use crate::runbook::facts::{Finding, Findings};
use crate::severity::Severity;
use crate::time::Timestamp;

/// The outcome of a verification.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "verdict", content = "detail", rename_all = "snake_case")]
pub enum Verification {
    /// The step worked.
    Passed(String),
    /// The step did not help.
    Failed(String),
}

/// Whether a planned change is in place, by a read of the resource (see
/// [`Mitigation::landed`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Landed {
    /// The resource is as the plan leaves it.
    Yes,
    /// The resource is as it was before: the change did not land.
    No,
    /// The resource cannot tell (a flush, a message).
    Unknown,
}

impl Verification {
    /// Whether it passed.
    pub fn passed(&self) -> bool {
        matches!(self, Verification::Passed(_))
    }
}

/// What a step is told about the incident it acts on.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct StepContext {
    /// The incident.
    pub incident: IncidentId,
    /// Its runbook.
    pub runbook: RunbookId,
    /// The affected resource.
    pub resource: String,
    /// The incident's severity now.
    pub severity: Severity,
    /// The key for this step's side effects (incident + step).
    pub idempotency_key: IdempotencyKey,
    /// Every finding so far.
    pub findings: Arc<[Finding]>,
    /// The clock's time now.
    pub now: Timestamp,
    /// The fencing token of the leader running the step (0 alone): its intent was saved under
    /// it, and a provider that can check a token (a conditional write) may pass it on.
    pub fence: Fence,
}

impl StepContext {
    /// The same context, for the leader holding `fence`.
    pub fn with_fence(mut self, fence: Fence) -> Self {
        self.fence = fence;
        self
    }

    /// A context for `step` on `incident`; the idempotency key is derived from both.
    pub fn new(
        step: &(impl Mitigation + ?Sized),
        incident: IncidentId,
        runbook: RunbookId,
        resource: impl Into<String>,
        severity: Severity,
        findings: Arc<[Finding]>,
        now: Timestamp,
    ) -> Self {
        StepContext {
            idempotency_key: IdempotencyKey::derive(&incident, step.name()),
            fence: Fence::default(),
            incident,
            runbook,
            resource: resource.into(),
            severity,
            findings,
            now,
        }
    }

    /// The findings, searchable by fact.
    pub fn findings(&self) -> Findings<'_> {
        Findings(&self.findings)
    }
}

/// One step of a mitigation ladder.
///
/// The engine asks [`precondition`](Mitigation::precondition) on the findings, calls
/// [`plan`](Mitigation::plan) (which must change nothing: it is the dry run), then, if policy
/// allows, [`apply`](Mitigation::apply), waits the plan's
/// [`verify_after`](Plan::verify_after), calls [`verify`](Mitigation::verify), and on failure
/// [`revert`](Mitigation::revert) where the plan is [`reversible`](Plan::reversible).
///
/// Everything the engine decides about running the step — its risk, whether it always needs an
/// approval, when to verify, how long it lasts, whether it can be undone — is in the [`Plan`]
/// the step returns, decided from the incident and the world at plan time. What the step keeps
/// for later phases is its own serde type in the plan's memo. A plan sets absolute targets, so
/// applying it twice (a retry, a new leader after a crash) equals applying it once; the
/// engine relies on that when an apply timed out or failed with a transient error.
///
/// # Examples
///
/// Scaling a replica count held by the host (a stand-in for a real deployment):
///
/// ```
/// use std::sync::{Arc, atomic::{AtomicU32, Ordering}};
/// use async_trait::async_trait;
/// use serde::{Deserialize, Serialize};
/// use cato_runbook_core::runbook::{Mitigation, Plan, Quantity, Risk, StepContext, Verification};
/// use cato_runbook_core::{Result, Severity};
///
/// #[derive(Debug)]
/// struct ScaleOut { replicas: Arc<AtomicU32>, to: u32 }
///
/// /// What the step keeps between plan, apply and revert: absolute targets.
/// #[derive(Serialize, Deserialize)]
/// struct Memo { from: u32, to: u32 }
///
/// #[async_trait]
/// impl Mitigation for ScaleOut {
///     fn name(&self) -> &str { "scale-orchestrator" }
///     async fn plan(&self, ctx: &StepContext) -> Result<Plan> {
///         let now = self.replicas.load(Ordering::SeqCst);
///         Plan::new(self, ctx, Risk::Medium, format!("scale to {}", self.to))
///             .change("cato/cato-orchestrator replicas", now, self.to)
///             .quantity(Quantity::Replicas(self.to))
///             .reversible()
///             .with_memo(&Memo { from: now, to: self.to })
///     }
///     async fn apply(&self, _ctx: &StepContext, plan: &Plan) -> Result<String> {
///         let memo: Memo = plan.memo()?;
///         self.replicas.store(memo.to, Ordering::SeqCst);
///         Ok(format!("scaled to {}", memo.to))
///     }
///     async fn verify(&self, _ctx: &StepContext, _plan: &Plan) -> Result<Verification> {
///         Ok(Verification::Passed("replicas ready".into()))
///     }
///     async fn revert(&self, _ctx: &StepContext, plan: &Plan) -> Result<String> {
///         let memo: Memo = plan.memo()?;
///         self.replicas.store(memo.from, Ordering::SeqCst);
///         Ok(format!("scaled back to {}", memo.from))
///     }
/// }
///
/// # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
/// let replicas = Arc::new(AtomicU32::new(4));
/// let step = ScaleOut { replicas: replicas.clone(), to: 8 };
/// let ctx = StepContext::new(&step, "INC-1".into(), "high-latency".into(), "cato-orchestrator",
///     Severity::Sev2, Arc::from(vec![]), chrono::DateTime::UNIX_EPOCH);
/// let plan = step.plan(&ctx).await?;
/// assert_eq!(replicas.load(Ordering::SeqCst), 4, "planning changes nothing");
/// assert_eq!(plan.idempotency_key.as_str(), "INC-1:scale-orchestrator");
/// step.apply(&ctx, &plan).await?;
/// step.apply(&ctx, &plan).await?;
/// assert_eq!(replicas.load(Ordering::SeqCst), 8, "twice is once");
/// step.revert(&ctx, &plan).await?;
/// assert_eq!(replicas.load(Ordering::SeqCst), 4);
/// # Ok::<(), cato_runbook_core::Error>(())
/// # }).unwrap();
/// ```
#[async_trait]
pub trait Mitigation: std::fmt::Debug + Send + Sync {
    /// A short, stable name: `restart-endpoint`. With the incident it makes the step's
    /// idempotency key.
    fn name(&self) -> &str;

    /// Whether the step applies, given the findings (e.g. "if 0 instances → restart"). Read
    /// before planning; makes no call.
    fn precondition(&self, _findings: Findings<'_>) -> bool {
        true
    }

    /// Describes exactly what [`apply`](Mitigation::apply) would change and how the engine runs
    /// it. Changes nothing.
    ///
    /// # Errors
    ///
    /// When the current state cannot be read. A transient or throttled error is retried later
    /// on the same rung; a permanent one moves the ladder on.
    async fn plan(&self, ctx: &StepContext) -> Result<Plan>;

    /// Makes the change the plan describes; returns a line for the timeline. Applying the same
    /// plan twice must leave the world as applying it once.
    ///
    /// # Errors
    ///
    /// When the change fails. A transient or throttled error is retried with the same plan; a
    /// permanent one moves the ladder on.
    async fn apply(&self, ctx: &StepContext, plan: &Plan) -> Result<String>;

    /// Checks whether the change landed and helped.
    ///
    /// # Errors
    ///
    /// When the check cannot be made: a transient or throttled error is retried, a permanent
    /// one counts as a failed verification.
    async fn verify(&self, ctx: &StepContext, plan: &Plan) -> Result<Verification>;

    /// Whether the change `plan` describes is in place, by reading the resource. The engine
    /// asks after a crash or a new leader finds the step recorded as *applying* (its intent
    /// saved, its outcome not): [`Landed::Yes`] records it applied, [`Landed::No`] applies the
    /// same plan again with the same idempotency key, [`Landed::Unknown`] (the default: a step
    /// whose change cannot be read back) goes to verification, which reads the symptom before
    /// the engine decides — the step is never applied a second time on a guess.
    ///
    /// # Errors
    ///
    /// When the resource cannot be read: treated as [`Landed::Unknown`].
    async fn landed(&self, _ctx: &StepContext, _plan: &Plan) -> Result<Landed> {
        Ok(Landed::Unknown)
    }

    /// Undoes the change; returns a line for the timeline.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Unsupported`](crate::ErrorKind::Unsupported) by default: most steps cannot be
    /// undone.
    async fn revert(&self, _ctx: &StepContext, plan: &Plan) -> Result<String> {
        Err(Error::unsupported(
            "mitigation.revert",
            format!("step {} cannot be undone", plan.step),
        )
        .with_resource(plan.resource.clone()))
    }
}
