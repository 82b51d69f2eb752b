//! The budget fake (Cato admin API).

use async_trait::async_trait;
use cato_runbook_core::ports::{Budget, BudgetStatus};
use cato_runbook_core::{Error, IdempotencyKey, Result};
use serde_json::json;

use super::FakeBudget;
use crate::ops::Op;
use crate::world::Reply;

const PROVIDER: &str = "fake-cato-budget-api";

#[async_trait]
impl Budget for FakeBudget {
    async fn status(&self) -> Result<BudgetStatus> {
        self.world
            .call(Op::BudgetStatus, PROVIDER, json!({}), None, |sim, now| {
                Ok(Reply::new(sim.state().budget_status(now)))
            })
            .await
    }

    async fn set_monthly_limit(&self, usd: f64, key: &IdempotencyKey) -> Result<()> {
        let op = Op::BudgetSetMonthlyLimit;
        let args = json!({ "monthly_limit_usd": usd });
        self.world
            .call(op, PROVIDER, args.clone(), Some(key), |sim, now| {
                sim.idempotent(op, "budget", key, &args, |sim| {
                    if !usd.is_finite() || usd < 0.0 {
                        return Err(Error::invalid_input(
                            op.as_str(),
                            format!("monthlyLimit {usd} must be a non-negative number"),
                        ));
                    }
                    let mut state = sim.edit(now);
                    state.budget.limit = usd;
                    sim.commit(now, state);
                    Ok(())
                })
                .map(Reply::from_idempotent)
            })
            .await
    }
}
