//! Mitigations: one rung of a runbook's ladder — plan, apply, verify, revert.

use std::collections::BTreeMap;
use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::incident::{IdempotencyKey, IncidentId, RunbookId};
use crate::runbook::facts::{Fact, Finding, Findings};
use crate::severity::Severity;
use crate::time::Timestamp;

/// How risky a step is; policy decides what needs approval from this.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Risk {
    /// Changes nothing: records, notifies, waits.
    ReadOnly,
    /// A small change that is easily undone (a cache threshold for an hour).
    Low,
    /// A capacity change (scale up).
    Medium,
    /// Disruptive or hard to undo: restart, rollback, node-type change, billing mode. These count
    /// against the hourly limit of destructive actions.
    High,
}

impl Risk {
    /// Whether the step counts as destructive for the hourly limit.
    pub fn is_destructive(self) -> bool {
        self == Risk::High
    }
}

impl fmt::Display for Risk {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Risk::ReadOnly => "read-only",
            Risk::Low => "low",
            Risk::Medium => "medium",
            Risk::High => "high",
        })
    }
}

/// A quantity a step would set, which policy caps (max instances, max replicas, max spend).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "value", rename_all = "snake_case")]
pub enum Quantity {
    /// Model endpoint instances.
    Instances(u32),
    /// Orchestrator replicas.
    Replicas(u32),
    /// A monthly spend limit or added monthly spend, in US dollars.
    MonthlySpendUsd(f64),
}

/// One change a step would make: `target: before → after`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Change {
    /// What changes: `cato-shadow-self/primary desired instances`.
    pub target: String,
    /// Its value now.
    pub before: String,
    /// Its value after the step.
    pub after: String,
}

impl Change {
    /// A change of `target` from `before` to `after`.
    pub fn new(
        target: impl Into<String>,
        before: impl fmt::Display,
        after: impl fmt::Display,
    ) -> Self {
        Change {
            target: target.into(),
            before: before.to_string(),
            after: after.to_string(),
        }
    }
}

/// Exactly what a step would do: the dry-run description policy reads and people approve.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Plan {
    /// The step's name.
    pub step: String,
    /// The resource it changes.
    pub resource: String,
    /// One line for people.
    pub summary: String,
    /// Every change, before → after. Empty for read-only steps.
    pub changes: Vec<Change>,
    /// The step's risk.
    pub risk: Risk,
    /// Estimated added cost, US dollars per month (0 when free).
    pub monthly_cost_usd: f64,
    /// Quantities policy caps.
    pub quantities: Vec<Quantity>,
    /// The key that makes applying it twice harmless.
    pub idempotency_key: IdempotencyKey,
    /// Values the step keeps for `apply`, `verify` and `revert` (e.g. the previous config).
    #[serde(default)]
    pub memo: BTreeMap<String, Fact>,
}

impl Plan {
    /// A plan for the step in `ctx`, with no changes yet.
    pub fn new(
        step: &(impl Mitigation + ?Sized),
        ctx: &StepContext,
        summary: impl Into<String>,
    ) -> Self {
        Plan {
            step: step.name().to_owned(),
            resource: ctx.resource.clone(),
            summary: summary.into(),
            changes: Vec::new(),
            risk: step.risk(),
            monthly_cost_usd: 0.0,
            quantities: Vec::new(),
            idempotency_key: ctx.idempotency_key.clone(),
            memo: BTreeMap::new(),
        }
    }

    /// Adds a change.
    pub fn change(
        mut self,
        target: impl Into<String>,
        before: impl fmt::Display,
        after: impl fmt::Display,
    ) -> Self {
        self.changes.push(Change::new(target, before, after));
        self
    }

    /// Adds a capped quantity.
    pub fn quantity(mut self, quantity: Quantity) -> Self {
        self.quantities.push(quantity);
        self
    }

    /// Sets the estimated added monthly cost.
    pub fn cost(mut self, monthly_usd: f64) -> Self {
        self.monthly_cost_usd = monthly_usd;
        self
    }

    /// Keeps a value for later phases.
    pub fn remember(mut self, key: impl Into<String>, value: impl Into<Fact>) -> Self {
        self.memo.insert(key.into(), value.into());
        self
    }

    /// A remembered value.
    pub fn recall(&self, key: &str) -> Option<&Fact> {
        self.memo.get(key)
    }

    /// A remembered value, or an [`ErrorKind::InvalidInput`](crate::ErrorKind::InvalidInput)
    /// error naming the step and the key.
    ///
    /// # Errors
    ///
    /// When the plan does not hold `key`.
    pub fn require(&self, key: &str) -> Result<&Fact> {
        self.recall(key).ok_or_else(|| {
            Error::invalid_input(
                "plan.recall",
                format!("plan of step {} holds no {key:?}", self.step),
            )
            .with_resource(self.resource.clone())
        })
    }
}

impl fmt::Display for Plan {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} on {}: {} (risk {}",
            self.step, self.resource, self.summary, self.risk
        )?;
        if self.monthly_cost_usd > 0.0 {
            write!(f, ", about ${:.0}/month", self.monthly_cost_usd)?;
        }
        f.write_str(")")?;
        for change in &self.changes {
            write!(
                f,
                "\n  {}: {} → {}",
                change.target, change.before, change.after
            )?;
        }
        Ok(())
    }
}

