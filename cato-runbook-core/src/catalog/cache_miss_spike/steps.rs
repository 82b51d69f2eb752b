//! The ladder: record the invalidation spike for people to review; modify the node type, behind
//! approval.

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use chrono::DateTime;

use super::evidence::{FACT_LEARNING, FACT_NODE_TYPE, FACT_SPIKE, FACT_UNDERSIZED};
use super::window::HitRateMonitor;
use crate::error::{Error, ErrorKind, Result};
use crate::ports::CacheCluster;
use crate::runbook::{Findings, Mitigation, Plan, Risk, StepContext, Verification};
use crate::time::{self, HumanDuration, Timestamp};

const PLANNED_AT: &str = "planned_at_ms";
const SPIKE: &str = "spike";

fn planned_at(plan: &Plan) -> Result<Timestamp> {
    plan.require(PLANNED_AT)?
        .as_i64()
        .and_then(DateTime::from_timestamp_millis)
        .ok_or_else(|| {
            Error::invalid_input("plan.recall", format!("{PLANNED_AT} is not a time"))
                .with_resource(plan.resource.clone())
        })
}

/// Whether the hit rate measured since the step (the detector's latest window, opened after
/// `since` and no older than `fresh`) is back at or above `threshold`.
fn hit_rate_since(
    monitor: &HitRateMonitor,
    threshold: f64,
    since: Timestamp,
    now: Timestamp,
    fresh: Duration,
) -> Verification {
    match monitor.latest() {
        Some(m) if m.from >= since && time::elapsed(m.to, now) <= fresh => {
            let rate = m.hit_rate();
            let line = format!(
                "hit rate {:.0} % ({}); threshold {:.0} %",
                rate * 100.0,
                m.describe(),
                threshold * 100.0
            );
            if rate >= threshold {
                Verification::Passed(format!("recovered: {line}"))
            } else {
                Verification::Failed(format!("not recovered: {line}"))
            }
        }
        _ => Verification::Failed(format!(
            "no hit rate measured since {}: cannot tell whether it recovered",
            since.format("%H:%M:%S")
        )),
    }
}

/// Rung 1, "check if learning update invalidated too much; review recent domain updates":
/// records the spike and asks people to review. It changes nothing; it passes once the hit rate
/// has recovered (the spike is over, or people acted), else the ladder moves on.
#[derive(Debug)]
pub(crate) struct ReviewInvalidations {
    pub(crate) monitor: Arc<HitRateMonitor>,
    pub(crate) threshold: f64,
    pub(crate) verify_after: Duration,
    pub(crate) fresh: Duration,
}

#[async_trait]
impl Mitigation for ReviewInvalidations {
    fn name(&self) -> &str {
        "review-invalidations"
    }

    fn risk(&self) -> Risk {
        Risk::ReadOnly
    }

    fn verify_after(&self) -> Duration {
        self.verify_after
    }

    fn precondition(&self, findings: Findings<'_>) -> bool {
        findings.flag(FACT_SPIKE) == Some(true)
    }

    async fn plan(&self, ctx: &StepContext) -> Result<Plan> {
        let f = ctx.findings();
        let peak = f.number("invalidations_peak_per_minute").unwrap_or(0.0);
        let baseline = f.number("invalidations_baseline_per_minute").unwrap_or(0.0);
        let after = match (f.flag(FACT_LEARNING), f.text("learning_update_name")) {
            (Some(true), Some(update)) => format!("after learning update {update}"),
            _ => "with no learning update among the recent deployments".to_owned(),
        };
        let spike = format!(
            "cache invalidations spiked to {peak:.0}/min (baseline {baseline:.1}/min) {after}"
        );
        Ok(Plan::new(
            self,
            ctx,
            format!(
                "ask people to review the recent domain updates and what they invalidated: \
                 {spike}; nothing is changed automatically"
            ),
        )
        .remember(SPIKE, spike)
        .remember(PLANNED_AT, ctx.now.timestamp_millis()))
    }

