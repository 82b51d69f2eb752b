//! Budget Exceeded (Emergency Mode).
//!
//! > **Symptoms:**
//! > - Mode shows "EMERGENCY" in dashboard
//! > - Curiosity exploration stopped
//! > - Limited responses
//! >
//! > **Diagnosis:**
//! > ```bash
//! > # Check budget status
//! > curl -H "Authorization: Bearer $TOKEN" \
//! >   https://api.cato.thinktank.ai/api/admin/cato/budget/status
//! > ```
//! >
//! > **Mitigation:**
//! > ```bash
//! > # 1. Increase budget if approved
//! > curl -X PUT \
//! >   -H "Authorization: Bearer $TOKEN" \
//! >   -H "Content-Type: application/json" \
//! >   -d '{"monthlyLimit": 1000}' \
//! >   https://api.cato.thinktank.ai/api/admin/cato/budget/config
//! >
//! > # 2. Or wait for next month reset
//! > ```
//! >
//! > **Prevention:**
//! > - Set appropriate budget limits
//! > - Monitor spend daily
//! > - Enable budget alerts
//!
//! # As code
//!
//! **Symptom.** `budget-mode` reads the budget status: mode `EMERGENCY` is the symptom, with the
//! spend, the limit, curiosity exploration stopped and the next reset as evidence. `NORMAL` and
//! `WARNING` are healthy; a status that cannot be read is unknown.
//!
//! **Severity: SEV2.** Emergency mode limits the responses of every user (degraded service,
//! more than half affected: `affected_share`, default 1.0), short of an outage; and only a person
//! can approve more spend, so the on-call engineer is paged.
//!
//! **Diagnosis.** `budget-status`: mode, spent, limit, next reset and hours until it, curiosity
//! exploration. The runbook names no root causes; the prevention items go to the postmortem.
//!
//! **Ladder.**
//! 1. `raise-monthly-limit` — "increase budget if approved": `PUT …/budget/config
//!    {"monthlyLimit": N}`, always behind an operator's approval. The plan carries the amount
//!    (before → after, and as a monthly spend the policy's `max_monthly_spend_usd` caps). The new
//!    limit is `new_limit`: the current limit times a factor (default 1.5) or a fixed amount (the
//!    runbook's example is 1000). Verified `raise_verify_after` later: the mode must have left
//!    `EMERGENCY`; if not, the old limit is restored.
//! 2. `wait-for-monthly-reset` — "or wait for next month reset", when the raise is denied, lapses
//!    or fails: records when the reset comes and verifies then (`reset_grace` after it), so the
//!    incident stays open, in the hands of people, until the mode returns to normal at the reset,
//!    and resolves then. A limit raised by hand meanwhile: resolve the incident by hand.
//!
//! # Configuration
//!
//! ```toml
//! [runbooks.budget-exceeded]
//! affected_share = 1.0              # 0 to 1
//! new_limit = { factor = 1.5 }      # above 1, at most 10; or { usd = 1000.0 }: up to $10 000 000
//! raise_verify_after = "2m"         # above 0s, at most 6h
//! reset_grace = "5m"                # above 0s, at most 24h
//! ```
//!
//! A value outside its range is refused, naming the key.

mod config;
mod detect;
mod diagnose;
mod steps;

use std::sync::Arc;

pub use config::{Config, NewLimit};

use self::detect::EmergencyMode;
use self::diagnose::BudgetStatusDiagnosis;
use self::steps::{RaiseMonthlyLimit, WaitForReset};
use super::first_five_minutes;
use super::{CatalogConfig, Entry, PortName, Providers};
use crate::error::Result;
use crate::runbook::{Runbook, SeverityRule};

/// The runbook's id.
pub const ID: &str = "budget-exceeded";

/// The resource its incidents are about: Cato's monthly LLM budget.
pub const RESOURCE: &str = "cato-llm-budget";

/// The budget API, and the metrics its first-five-minutes dashboard check reads.
const NEEDS: &[PortName] = &[PortName::Budget, PortName::Metrics];

/// The catalog's entry.
pub const ENTRY: Entry = Entry {
    id: ID,
    title: "Budget Exceeded (Emergency Mode)",
    needs: NEEDS,
    steps: &["raise-monthly-limit", "wait-for-monthly-reset"],
    build,
};

/// The runbook's prevention items.
pub const PREVENTION: [&str; 3] = [
    "Set appropriate budget limits",
    "Monitor spend daily",
    "Enable budget alerts",
];

/// Builds the runbook over `providers`.
///
/// # Errors
///
/// The budget port is missing, or the config is invalid.
pub fn build(providers: &Providers, catalog: &CatalogConfig) -> Result<Runbook> {
    let config = &catalog.budget_exceeded;
    providers.require(ID, NEEDS)?;
    config.validate()?;
    let budget = providers.budget(ID)?;
    let mut runbook = first_five_minutes::add_to(
        Runbook::builder(ID, ENTRY.title),
        providers,
        &config.first_five_minutes,
        &["BEDROCK"],
    )?
    .severity(SeverityRule::Assess)
    .detector(Arc::new(EmergencyMode {
        budget: budget.clone(),
        affected_share: config.affected_share,
    }))
    .diagnosis(Arc::new(BudgetStatusDiagnosis {
        budget: budget.clone(),
    }))
    .step(Arc::new(RaiseMonthlyLimit {
        budget: budget.clone(),
        new_limit: config.new_limit,
        verify_after: config.raise_verify_after,
    }))
    .step(Arc::new(WaitForReset {
        budget,
        grace: config.reset_grace,
    }));
    for item in PREVENTION {
        runbook = runbook.prevention(item);
    }
    runbook.build()
}