/// The outcome of a verification.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "verdict", content = "detail", rename_all = "snake_case")]
pub enum Verification {
    /// The step worked.
    Passed(String),
    /// The step did not help.
    Failed(String),
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
}

impl StepContext {
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
            idempotency_key: step.idempotency_key(&incident),
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
/// The engine calls [`plan`](Mitigation::plan) (which must change nothing: it is the dry run),
/// then, if policy allows, [`apply`](Mitigation::apply), waits
/// [`verify_after`](Mitigation::verify_after), calls [`verify`](Mitigation::verify), and on
/// failure [`revert`](Mitigation::revert) where [`reversible`](Mitigation::reversible).
///
/// # Examples
///
/// Scaling a replica count held by the host (a stand-in for a real deployment):
///
/// ```
/// use std::sync::{Arc, atomic::{AtomicU32, Ordering}};
/// use async_trait::async_trait;
/// use cato_runbook_core::runbook::{Mitigation, Plan, Quantity, Risk, StepContext, Verification};
/// use cato_runbook_core::{Result, Severity};
///
/// struct ScaleOut { replicas: Arc<AtomicU32>, to: u32 }
///
/// #[async_trait]
/// impl Mitigation for ScaleOut {
///     fn name(&self) -> &str { "scale-orchestrator" }
///     fn risk(&self) -> Risk { Risk::Medium }
///     fn reversible(&self) -> bool { true }
///     async fn plan(&self, ctx: &StepContext) -> Result<Plan> {
///         let now = self.replicas.load(Ordering::SeqCst);
///         Ok(Plan::new(self, ctx, format!("scale to {}", self.to))
///             .change("cato/cato-orchestrator replicas", now, self.to)
///             .quantity(Quantity::Replicas(self.to))
///             .remember("previous", now))
///     }
///     async fn apply(&self, _ctx: &StepContext, _plan: &Plan) -> Result<String> {
///         self.replicas.store(self.to, Ordering::SeqCst);
///         Ok(format!("scaled to {}", self.to))
///     }
///     async fn verify(&self, _ctx: &StepContext, _plan: &Plan) -> Result<Verification> {
///         Ok(Verification::Passed("replicas ready".into()))
///     }
///     async fn revert(&self, _ctx: &StepContext, plan: &Plan) -> Result<String> {
///         let previous = plan.require("previous")?.as_i64().unwrap_or(1) as u32;
///         self.replicas.store(previous, Ordering::SeqCst);
///         Ok(format!("scaled back to {previous}"))
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
/// assert_eq!(replicas.load(Ordering::SeqCst), 8);
/// step.revert(&ctx, &plan).await?;
/// assert_eq!(replicas.load(Ordering::SeqCst), 4);
/// # Ok::<(), cato_runbook_core::Error>(())
/// # }).unwrap();
/// ```
#[async_trait]
pub trait Mitigation: Send + Sync {
    /// A short, stable name: `restart-endpoint`.
    fn name(&self) -> &str;

    /// How risky the step is.
    fn risk(&self) -> Risk;

    /// Whether this step always waits for an operator's approval, whatever the policy says (the
    /// runbook's "increase budget if approved").
    fn requires_approval(&self) -> bool {
        false
    }

    /// Whether [`revert`](Mitigation::revert) can undo the step.
    fn reversible(&self) -> bool {
        false
    }

    /// How long after applying to verify.
    fn verify_after(&self) -> Duration {
        Duration::from_secs(60)
    }

    /// How long the change may stay in place, for a step the runbook applies only for a while
    /// (its "reduce cache similarity threshold temporarily").
    ///
    /// `Some(ttl)` makes a [`reversible`](Mitigation::reversible) step temporary: the engine
    /// reverts it when the incident resolves (by itself or by hand), or `ttl` after applying it
    /// while the incident is still open, whichever comes first. `None`, the default, leaves the
    /// change in place once it passed verification. Ignored for a step that cannot be undone.
    fn lasts_for(&self) -> Option<Duration> {
        None
    }

    /// Whether the step applies, given the findings (e.g. "if 0 instances → restart").
    fn precondition(&self, _findings: Findings<'_>) -> bool {
        true
    }

    /// The key for this step's side effects on `incident`.
    fn idempotency_key(&self, incident: &IncidentId) -> IdempotencyKey {
        IdempotencyKey::derive(incident, self.name())
    }

    /// Describes exactly what [`apply`](Mitigation::apply) would change. Changes nothing.
    ///
    /// # Errors
    ///
    /// When the current state cannot be read.
    async fn plan(&self, ctx: &StepContext) -> Result<Plan>;

    /// Makes the change; returns a line for the timeline.
    ///
    /// # Errors
    ///
    /// When the change fails; the engine records it and moves to the next step.
    async fn apply(&self, ctx: &StepContext, plan: &Plan) -> Result<String>;

    /// Checks whether the change helped.
    ///
    /// # Errors
    ///
    /// When the check cannot be made (counted as a failed verification).
    async fn verify(&self, ctx: &StepContext, plan: &Plan) -> Result<Verification>;

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
