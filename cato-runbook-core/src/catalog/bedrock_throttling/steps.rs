//! The ladder's traffic rungs: lower the cache similarity threshold for a while, shift traffic
//! to Shadow Self. The quota request, the first rung, is in `quota_increase`.

use std::sync::Arc;

use async_trait::async_trait;
use serde::{Deserialize, Serialize};

use super::Config;
use super::signals::{Throttling, endpoint_errors, improved_since, measure};
use crate::catalog::facts;
use crate::catalog::kit::{self, revert_key};
use crate::error::{Error, ErrorKind, Result};
use crate::ports::{Metrics, TrafficControl};
use crate::runbook::{Findings, Mitigation, Plan, Risk, StepContext, Verification};
use crate::time::{self, HumanDuration, Timestamp};

/// Two settings closer than this are the same.
const SAME: f64 = 1e-6;

pub(super) fn refused(operation: &'static str, message: String) -> Error {
    Error::new(ErrorKind::Refused, operation, message)
}

/// What a traffic step keeps: the setting it sets (an absolute target), the one it found, and
/// what it is judged against — when it was planned (whole seconds) and the throttled share then.
#[derive(Debug, Serialize, Deserialize)]
struct TrafficMemo {
    previous: f64,
    target: f64,
    planned_at: Timestamp,
    /// `None` when no Bedrock call was measured then: no share to improve on.
    throttle_rate_before: Option<f64>,
}

impl TrafficMemo {
    fn new(previous: f64, target: f64, ctx: &StepContext, before: Option<Throttling>) -> Self {
        TrafficMemo {
            previous,
            target,
            planned_at: kit::whole_second(ctx.now),
            throttle_rate_before: before.filter(|t| t.attempts() > 0.0).map(|t| t.rate()),
        }
    }
}

/// A setting to two decimals, as people write it.
fn round2(value: f64) -> f64 {
    (value * 100.0).round() / 100.0
}

/// Sets a traffic control back to `previous` if it still holds what the step set.
async fn restore(
    current: f64,
    set: f64,
    previous: f64,
    what: &str,
    apply: impl std::future::Future<Output = Result<()>>,
) -> Result<String> {
    if (current - set).abs() > SAME {
        return Ok(format!(
            "{what} left at {current:.2}: changed since this step set {set:.2}"
        ));
    }
    apply.await?;
    Ok(format!("{what} back to {previous:.2}"))
}

/// 2. "Reduce cache similarity threshold temporarily".
#[derive(Debug)]
pub(super) struct LowerCacheThreshold {
    pub traffic: Arc<dyn TrafficControl>,
    pub metrics: Arc<dyn Metrics>,
    pub config: Arc<Config>,
}

const THRESHOLD_LABEL: &str = "cache similarity threshold";

#[async_trait]
impl Mitigation for LowerCacheThreshold {
    fn name(&self) -> &str {
        "lower-cache-threshold"
    }
    fn precondition(&self, findings: Findings<'_>) -> bool {
        findings
            .get(facts::TRAFFIC_CACHE_SIMILARITY_THRESHOLD)
            .is_none_or(|t| t > self.config.cache_threshold.floor + SAME)
    }

    async fn plan(&self, ctx: &StepContext) -> Result<Plan> {
        let c = &self.config.cache_threshold;
        let now = self.traffic.state().await?.cache_similarity_threshold;
        if now <= c.floor + SAME {
            return Err(refused(
                "bedrock.lower_cache_threshold",
                format!(
                    "the {THRESHOLD_LABEL} is {now:.2}, at its floor {:.2}",
                    c.floor
                ),
            ));
        }
        let target = round2((now - c.step).max(c.floor));
        let start = time::sub(ctx.now, self.config.window);
        let before = measure(self.metrics.as_ref(), &self.config.model_id, start, ctx.now).await?;
        Plan::new(
            self,
            ctx,
            Risk::Low,
            format!(
                "serve more from the cache: {THRESHOLD_LABEL} {now:.2} → {target:.2} for at most {} (restored when the incident resolves)",
                HumanDuration(c.ttl)
            ),
        )
        .change(THRESHOLD_LABEL, format!("{now:.2}"), format!("{target:.2}"))
        .reversible()
        .verify_after(c.verify_after)
        .lasts_for(c.ttl)
        .with_memo(&TrafficMemo::new(now, target, ctx, before))
    }

    async fn apply(&self, ctx: &StepContext, plan: &Plan) -> Result<String> {
        let memo: TrafficMemo = plan.memo()?;
        self.traffic
            .set_cache_similarity_threshold(memo.target, &ctx.idempotency_key)
            .await?;
        Ok(format!(
            "{THRESHOLD_LABEL} {:.2} → {:.2}",
            memo.previous, memo.target
        ))
    }

