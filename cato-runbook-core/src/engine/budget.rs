//! Cost as a guardrail: the budget's mode, read once a tick for every runbook, and the price
//! of what a step adds.
//!
//! While the budget is `EMERGENCY`, a step that adds spend (its plan declares capacity whose
//! estimate is positive or unknown) waits for an operator's approval, even in auto mode. A
//! budget that cannot be read is treated as unknown: such a step waits for approval too (fail
//! closed for spend), and the tick reports [`TickEvent::BudgetUnreadable`]; nothing else stops.
//! An engine built without a budget port does not gate on it.

use serde::Serialize;
use tracing::warn;

use super::Inner;
use super::report::TickEvent;
use crate::call;
use crate::ports::BudgetMode;
use crate::runbook::Plan;

/// What the engine last read of the budget's mode.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
#[serde(tag = "budget", content = "detail", rename_all = "snake_case")]
pub enum BudgetReading {
    /// No budget port is wired, or none was read yet: spend is not gated on the budget.
    #[default]
    Unwatched,
    /// The mode read at the last tick.
    Mode(BudgetMode),
    /// The last tick could not read it: why.
    Unreadable(String),
}

impl Inner {
    /// Reads the budget's mode once for this tick; a failure is recorded, never a stopped tick.
    pub(super) async fn refresh_budget(&self, events: &mut Vec<TickEvent>) {
        let Some(budget) = &self.budget else { return };
        let read = call::timed(
            self.clock.as_ref(),
            self.config.timeouts.call,
            "budget.status",
            "budget",
            budget.status(),
        )
        .await;
        let reading = match read {
            Ok(status) => BudgetReading::Mode(status.mode),
            Err(err) => {
                warn!(error = %err, "the budget cannot be read: steps that add spend need approval");
                events.push(TickEvent::BudgetUnreadable {
                    error: err.to_string(),
                });
                BudgetReading::Unreadable(err.to_string())
            }
        };
        match self.budget_reading.lock() {
            Ok(mut copy) => *copy = reading,
            Err(poisoned) => *poisoned.into_inner() = reading,
        }
    }

    /// What the engine last read of the budget.
    pub(super) fn budget_reading(&self) -> BudgetReading {
        match self.budget_reading.lock() {
            Ok(copy) => copy.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }

    /// Prices the capacity `plan` declares at the policy's prices.
    pub(super) fn priced(&self, plan: Plan) -> Plan {
        match &plan.adds {
            Some(capacity) => {
                let estimate = self.prices.estimate(capacity);
                plan.priced(estimate)
            }
            None => plan,
        }
    }

    /// Why `plan` needs approval because of the budget, if it does: it adds spend while the
    /// budget is in `EMERGENCY` or cannot be read.
    pub(super) fn budget_approval(&self, plan: &Plan) -> Option<String> {
        let spend = plan.spend.as_ref().filter(|s| s.adds_spend())?;
        match self.budget_reading() {
            BudgetReading::Mode(BudgetMode::Emergency) => Some(format!(
                "needs approval: budget in EMERGENCY, step adds {spend}"
            )),
            BudgetReading::Unreadable(why) => Some(format!(
                "needs approval: the budget cannot be read ({why}), step adds {spend}"
            )),
            BudgetReading::Mode(_) | BudgetReading::Unwatched => None,
        }
    }
}
