//! The ladder: raise the monthly limit if approved; or wait for the monthly reset.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;
use chrono::DateTime;

use super::{NewLimit, RESOURCE, dollars, in_emergency, status_line, until};
use crate::error::{Error, Result};
use crate::incident::IdempotencyKey;
use crate::ports::{Budget, BudgetMode, Clock};
use crate::runbook::{Findings, Mitigation, Plan, Quantity, Risk, StepContext, Verification};
use crate::time::{self, HumanDuration, Timestamp};

fn number(plan: &Plan, key: &str) -> Result<f64> {
    plan.require(key)?.as_f64().ok_or_else(|| {
        Error::invalid_input("plan.recall", format!("{key} is not a number"))
            .with_resource(plan.resource.clone())
    })
}

/// Rung 1, "increase budget if approved".
#[derive(Debug)]
pub(super) struct RaiseMonthlyLimit {
    pub(super) budget: Arc<dyn Budget>,
    pub(super) new_limit: NewLimit,
    pub(super) verify_after: Duration,
}

#[async_trait]
impl Mitigation for RaiseMonthlyLimit {
    fn name(&self) -> &str {
        "raise-monthly-limit"
    }

    /// More spend, easily undone; not disruptive.
    fn risk(&self) -> Risk {
        Risk::Medium
    }

    fn requires_approval(&self) -> bool {
        true
    }

    fn reversible(&self) -> bool {
        true
    }

    fn verify_after(&self) -> Duration {
        self.verify_after
    }

    fn precondition(&self, findings: Findings<'_>) -> bool {
        in_emergency(findings)
    }

    async fn plan(&self, ctx: &StepContext) -> Result<Plan> {
        let s = self.budget.status().await?;
        let current = s.monthly_limit_usd;
        let new = self.new_limit.from_current(current);
        if new <= current {
            return Err(Error::invalid_input(
                "raise-monthly-limit.plan",
                format!(
                    "the configured new limit {} is not above the current {}",
                    dollars(new),
                    dollars(current)
                ),
            )
            .with_resource(RESOURCE));
        }
        Ok(Plan::new(
            self,
            ctx,
            format!(
                "raise the monthly LLM budget from {} to {} (spent {}; otherwise EMERGENCY until \
                 the reset on {})",
                dollars(current),
                dollars(new),
                dollars(s.spent_usd),
                s.next_reset.format("%Y-%m-%d %H:%M UTC")
            ),
        )
        .change("Cato monthly budget limit", dollars(current), dollars(new))
        .quantity(Quantity::MonthlySpendUsd(new))
        .cost(new - current)
        .remember("previous_limit_usd", current)
        .remember("new_limit_usd", new))
    }

    async fn apply(&self, ctx: &StepContext, plan: &Plan) -> Result<String> {
        let new = number(plan, "new_limit_usd")?;
        self.budget
            .set_monthly_limit(new, &ctx.idempotency_key)
            .await?;
        Ok(format!("monthly limit set to {}", dollars(new)))
    }

    async fn verify(&self, _ctx: &StepContext, _plan: &Plan) -> Result<Verification> {
        let s = self.budget.status().await?;
        Ok(if s.mode == BudgetMode::Emergency {
            Verification::Failed(format!("still {}", status_line(&s)))
        } else {
            Verification::Passed(status_line(&s))
        })
    }

    async fn revert(&self, ctx: &StepContext, plan: &Plan) -> Result<String> {
        let previous = number(plan, "previous_limit_usd")?;
        let key = IdempotencyKey::new(format!("{}:revert", ctx.idempotency_key));
        self.budget.set_monthly_limit(previous, &key).await?;
        Ok(format!("monthly limit back to {}", dollars(previous)))
    }
}

/// Rung 2, "or wait for next month reset". Verifies when the reset has come, so the incident
/// stays open until then.
#[derive(Debug)]
pub(super) struct WaitForReset {
    pub(super) budget: Arc<dyn Budget>,
    pub(super) clock: Arc<dyn Clock>,
    pub(super) grace: Duration,
    /// The reset the last applied wait is for: [`Mitigation::verify_after`] has no context, and
    /// the engine asks it right after applying.
    pub(super) reset: Mutex<Option<Timestamp>>,
}

impl WaitForReset {
    fn reset(&self) -> std::sync::MutexGuard<'_, Option<Timestamp>> {
        self.reset.lock().unwrap_or_else(|e| e.into_inner())
    }
}

#[async_trait]
impl Mitigation for WaitForReset {
    fn name(&self) -> &str {
        "wait-for-monthly-reset"
    }

    fn risk(&self) -> Risk {
        Risk::ReadOnly
    }

    /// Until the reset, plus the grace.
    fn verify_after(&self) -> Duration {
        let left = self
            .reset()
            .map_or(Duration::ZERO, |at| time::elapsed(self.clock.now(), at));
        left + self.grace
    }

    fn precondition(&self, findings: Findings<'_>) -> bool {
        in_emergency(findings)
    }

    async fn plan(&self, ctx: &StepContext) -> Result<Plan> {
        let s = self.budget.status().await?;
        let left = time::elapsed(ctx.now, s.next_reset);
        Ok(Plan::new(
            self,
            ctx,
            format!(
                "wait for the monthly reset on {} (in {}); the limit stays {}, curiosity \
                 exploration stopped and responses limited until then",
                s.next_reset.format("%Y-%m-%d %H:%M UTC"),
                until(left),
                dollars(s.monthly_limit_usd)
            ),
        )
        .remember("next_reset_ms", s.next_reset.timestamp_millis()))
    }

    async fn apply(&self, _ctx: &StepContext, plan: &Plan) -> Result<String> {
        let reset = plan
            .require("next_reset_ms")?
            .as_i64()
            .and_then(DateTime::from_timestamp_millis)
            .ok_or_else(|| {
                Error::invalid_input("plan.recall", "next_reset_ms is not a time")
                    .with_resource(RESOURCE)
            })?;
        *self.reset() = Some(reset);
        Ok(format!(
            "waiting for the monthly reset on {}; checking {} after it",
            reset.format("%Y-%m-%d %H:%M UTC"),
            HumanDuration(self.grace)
        ))
    }

    async fn verify(&self, _ctx: &StepContext, _plan: &Plan) -> Result<Verification> {
        let s = self.budget.status().await?;
        Ok(if s.mode == BudgetMode::Emergency {
            Verification::Failed(format!(
                "the reset has not ended emergency mode: {}",
                status_line(&s)
            ))
        } else {
            Verification::Passed(format!("the monthly reset came: {}", status_line(&s)))
        })
    }
}