    async fn apply(&self, _ctx: &StepContext, plan: &Plan) -> Result<String> {
        let spike = plan.require(SPIKE)?;
        Ok(format!(
            "recorded for human review: {spike}; people are asked to review the recent domain \
             updates; the hit rate is checked again in {}",
            HumanDuration(self.verify_after)
        ))
    }

    async fn verify(&self, ctx: &StepContext, plan: &Plan) -> Result<Verification> {
        Ok(hit_rate_since(
            &self.monitor,
            self.threshold,
            planned_at(plan)?,
            ctx.now,
            self.fresh,
        ))
    }
}

/// Rung 2, "if cache is undersized, scale up": `aws elasticache modify-replication-group
/// --cache-node-type cache.r7g.2xlarge`, always behind an operator's approval. Disruptive (the
/// nodes are replaced) and not undone automatically: shrinking an evicting cache back would
/// only make it worse.
#[derive(Debug)]
pub(crate) struct ModifyNodeType {
    pub(crate) cluster: Arc<dyn CacheCluster>,
    pub(crate) monitor: Arc<HitRateMonitor>,
    pub(crate) cache: String,
    pub(crate) node_type: String,
    pub(crate) added_monthly_cost_usd: f64,
    pub(crate) threshold: f64,
    pub(crate) verify_after: Duration,
    pub(crate) fresh: Duration,
}

#[async_trait]
impl Mitigation for ModifyNodeType {
    fn name(&self) -> &str {
        "modify-cache-node-type"
    }

    fn risk(&self) -> Risk {
        Risk::High
    }

    fn requires_approval(&self) -> bool {
        true
    }

    fn verify_after(&self) -> Duration {
        self.verify_after
    }

    fn precondition(&self, findings: Findings<'_>) -> bool {
        findings.flag(FACT_UNDERSIZED) == Some(true)
            && findings.text(FACT_NODE_TYPE) != Some(self.node_type.as_str())
    }

    async fn plan(&self, ctx: &StepContext) -> Result<Plan> {
        let group = self.cluster.describe(&self.cache).await?;
        if group.status != "available" {
            return Err(Error::new(
                ErrorKind::Conflict,
                "modify-cache-node-type.plan",
                format!("{} is {}, not available", group.id, group.status),
            )
            .with_resource(self.cache.clone()));
        }
        if group.node_type == self.node_type {
            return Err(Error::invalid_input(
                "modify-cache-node-type.plan",
                format!(
                    "{} already runs {}: nothing bigger is configured",
                    group.id, self.node_type
                ),
            )
            .with_resource(self.cache.clone()));
        }
        Ok(Plan::new(
            self,
            ctx,
            format!(
                "modify-replication-group {} --cache-node-type {} ({} nodes replaced; evictions \
                 show the cache is undersized)",
                group.id, self.node_type, group.nodes
            ),
        )
        .change(
            format!("{} cache node type", group.id),
            &group.node_type,
            &self.node_type,
        )
        .cost(self.added_monthly_cost_usd)
        .remember("previous_node_type", group.node_type.clone())
        .remember(PLANNED_AT, ctx.now.timestamp_millis()))
    }

    async fn apply(&self, ctx: &StepContext, _plan: &Plan) -> Result<String> {
        self.cluster
            .modify_node_type(&self.cache, &self.node_type, &ctx.idempotency_key)
            .await?;
        Ok(format!(
            "{} is modifying to {}; verifying in {}",
            self.cache,
            self.node_type,
            HumanDuration(self.verify_after)
        ))
    }

    async fn verify(&self, ctx: &StepContext, plan: &Plan) -> Result<Verification> {
        let group = self.cluster.describe(&self.cache).await?;
        if group.status != "available" || group.node_type != self.node_type {
            return Ok(Verification::Failed(format!(
                "{} is {} with {} after {}: the modification has not completed",
                group.id,
                group.status,
                group.node_type,
                HumanDuration(self.verify_after)
            )));
        }
        Ok(hit_rate_since(
            &self.monitor,
            self.threshold,
            planned_at(plan)?,
            ctx.now,
            self.fresh,
        ))
    }
}
