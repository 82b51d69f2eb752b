//! The diagnosis: the budget's status, and how long until its monthly reset.

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;

use super::detect::status_line;
use crate::catalog::facts;
use crate::error::Result;
use crate::ports::Budget;
use crate::runbook::{DiagnoseContext, Diagnosis, DiagnosisReport, Finding, Findings};
use crate::time::{self, HumanDuration};

/// `2h45m`, or `about 21 days` when it is days away.
pub(super) fn until(span: Duration) -> String {
    const DAY: f64 = 24.0 * 3600.0;
    if span >= Duration::from_secs(2 * 24 * 3600) {
        format!("about {:.0} days", span.as_secs_f64() / DAY)
    } else {
        HumanDuration(span).to_string()
    }
}

/// "Check budget status".
#[derive(Debug)]
pub(super) struct BudgetStatusDiagnosis {
    pub(super) budget: Arc<dyn Budget>,
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

/// Whether the diagnosis found the budget in emergency mode.
pub(super) fn in_emergency(findings: Findings<'_>) -> bool {
    findings.text_of(facts::BUDGET_MODE) == Some("EMERGENCY")
}
