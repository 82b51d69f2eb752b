//! The symptom: the table's throttled requests against its traffic, over the window.

use std::sync::Arc;

use async_trait::async_trait;

use super::Config;
use super::usage::{Usage, UsageQueries};
use crate::catalog::kit;
use crate::error::Result;
use crate::ports::{Metrics, Tables};
use crate::runbook::{Detector, Observation, ObserveContext, Symptom};
use crate::severity::Impact;
use crate::time::HumanDuration;

/// Throttled requests against the table's traffic over the window. A healthy tick reads the
/// table's metrics only; a symptom's evidence adds its provisioned capacity (`describe-table`).
#[derive(Debug)]
pub(super) struct TableThrottling {
    pub metrics: Arc<dyn Metrics>,
    pub tables: Arc<dyn Tables>,
    pub config: Arc<Config>,
    /// The table's queries, built once.
    pub queries: UsageQueries,
}

#[async_trait]
impl Detector for TableThrottling {
    fn name(&self) -> &str {
        "table-throttling"
    }

    fn resource(&self) -> &str {
        &self.config.table
    }

    async fn observe(&self, ctx: &ObserveContext) -> Result<Observation> {
        let (start, end) = kit::whole_minutes(ctx.now, self.config.window);
        let table = &self.config.table;
        let usage = Usage::read(self.metrics.as_ref(), &self.queries, start, end).await?;
        if usage.capacity.throttle_events < self.config.min_throttle_events {
            return Ok(Observation::Healthy);
        }
        // The provisioned figures only make the evidence fuller: without them it says less.
        let usage = match self.tables.describe(table).await {
            Ok(state) => usage.provisioned(&state),
            Err(err) => {
                tracing::debug!(%table, error = %err, "no provisioned capacity for the evidence");
                usage
            }
        };
        let share = usage.throttled_share();
        let summary = format!(
            "{} throttled {} requests over the last {} (about {:.0} % of its traffic)",
            table,
            usage.capacity.throttle_events,
            HumanDuration(self.config.window),
            share * 100.0
        );
        Ok(Observation::Symptom(
            Symptom::new(summary, Impact::degraded(share)?).with_evidence(usage.describe()),
        ))
    }
}
