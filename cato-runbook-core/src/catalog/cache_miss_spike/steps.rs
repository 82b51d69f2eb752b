//! The ladder: record the invalidation spike for people to review; modify the node type, behind
//! approval.

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use serde::{Deserialize, Serialize};

use super::window::HitRateMonitor;
use crate::catalog::facts;
use crate::error::{Error, ErrorKind, Result};
use crate::ports::CacheCluster;
use crate::runbook::{Capacity, Findings, Mitigation, Plan, Risk, StepContext, Verification};
use crate::time::{self, HumanDuration, Timestamp};

/// What the review keeps: the spike it recorded and when it was planned (the hit rate that
/// verifies it must be measured after that).
#[derive(Debug, Serialize, Deserialize)]
struct ReviewMemo {
    spike: String,
    planned_at: Timestamp,
}

/// What the node-type change keeps: the node type it sets (an absolute target), the one it
/// found, and when it was planned.
#[derive(Debug, Serialize, Deserialize)]
struct NodeTypeMemo {
    node_type: String,
    previous_node_type: String,
    planned_at: Timestamp,
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

    fn precondition(&self, findings: Findings<'_>) -> bool {
        findings.get(facts::INVALIDATION_SPIKE) == Some(true)
    }

    async fn plan(&self, ctx: &StepContext) -> Result<Plan> {
        let f = ctx.findings();
        // The diagnosis writes the spike with both figures; one not recorded is named so.
        let per_minute = |v: Option<f64>, digits: usize| {
            v.map_or("(not recorded)".to_owned(), |v| format!("{v:.digits$}/min"))
        };
        let peak = per_minute(f.get(facts::INVALIDATIONS_PEAK_PER_MINUTE), 0);
        let baseline = per_minute(f.get(facts::INVALIDATIONS_BASELINE_PER_MINUTE), 1);
        let after = match (
            f.get(facts::LEARNING_UPDATE),
            f.text_of(facts::LEARNING_UPDATE_NAME),
        ) {
            (Some(true), Some(update)) => format!("after learning update {update}"),
            _ => "with no learning update among the recent deployments".to_owned(),
        };
        let spike = format!("cache invalidations spiked to {peak} (baseline {baseline}) {after}");
        Plan::new(
            self,
            ctx,
            Risk::ReadOnly,
            format!(
                "ask people to review the recent domain updates and what they invalidated: \
                 {spike}; nothing is changed automatically"
            ),
        )
        .verify_after(self.verify_after)
        .with_memo(&ReviewMemo {
            spike,
            planned_at: ctx.now,
        })
    }

    async fn apply(&self, _ctx: &StepContext, plan: &Plan) -> Result<String> {
        let memo: ReviewMemo = plan.memo()?;
        Ok(format!(
            "recorded for human review: {}; people are asked to review the recent domain \
             updates; the hit rate is checked again in {}",
            memo.spike,
            HumanDuration(plan.verify_after)
        ))
    }

    async fn verify(&self, ctx: &StepContext, plan: &Plan) -> Result<Verification> {
        let memo: ReviewMemo = plan.memo()?;
        Ok(hit_rate_since(
            &self.monitor,
            self.threshold,
            memo.planned_at,
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

    fn precondition(&self, findings: Findings<'_>) -> bool {
        findings.get(facts::CACHE_UNDERSIZED) == Some(true)
            && findings.text_of(facts::NODE_TYPE) != Some(self.node_type.as_str())
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
        Plan::new(
            self,
            ctx,
            Risk::High,
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
        .adds(Capacity::CacheNodes {
            from: group.node_type.clone(),
            to: self.node_type.clone(),
            nodes: group.nodes,
        })
        .needs_approval("replaces every node of the cache")
        .verify_after(self.verify_after)
        .with_memo(&NodeTypeMemo {
            node_type: self.node_type.clone(),
            previous_node_type: group.node_type,
            planned_at: ctx.now,
        })
    }

    async fn apply(&self, ctx: &StepContext, plan: &Plan) -> Result<String> {
        let memo: NodeTypeMemo = plan.memo()?;
        self.cluster
            .modify_node_type(&self.cache, &memo.node_type, &ctx.idempotency_key)
            .await?;
        Ok(format!(
            "{} is modifying to {}; verifying in {}",
            self.cache,
            memo.node_type,
            HumanDuration(plan.verify_after)
        ))
    }

    async fn verify(&self, ctx: &StepContext, plan: &Plan) -> Result<Verification> {
        let memo: NodeTypeMemo = plan.memo()?;
        let group = self.cluster.describe(&self.cache).await?;
        if group.status != "available" || group.node_type != memo.node_type {
            return Ok(Verification::Failed(format!(
                "{} is {} with {} after {}: the modification has not completed",
                group.id,
                group.status,
                group.node_type,
                HumanDuration(plan.verify_after)
            )));
        }
        Ok(hit_rate_since(
            &self.monitor,
            self.threshold,
            memo.planned_at,
            ctx.now,
            self.fresh,
        ))
    }
}
