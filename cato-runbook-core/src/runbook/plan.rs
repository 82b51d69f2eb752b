//! A step's plan: everything the engine needs to run it, decided when it is planned.

use std::fmt;
use std::time::Duration;

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::incident::IdempotencyKey;
use crate::runbook::spend::{Capacity, SpendEstimate};
use crate::runbook::{Mitigation, StepContext};

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

/// One change a step would make: `target: before → after`, where `after` is the absolute value
/// the step sets ("10 instances", never "+5"), so applying it twice equals applying it once.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Change {
    /// What changes: `cato-shadow-self/primary desired instances`.
    pub target: String,
    /// Its value now.
    pub before: String,
    /// Its value after the step: an absolute value.
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

const DEFAULT_VERIFY_AFTER: Duration = Duration::from_secs(60);

fn default_verify_after() -> Duration {
    DEFAULT_VERIFY_AFTER
}

/// Exactly what a step would do, and how the engine runs it: the dry-run description policy
/// reads and people approve, decided once, when the step is planned.
///
/// A plan holds no instruction relative to the world's state: its changes and its memo carry
/// absolute targets ("instances = 10"), so applying it twice, or again after a crash, leaves the
/// world as applying it once.
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
    /// Why this step always waits for an operator's approval, whatever the policy says (the
    /// runbook's "increase budget if approved"); `None` leaves it to the policy.
    #[serde(default)]
    pub approval: Option<String>,
    /// Whether [`Mitigation::revert`] undoes it.
    #[serde(default)]
    pub reversible: bool,
    /// How long after applying to verify.
    #[serde(default = "default_verify_after", with = "humantime_serde")]
    pub verify_after: Duration,
    /// How long the change may stay in place, for a step the runbook applies only for a while
    /// (its "reduce cache similarity threshold temporarily"): a reversible plan with a duration
    /// is reverted when the incident resolves, or this long after it was applied while the
    /// incident is still open, whichever comes first. `None` leaves it in place once verified.
    #[serde(default, with = "humantime_serde")]
    pub lasts_for: Option<Duration>,
    /// What the step keeps for `apply`, `verify` and `revert`: its own serde type, written with
    /// [`Plan::with_memo`] and read with [`Plan::memo`].
    #[serde(default, skip_serializing_if = "serde_json::Value::is_null")]
    pub memo: serde_json::Value,
    /// The capacity the step adds (instances, pods, bigger nodes, on-demand billing), which the
    /// engine prices into [`spend`](Self::spend); `None` for a step that adds none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub adds: Option<Capacity>,
    /// The added spend, priced by the engine from its price table when the step is planned.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub spend: Option<SpendEstimate>,
}

impl Plan {
    /// A plan for the step in `ctx`, of the given risk, with no changes yet; verified a minute
    /// after it is applied, not reversible, left to the policy's approval rules.
    pub fn new(
        step: &(impl Mitigation + ?Sized),
        ctx: &StepContext,
        risk: Risk,
        summary: impl Into<String>,
    ) -> Self {
        Plan {
            step: step.name().to_owned(),
            resource: ctx.resource.clone(),
            summary: summary.into(),
            changes: Vec::new(),
            risk,
            monthly_cost_usd: 0.0,
            quantities: Vec::new(),
            idempotency_key: ctx.idempotency_key.clone(),
            approval: None,
            reversible: false,
            verify_after: DEFAULT_VERIFY_AFTER,
            lasts_for: None,
            memo: serde_json::Value::Null,
            adds: None,
            spend: None,
        }
    }

    /// Declares the capacity the step adds, for the engine to price.
    pub fn adds(mut self, capacity: Capacity) -> Self {
        self.adds = Some(capacity);
        self
    }