    async fn verify(&self, ctx: &StepContext, plan: &Plan) -> Result<Verification> {
        let memo: TrafficMemo = plan.memo()?;
        let (passed, detail) = improved_since(
            self.metrics.as_ref(),
            &self.config,
            memo.planned_at,
            memo.throttle_rate_before,
            ctx.now,
        )
        .await?;
        Ok(if passed {
            Verification::Passed(detail)
        } else {
            Verification::Failed(detail)
        })
    }

    async fn revert(&self, ctx: &StepContext, plan: &Plan) -> Result<String> {
        let TrafficMemo {
            previous, target, ..
        } = plan.memo()?;
        let current = self.traffic.state().await?.cache_similarity_threshold;
        let key = revert_key(ctx, plan);
        restore(
            current,
            target,
            previous,
            THRESHOLD_LABEL,
            self.traffic.set_cache_similarity_threshold(previous, &key),
        )
        .await
    }
}

/// 3. "Shift more traffic to self-hosted Shadow Self".
#[derive(Debug)]
pub(super) struct ShiftToShadowSelf {
    pub traffic: Arc<dyn TrafficControl>,
    pub metrics: Arc<dyn Metrics>,
    pub config: Arc<Config>,
}

const SHARE_LABEL: &str = "Shadow Self share of LLM traffic";

#[async_trait]
impl Mitigation for ShiftToShadowSelf {
    fn name(&self) -> &str {
        "shift-to-shadow-self"
    }
    fn precondition(&self, findings: Findings<'_>) -> bool {
        findings.get(facts::SHADOW_SELF_SERVING) == Some(true)
            && findings
                .get(facts::TRAFFIC_SHADOW_SELF_SHARE)
                .is_none_or(|s| s < self.config.traffic_shift.cap - SAME)
    }

    async fn plan(&self, ctx: &StepContext) -> Result<Plan> {
        let c = &self.config.traffic_shift;
        let now = self.traffic.state().await?.shadow_self_share;
        if now >= c.cap - SAME {
            return Err(refused(
                "bedrock.shift_to_shadow_self",
                format!("the {SHARE_LABEL} is {now:.2}, at its cap {:.2}", c.cap),
            ));
        }
        let target = round2((now + c.step).min(c.cap));
        let start = time::sub(ctx.now, self.config.window);
        let before = measure(self.metrics.as_ref(), &self.config.model_id, start, ctx.now).await?;
        Plan::new(
            self,
            ctx,
            Risk::Medium,
            format!(
                "move LLM traffic from Bedrock to {}: Shadow Self share {:.0} % → {:.0} %",
                c.endpoint,
                now * 100.0,
                target * 100.0
            ),
        )
        .change(SHARE_LABEL, format!("{now:.2}"), format!("{target:.2}"))
        .reversible()
        .verify_after(c.verify_after)
        .with_memo(&TrafficMemo::new(now, target, ctx, before))
    }

    async fn apply(&self, ctx: &StepContext, plan: &Plan) -> Result<String> {
        let memo: TrafficMemo = plan.memo()?;
        self.traffic
            .set_shadow_self_share(memo.target, &ctx.idempotency_key)
            .await?;
        Ok(format!(
            "{SHARE_LABEL} {:.2} → {:.2}",
            memo.previous, memo.target
        ))
    }

    async fn verify(&self, ctx: &StepContext, plan: &Plan) -> Result<Verification> {
        let c = &self.config.traffic_shift;
        let memo: TrafficMemo = plan.memo()?;
        let start = kit::since_change(memo.planned_at, ctx.now, self.config.window);
        let (calls, errors) = endpoint_errors(self.metrics.as_ref(), &c.endpoint, start, ctx.now)
            .await?
            .ok_or_else(|| {
                Error::new(
                    ErrorKind::Unavailable,
                    "bedrock.shift_to_shadow_self",
                    format!("no {} metrics since the change", c.endpoint),
                )
            })?;
        let error_rate = if calls > 0.0 { errors / calls } else { 0.0 };
        if error_rate > c.max_error_rate {
            return Ok(Verification::Failed(format!(
                "{} answered {:.1} % 5XX under the extra load (at most {:.1} %)",
                c.endpoint,
                error_rate * 100.0,
                c.max_error_rate * 100.0
            )));
        }
        let (passed, detail) = improved_since(
            self.metrics.as_ref(),
            &self.config,
            memo.planned_at,
            memo.throttle_rate_before,
            ctx.now,
        )
        .await?;
        let detail = format!(
            "{detail}; {} answered {:.1} % 5XX",
            c.endpoint,
            error_rate * 100.0
        );
        Ok(if passed {
            Verification::Passed(detail)
        } else {
            Verification::Failed(detail)
        })
    }

    async fn revert(&self, ctx: &StepContext, plan: &Plan) -> Result<String> {
        let TrafficMemo {
            previous, target, ..
        } = plan.memo()?;
        let current = self.traffic.state().await?.shadow_self_share;
        let key = revert_key(ctx, plan);
        restore(
            current,
            target,
            previous,
            SHARE_LABEL,
            self.traffic.set_shadow_self_share(previous, &key),
        )
        .await
    }
}
