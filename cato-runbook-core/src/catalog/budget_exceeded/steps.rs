//! The ladder: raise the monthly limit if approved; or wait for the monthly reset.

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use serde::{Deserialize, Serialize};

use super::detect::{dollars, status_line};
use super::diagnose::{in_emergency, until};
use super::{NewLimit, RESOURCE};
use crate::catalog::kit;
use crate::error::{Error, Result};
use crate::ports::{Budget, BudgetMode};
use crate::runbook::{Findings, Mitigation, Plan, Quantity, Risk, StepContext, Verification};
use crate::time::{self, HumanDuration, Timestamp};

/// What raising the limit keeps: the limit it sets (an absolute target) and the one it found.
#[derive(Debug, Serialize, Deserialize)]
struct LimitMemo {
    previous_limit_usd: f64,
    new_limit_usd: f64,
}

/// What waiting keeps: the reset it waits for.
#[derive(Debug, Serialize, Deserialize)]
struct ResetMemo {
    next_reset: Timestamp,
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
        // More spend, easily undone; not disruptive: risk medium, always behind approval (the
        // runbook's "if approved").
        Plan::new(
            self,
            ctx,
            Risk::Medium,
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
        .needs_approval("the runbook raises the budget only if approved")
        .reversible()
        .verify_after(self.verify_after)
        .with_memo(&LimitMemo {
            previous_limit_usd: current,
            new_limit_usd: new,
        })
    }

    async fn apply(&self, ctx: &StepContext, plan: &Plan) -> Result<String> {
        let new = plan.memo::<LimitMemo>()?.new_limit_usd;
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
        let previous = plan.memo::<LimitMemo>()?.previous_limit_usd;
        let key = kit::apply_key_revert(ctx);
        self.budget.set_monthly_limit(previous, &key).await?;
        Ok(format!("monthly limit back to {}", dollars(previous)))
    }
}

/// Rung 2, "or wait for next month reset". Verifies when the reset has come, so the incident
/// stays open until then.
#[derive(Debug)]
pub(super) struct WaitForReset {
    pub(super) budget: Arc<dyn Budget>,
    pub(super) grace: Duration,
}

#[async_trait]
impl Mitigation for WaitForReset {
    fn name(&self) -> &str {
        "wait-for-monthly-reset"
    }

    fn precondition(&self, findings: Findings<'_>) -> bool {
        in_emergency(findings)
    }

    async fn plan(&self, ctx: &StepContext) -> Result<Plan> {
        let s = self.budget.status().await?;
        let left = time::elapsed(ctx.now, s.next_reset);
        // Verified once the reset has come, plus the grace: decided now, for this incident.
        Plan::new(
            self,
            ctx,
            Risk::ReadOnly,
            format!(
                "wait for the monthly reset on {} (in {}); the limit stays {}, curiosity \
                 exploration stopped and responses limited until then",
                s.next_reset.format("%Y-%m-%d %H:%M UTC"),
                until(left),
                dollars(s.monthly_limit_usd)
            ),
        )
        .verify_after(left + self.grace)
        .with_memo(&ResetMemo {
            next_reset: s.next_reset,
        })
    }

    async fn apply(&self, _ctx: &StepContext, plan: &Plan) -> Result<String> {
        let reset = plan.memo::<ResetMemo>()?.next_reset;
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
