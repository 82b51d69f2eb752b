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
//! affected_share = 1.0
//! new_limit = { factor = 1.5 }   # or { usd = 1000.0 }
//! raise_verify_after = "2m"
//! reset_grace = "5m"
//! ```

mod steps;

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use serde::{Deserialize, Serialize};

use self::steps::{RaiseMonthlyLimit, WaitForReset};
use super::first_five_minutes;
use super::{CatalogConfig, Entry, PortName, Providers, facts};
use crate::engine::{Runbook, SeverityRule};
use crate::error::{Error, Result};
use crate::ports::{Budget, BudgetMode, BudgetStatus};
use crate::runbook::{
    Detector, DiagnoseContext, Diagnosis, DiagnosisReport, Finding, Findings, Observation,
    ObserveContext, Symptom,
};
use crate::severity::Impact;
use crate::time::{self, HumanDuration};

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
    build,
};

/// The runbook's prevention items.
pub const PREVENTION: [&str; 3] = [
    "Set appropriate budget limits",
    "Monitor spend daily",
    "Enable budget alerts",
];

/// The monthly limit to ask for.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
#[non_exhaustive]
pub enum NewLimit {
    /// The current limit times this factor (above 1).
    Factor(f64),
    /// This many US dollars a month.
    Usd(f64),
}

impl NewLimit {
    /// The new limit for a `current` one.
    pub fn from_current(self, current: f64) -> f64 {
        match self {
            NewLimit::Factor(factor) => (current * factor * 100.0).round() / 100.0,
            NewLimit::Usd(usd) => usd,
        }
    }
}

impl fmt::Display for NewLimit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            NewLimit::Factor(factor) => write!(f, "{factor} × the current limit"),
            NewLimit::Usd(usd) => write!(f, "${usd:.0}"),
        }
    }
}

/// Settings of the budget exceeded runbook.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
#[non_exhaustive]
pub struct Config {
    /// The share of users emergency mode affects (limited responses for everyone). 1.0: SEV2.
    pub affected_share: f64,
    /// The monthly limit to ask for. 1.5 × the current limit.
    pub new_limit: NewLimit,
    /// When to check the mode after raising the limit. 2 min.
    #[serde(with = "humantime_serde")]
    pub raise_verify_after: Duration,
    /// How long after the monthly reset to check that it came. 5 min.
    #[serde(with = "humantime_serde")]
    pub reset_grace: Duration,
    /// The runbook's "First 5 Minutes": recent deployments, cloud health events, dashboard.
    pub first_five_minutes: first_five_minutes::Config,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            affected_share: 1.0,
            new_limit: NewLimit::Factor(1.5),
            raise_verify_after: Duration::from_secs(2 * 60),
            reset_grace: Duration::from_secs(5 * 60),
            first_five_minutes: first_five_minutes::Config::default(),
        }
    }
}

impl Config {
    /// Checks the values.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidInput`](crate::ErrorKind::InvalidInput) naming the key.
    pub fn validate(&self) -> Result<()> {
        let bad = |key: &str, why: &str| {
            Err(Error::invalid_input(
                "catalog.config",
                format!("runbooks.budget-exceeded.{key}: {why}"),
            ))
        };
        if !(0.0..=1.0).contains(&self.affected_share) {
            return bad("affected_share", "must be between 0 and 1");
        }
        match self.new_limit {
            NewLimit::Factor(f) if !(f > 1.0 && f.is_finite()) => {
                bad("new_limit.factor", "must be above 1")
            }
            NewLimit::Usd(usd) if !(usd > 0.0 && usd.is_finite()) => {
                bad("new_limit.usd", "must be above 0")
            }
            _ => Ok(()),
        }
    }
}

/// `2h45m`, or `about 21 days` when it is days away.
fn until(span: Duration) -> String {
    const DAY: f64 = 24.0 * 3600.0;
    if span >= Duration::from_secs(2 * 24 * 3600) {
        format!("about {:.0} days", span.as_secs_f64() / DAY)
    } else {
        HumanDuration(span).to_string()
    }
}

fn dollars(usd: f64) -> String {
    format!("${usd:.2}")
}

fn status_line(s: &BudgetStatus) -> String {
    format!(
        "mode {}: spent {} of {}; curiosity exploration {}; next reset {}",
        s.mode,
        dollars(s.spent_usd),
        dollars(s.monthly_limit_usd),
        if s.curiosity_enabled {
            "running"
        } else {
            "stopped"
        },
        s.next_reset.format("%Y-%m-%d %H:%M UTC")
    )
}

/// "Mode shows EMERGENCY".
#[derive(Debug)]
struct EmergencyMode {
    budget: Arc<dyn Budget>,
    affected_share: f64,
}

#[async_trait]
impl Detector for EmergencyMode {
    fn name(&self) -> &str {
        "budget-mode"
    }

    fn resource(&self) -> &str {
        RESOURCE
    }

    async fn observe(&self, _ctx: &ObserveContext) -> Result<Observation> {
        let s = self.budget.status().await?;
        if s.mode != BudgetMode::Emergency {
            return Ok(Observation::Healthy);
        }
        Ok(Observation::Symptom(
            Symptom::new(
                format!(
                    "budget mode EMERGENCY: spent {} of the {} monthly limit; curiosity \
                     exploration stopped, responses limited",
                    dollars(s.spent_usd),
                    dollars(s.monthly_limit_usd)
                ),
                Impact::degraded(self.affected_share)?,
            )
            .with_evidence(status_line(&s)),
        ))
    }
}

/// "Check budget status".
#[derive(Debug)]
struct BudgetStatusDiagnosis {
    budget: Arc<dyn Budget>,
}

#[async_trait]
impl Diagnosis for BudgetStatusDiagnosis {
    fn name(&self) -> &str {
        "budget-status"
    }

    async fn diagnose(&self, ctx: &DiagnoseContext) -> Result<DiagnosisReport> {
        let s = self.budget.status().await?;
        let left = time::elapsed(ctx.now, s.next_reset);
        Ok(DiagnosisReport::finding(
            Finding::new(
                self.name(),
                format!("{}; the reset is in {}", status_line(&s), until(left)),
            )
            .with(facts::BUDGET_MODE, s.mode.to_string())
            .with(facts::SPENT_USD, s.spent_usd)
            .with(facts::MONTHLY_LIMIT_USD, s.monthly_limit_usd)
            .with(facts::NEXT_RESET, s.next_reset.to_rfc3339())
            .with(facts::HOURS_TO_RESET, left.as_secs_f64() / 3600.0)
            .with(facts::CURIOSITY_ENABLED, s.curiosity_enabled)
            .with_evidence(status_line(&s)),
        ))
    }
}

fn in_emergency(findings: Findings<'_>) -> bool {
    findings.text_of(facts::BUDGET_MODE) == Some("EMERGENCY")
}

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
