//! The ladder's one automatic step: on-demand billing.

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use serde::{Deserialize, Serialize};

use super::Config;
use super::usage::{Usage, UsageQueries};
use crate::catalog::facts;
use crate::catalog::kit::{self, HOURS_PER_MONTH, whole_minutes};
use crate::error::{Error, ErrorKind, Result, Retry};
use crate::ports::{BillingMode, Metrics, Tables};
use crate::runbook::{
    Capacity, Findings, Landed, Mitigation, Plan, Quantity, Risk, StepContext, Verification,
};
use crate::time::{self, Timestamp};

/// Seconds in an average month.
const SECONDS_PER_MONTH: f64 = HOURS_PER_MONTH * 3600.0;

/// What the switch keeps: the billing mode it sets (an absolute target), the capacity it found,
/// and when it was planned (whole seconds), from which its verification measures.
#[derive(Debug, Serialize, Deserialize)]
struct SwitchMemo {
    billing_mode: BillingMode,
    read_capacity: u64,
    write_capacity: u64,
    planned_at: Timestamp,
}

/// "Switch to on-demand billing if not already".
#[derive(Debug)]
pub(super) struct SwitchToOnDemand {
    pub metrics: Arc<dyn Metrics>,
    pub tables: Arc<dyn Tables>,
    pub config: Arc<Config>,
}

impl SwitchToOnDemand {
    /// The request units a second on demand would serve for `usage`'s demand: what was
    /// consumed, plus what was throttled. The table's throttles are not split into reads and
    /// writes: they go to the side that reached its capacity, or are shared in proportion to
    /// consumption.
    fn demand(&self, usage: &Usage) -> (f64, f64) {
        let c = &usage.capacity;
        let near = self.config.near_capacity;
        let full =
            |consumed: f64, provisioned: f64| provisioned > 0.0 && consumed >= near * provisioned;
        let (reads_full, writes_full) = (
            full(c.consumed_read, c.provisioned_read),
            full(c.consumed_write, c.provisioned_write),
        );
        let consumed = c.consumed_read + c.consumed_write;
        let read_part = match (reads_full, writes_full) {
            (true, false) => 1.0,
            (false, true) => 0.0,
            _ if consumed > 0.0 => c.consumed_read / consumed,
            _ => 0.5,
        };
        let throttled = usage.throttled_per_second();
        (
            c.consumed_read + throttled * read_part,
            c.consumed_write + throttled * (1.0 - read_part),
        )
    }

    /// The added monthly cost of serving `usage`'s demand on demand rather than with the
    /// capacity provisioned now, at the runbook's configured prices.
    fn added_monthly_usd(&self, usage: &Usage) -> f64 {
        let p = &self.config.on_demand;
        let c = &usage.capacity;
        let (reads, writes) = self.demand(usage);
        let per_month = |units_per_second: f64, usd_per_million: f64| {
            units_per_second * SECONDS_PER_MONTH / 1e6 * usd_per_million
        };
        let on_demand =
            per_month(reads, p.usd_per_million_reads) + per_month(writes, p.usd_per_million_writes);
        let provisioned = (c.provisioned_read * p.usd_per_rcu_hour
            + c.provisioned_write * p.usd_per_wcu_hour)
            * HOURS_PER_MONTH;
        (on_demand - provisioned).max(0.0)
    }
}

#[async_trait]
impl Mitigation for SwitchToOnDemand {
    fn name(&self) -> &str {
        "switch-to-on-demand"
    }
    fn precondition(&self, findings: Findings<'_>) -> bool {
        findings.text_of(facts::TABLE_BILLING_MODE) != Some("PAY_PER_REQUEST")
    }

