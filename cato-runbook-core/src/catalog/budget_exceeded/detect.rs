//! The symptom: the budget's mode shows EMERGENCY.

use std::sync::Arc;

use async_trait::async_trait;

use super::RESOURCE;
use crate::error::Result;
use crate::ports::{Budget, BudgetMode, BudgetStatus};
use crate::runbook::{Detector, Observation, ObserveContext, Symptom};
use crate::severity::Impact;

/// US dollars, to the cent: `$1234.50`.
pub(super) fn dollars(usd: f64) -> String {
    format!("${usd:.2}")
}

/// The status as the timeline shows it.
pub(super) fn status_line(s: &BudgetStatus) -> String {
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
pub(super) struct EmergencyMode {
    pub(super) budget: Arc<dyn Budget>,
    pub(super) affected_share: f64,
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