    /// Sets the estimate of the spend the step adds.
    pub fn priced(mut self, estimate: SpendEstimate) -> Self {
        self.spend = Some(estimate);
        self
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

    /// Marks the plan as undone by [`Mitigation::revert`].
    pub fn reversible(mut self) -> Self {
        self.reversible = true;
        self
    }

    /// Sets how long after applying to verify.
    pub fn verify_after(mut self, delay: Duration) -> Self {
        self.verify_after = delay;
        self
    }

    /// Makes a reversible plan temporary: reverted `ttl` after it was applied, or when the
    /// incident resolves.
    pub fn lasts_for(mut self, ttl: Duration) -> Self {
        self.lasts_for = Some(ttl);
        self
    }

    /// Makes the plan wait for an operator's approval whatever the policy says, saying why.
    pub fn needs_approval(mut self, why: impl Into<String>) -> Self {
        self.approval = Some(why.into());
        self
    }

    /// Keeps the step's own memo (a serde type) for `apply`, `verify` and `revert`.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidInput`](crate::ErrorKind::InvalidInput) when the memo cannot be
    /// written as JSON (a map with keys that are not strings).
    pub fn with_memo<M: Serialize>(mut self, memo: &M) -> Result<Self> {
        self.memo = serde_json::to_value(memo).map_err(|err| {
            Error::invalid_input("plan.memo", format!("step {}: {err}", self.step))
                .with_resource(self.resource.clone())
        })?;
        Ok(self)
    }

    /// The step's memo, read back as the type it was written with.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidInput`](crate::ErrorKind::InvalidInput) naming the step and the type
    /// when the plan holds another memo (a plan saved by another version of the step).
    pub fn memo<M: DeserializeOwned>(&self) -> Result<M> {
        M::deserialize(&self.memo).map_err(|err| {
            Error::invalid_input(
                "plan.memo",
                format!(
                    "plan of step {} holds no {}: {err}",
                    self.step,
                    std::any::type_name::<M>()
                        .rsplit("::")
                        .next()
                        .unwrap_or("memo")
                ),
            )
            .with_resource(self.resource.clone())
        })
    }

    /// How long the change stays in place, if the plan is temporary (reversible with a
    /// duration).
    pub fn temporary_for(&self) -> Option<Duration> {
        self.lasts_for.filter(|_| self.reversible)
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
        if let Some(spend) = &self.spend {
            write!(f, ", adds {spend}")?;
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

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::runbook::Verification;
    use crate::severity::Severity;

    #[derive(Debug)]
    struct Noop;
    #[async_trait::async_trait]
    impl Mitigation for Noop {
        fn name(&self) -> &str {
            "noop"
        }
        async fn plan(&self, ctx: &StepContext) -> Result<Plan> {
            Plan::new(self, ctx, Risk::Low, "nothing").with_memo(&Memo { to: 3 })
        }
        async fn apply(&self, _: &StepContext, _: &Plan) -> Result<String> {
            Ok(String::new())
        }
        async fn verify(&self, _: &StepContext, _: &Plan) -> Result<Verification> {
            Ok(Verification::Passed(String::new()))
        }
    }

    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    struct Memo {
        to: u32,
    }

    #[derive(Debug, Deserialize)]
    struct Other {
        #[allow(dead_code)]
        config: String,
    }

    fn ctx() -> StepContext {
        StepContext::new(
            &Noop,
            "INC-1".into(),
            "rb".into(),
            "res",
            Severity::Sev3,
            Arc::from(vec![]),
            chrono::DateTime::UNIX_EPOCH,
        )
    }

    #[tokio::test]
    async fn memo_round_trips_through_json_and_a_wrong_type_names_the_step() {
        let plan = Noop
            .plan(&ctx())
            .await
            .unwrap()
            .reversible()
            .lasts_for(Duration::from_secs(60));
        let saved: Plan = serde_json::from_str(&serde_json::to_string(&plan).unwrap()).unwrap();
        assert_eq!(saved, plan);
        assert_eq!(saved.memo::<Memo>().unwrap(), Memo { to: 3 });
        let err = saved.memo::<Other>().unwrap_err();
        assert!(
            err.to_string().contains("plan of step noop holds no Other"),
            "{err}"
        );
        assert_eq!(saved.temporary_for(), Some(Duration::from_secs(60)));
    }

    #[test]
    fn an_older_saved_plan_reads_with_defaults() {
        let json = r#"{"step":"s","resource":"r","summary":"x","changes":[],"risk":"low",
            "monthly_cost_usd":0.0,"quantities":[],"idempotency_key":"INC-1:s"}"#;
        let plan: Plan = serde_json::from_str(json).unwrap();
        assert_eq!(plan.verify_after, DEFAULT_VERIFY_AFTER);
        assert!(!plan.reversible && plan.approval.is_none() && plan.memo.is_null());
        assert_eq!(plan.temporary_for(), None);
    }
}