    async fn plan(&self, ctx: &StepContext) -> Result<Plan> {
        let table = &self.config.table;
        let state = self.tables.describe(table).await?;
        if state.billing_mode == BillingMode::PayPerRequest {
            return Err(Error::new(
                ErrorKind::Refused,
                "dynamodb.switch_to_on_demand",
                format!("{table} is on demand already"),
            ));
        }
        if state.status != "ACTIVE" {
            return Err(Error::new(
                ErrorKind::Conflict,
                "dynamodb.switch_to_on_demand",
                format!("{table} is {}", state.status),
            )
            .with_resource(table.clone())
            .with_retry(Retry::Transient));
        }
        // The demand of the last whole minute: what on demand would serve from now on.
        let (start, end) = whole_minutes(ctx.now, Duration::from_secs(60));
        let usage = Usage::read(self.metrics.as_ref(), &UsageQueries::of(table), start, end)
            .await?
            .provisioned(&state);
        let added = self.added_monthly_usd(&usage);
        let (reads_per_second, writes_per_second) = self.demand(&usage);
        Plan::new(
            self,
            ctx,
            Risk::High,
            format!(
                "switch {table} to on-demand billing: no provisioned limit to throttle on; about ${added:.0}/month more at the last minute's demand"
            ),
        )
        .change(
            format!("{table} billing mode"),
            state.billing_mode,
            BillingMode::PayPerRequest,
        )
        .change(
            format!("{table} provisioned capacity"),
            format!("{} RCU / {} WCU", state.read_capacity, state.write_capacity),
            "none (on demand)",
        )
        .cost(added)
        .quantity(Quantity::MonthlySpendUsd(added))
        .adds(Capacity::OnDemandTable {
            reads_per_second,
            writes_per_second,
            provisioned_read: state.read_capacity,
            provisioned_write: state.write_capacity,
        })
        .verify_after(self.config.on_demand.verify_after)
        .with_memo(&SwitchMemo {
            billing_mode: BillingMode::PayPerRequest,
            read_capacity: state.read_capacity,
            write_capacity: state.write_capacity,
            planned_at: kit::whole_second(ctx.now),
        })
    }

    async fn apply(&self, ctx: &StepContext, plan: &Plan) -> Result<String> {
        let table = &self.config.table;
        let memo: SwitchMemo = plan.memo()?;
        self.tables
            .set_billing_mode(table, memo.billing_mode, &ctx.idempotency_key)
            .await?;
        Ok(format!("{table} billing mode → {}", memo.billing_mode))
    }

    /// The table's billing mode is the plan's: in place; otherwise not (the switch is one
    /// call, and a table switched back by hand is switched again).
    async fn landed(&self, _ctx: &StepContext, plan: &Plan) -> Result<Landed> {
        let memo: SwitchMemo = plan.memo()?;
        let state = self.tables.describe(&self.config.table).await?;
        Ok(if state.billing_mode == memo.billing_mode {
            Landed::Yes
        } else {
            Landed::No
        })
    }

    async fn verify(&self, ctx: &StepContext, plan: &Plan) -> Result<Verification> {
        let table = &self.config.table;
        let memo: SwitchMemo = plan.memo()?;
        let state = self.tables.describe(table).await?;
        if state.status != "ACTIVE" || state.billing_mode != memo.billing_mode {
            return Ok(Verification::Failed(format!(
                "{table} is {} {} after {}",
                state.billing_mode,
                state.status,
                time::HumanDuration(plan.verify_after)
            )));
        }
        // From the first whole minute after the switch, at most a window back.
        let start = kit::since_change(memo.planned_at, ctx.now, self.config.window);
        let usage = Usage::read(
            self.metrics.as_ref(),
            &UsageQueries::of(table),
            start,
            ctx.now,
        )
        .await?
        .provisioned(&state);
        let events = usage.capacity.throttle_events;
        Ok(if events < self.config.min_throttle_events {
            Verification::Passed(format!(
                "{table} on demand: {events} throttled requests since the switch"
            ))
        } else {
            Verification::Failed(format!(
                "{table} still throttles on demand ({}): a hot key range beyond a partition's limits; left to people (a GSI to distribute load, DAX for reads)",
                usage.describe()
            ))
        })
    }
}
