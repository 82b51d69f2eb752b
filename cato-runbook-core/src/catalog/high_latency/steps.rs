//! The ladder: scale Shadow Self, scale the orchestrator, point at the likelier cause.

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;

use super::Config;
use super::diagnose::{BEDROCK_THROTTLING, CACHE_MISS_SPIKE};
use crate::catalog::facts;
use crate::catalog::strategies::ScaleMemo;
use crate::error::{Error, Result};
use crate::incident::IdempotencyKey;
use crate::ports::{EndpointStatus, IncidentStore, ModelEndpoint, Workloads};
use crate::runbook::{Findings, Mitigation, Plan, Quantity, Risk, StepContext, Verification};

/// Hours in an average month, for a monthly cost from an hourly price.
const HOURS_PER_MONTH: f64 = 730.0;

/// One step up from `current` toward `max`: × `factor`, at least one more, at most `max`.
pub(super) fn next_size(current: u32, factor: f64, max: u32) -> u32 {
    let scaled = (f64::from(current.max(1)) * factor).ceil();
    let scaled = if scaled >= f64::from(u32::MAX) {
        u32::MAX
    } else {
        scaled as u32
    };
    scaled.max(current.saturating_add(1)).min(max)
}

/// Whether the scaling steps stand back for an open related incident.
fn deferred(config: &Config, findings: Findings<'_>) -> bool {
    config.related.defer_scaling && findings.text_of(facts::RELATED_INCIDENT).is_some()
}

/// The key of a revert: not the apply's, whose arguments differ.
fn revert_key(ctx: &StepContext) -> IdempotencyKey {
    IdempotencyKey::new(format!("{}:revert", ctx.idempotency_key))
}

fn at_most(what: &str, max: u32, resource: &str) -> Error {
    Error::invalid_input(
        "scale.plan",
        format!("{resource} already has {max} {what}, the most the runbook asks for"),
    )
    .with_resource(resource.to_owned())
}

/// "Scale up Shadow Self": `update-endpoint-weights-and-capacities`, one step toward the cap.
pub(super) struct ScaleShadowSelf {
    endpoint: Arc<dyn ModelEndpoint>,
    config: Arc<Config>,
}

impl ScaleShadowSelf {
    pub(super) fn new(endpoint: Arc<dyn ModelEndpoint>, config: Arc<Config>) -> Self {
        ScaleShadowSelf { endpoint, config }
    }
}

#[async_trait]
impl Mitigation for ScaleShadowSelf {
    fn name(&self) -> &str {
        "scale-shadow-self"
    }

    /// Shadow Self is slow (or its latency unknown), below the cap, and no related incident is
    /// the likelier cause.
    fn precondition(&self, findings: Findings<'_>) -> bool {
        let s = &self.config.shadow_self;
        !deferred(&self.config, findings)
            && findings.get(facts::SHADOW_SELF_SLOW) != Some(false)
            && findings
                .get(facts::ENDPOINT_DESIRED_INSTANCES)
                .is_none_or(|n| n < s.max_instances)
    }

    async fn plan(&self, ctx: &StepContext) -> Result<Plan> {
        let s = &self.config.shadow_self;
        let d = self.endpoint.describe(&s.endpoint).await?;
        let v = d
            .variants
            .iter()
            .find(|v| v.name == s.variant)
            .ok_or_else(|| {
                Error::not_found("describe-endpoint", format!("{}/{}", s.endpoint, s.variant))
            })?;
        let now = v.desired_instances;
        if now >= s.max_instances {
            return Err(at_most("instances", s.max_instances, &s.endpoint));
        }
        let to = next_size(now, s.scale_factor, s.max_instances);
        let mut plan = Plan::new(
            self,
            ctx,
            Risk::Medium,
            format!(
                "scale {}/{} from {now} to {to} instances (at most {})",
                s.endpoint, s.variant, s.max_instances
            ),
        )
        .change(
            format!("{}/{} desired instances", s.endpoint, s.variant),
            now,
            to,
        )
        .quantity(Quantity::Instances(to))
        .reversible()
        .verify_after(s.verify_after)
        .with_memo(&ScaleMemo {
            previous: now,
            target: to,
        })?;
        if let Some(price) = s.instance_hourly_usd {
            plan = plan.cost(f64::from(to - now) * price * HOURS_PER_MONTH);
        }
        Ok(plan)
    }

    async fn apply(&self, ctx: &StepContext, plan: &Plan) -> Result<String> {
        let s = &self.config.shadow_self;
        let ScaleMemo { target: to, .. } = plan.memo()?;
        self.endpoint
            .set_instance_count(&s.endpoint, &s.variant, to, &ctx.idempotency_key)
            .await?;
        Ok(format!(
            "update-endpoint-weights-and-capacities {} VariantName={},DesiredInstanceCount={to}",
            s.endpoint, s.variant
        ))
    }

    async fn verify(&self, _ctx: &StepContext, plan: &Plan) -> Result<Verification> {
        let s = &self.config.shadow_self;
        let ScaleMemo { target: to, .. } = plan.memo()?;
        let d = self.endpoint.describe(&s.endpoint).await?;
        let serving = d
            .variants
            .iter()
            .find(|v| v.name == s.variant)
            .map_or(0, |v| v.current_instances);
        Ok(if d.status == EndpointStatus::InService && serving >= to {
            Verification::Passed(format!("{serving} instances in service"))
        } else {
            Verification::Failed(format!(
                "{} is {} with {serving} of {to} instances in service",
                s.endpoint, d.status
            ))
        })
    }

    async fn revert(&self, ctx: &StepContext, plan: &Plan) -> Result<String> {
        let s = &self.config.shadow_self;
        let ScaleMemo { previous, .. } = plan.memo()?;
        self.endpoint
            .set_instance_count(&s.endpoint, &s.variant, previous, &revert_key(ctx))
            .await?;
        Ok(format!("desired instances back to {previous}"))
    }
}

/// "Scale up Ray Serve": `kubectl scale deployment`, one step toward the cap.
pub(super) struct ScaleOrchestrator {
    workloads: Arc<dyn Workloads>,
    config: Arc<Config>,
}

impl ScaleOrchestrator {
    pub(super) fn new(workloads: Arc<dyn Workloads>, config: Arc<Config>) -> Self {
        ScaleOrchestrator { workloads, config }
    }
}

#[async_trait]
impl Mitigation for ScaleOrchestrator {
    fn name(&self) -> &str {
        "scale-orchestrator"
    }

    /// Below the cap, and no related incident is the likelier cause.
    fn precondition(&self, findings: Findings<'_>) -> bool {
        let o = &self.config.orchestrator;
        !deferred(&self.config, findings)
            && findings
                .get(facts::ORCHESTRATOR_REPLICAS)
                .is_none_or(|n| n < o.max_replicas)
    }

    async fn plan(&self, ctx: &StepContext) -> Result<Plan> {
        let o = &self.config.orchestrator;
        let w = self.workloads.get(&o.namespace, &o.deployment).await?;
        let now = w.desired_replicas;
        if now >= o.max_replicas {
            return Err(at_most("replicas", o.max_replicas, &o.deployment));
        }
        let to = next_size(now, o.scale_factor, o.max_replicas);
        let mut plan = Plan::new(
            self,
            ctx,
            Risk::Medium,
            format!(
                "scale {}/{} from {now} to {to} replicas (at most {})",
                o.namespace, o.deployment, o.max_replicas
            ),
        )
        .change(
            format!("{}/{} replicas", o.namespace, o.deployment),
            now,
            to,
        )
        .quantity(Quantity::Replicas(to))
        .reversible()
        .verify_after(o.verify_after)
        .with_memo(&ScaleMemo {
            previous: now,
            target: to,
        })?;
        if let Some(price) = o.replica_hourly_usd {
            plan = plan.cost(f64::from(to - now) * price * HOURS_PER_MONTH);
        }
        Ok(plan)
    }

    async fn apply(&self, ctx: &StepContext, plan: &Plan) -> Result<String> {
        let o = &self.config.orchestrator;
        let ScaleMemo { target: to, .. } = plan.memo()?;
        self.workloads
            .scale(&o.namespace, &o.deployment, to, &ctx.idempotency_key)
            .await?;
        Ok(format!(
            "kubectl scale deployment {} -n {} --replicas={to}",
            o.deployment, o.namespace
        ))
    }

    async fn verify(&self, _ctx: &StepContext, plan: &Plan) -> Result<Verification> {
        let o = &self.config.orchestrator;
        let ScaleMemo { target: to, .. } = plan.memo()?;
        let w = self.workloads.get(&o.namespace, &o.deployment).await?;
        Ok(if w.ready_replicas >= to {
            Verification::Passed(format!("{} replicas ready", w.ready_replicas))
        } else {
            Verification::Failed(format!("{} of {to} replicas ready", w.ready_replicas))
        })
    }

    async fn revert(&self, ctx: &StepContext, plan: &Plan) -> Result<String> {
        let o = &self.config.orchestrator;
        let ScaleMemo { previous, .. } = plan.memo()?;
        self.workloads
            .scale(&o.namespace, &o.deployment, previous, &revert_key(ctx))
            .await?;
        Ok(format!("replicas back to {previous}"))
    }
}

/// "Check cache hit rate - if low, investigate cache issues": names the open related
/// incident, or the cause the diagnosis found, on the timeline. Changes nothing.
pub(super) struct LinkLikelierCause {
    incidents: Option<Arc<dyn IncidentStore>>,
    config: Arc<Config>,
}

impl LinkLikelierCause {
    pub(super) fn new(incidents: Option<Arc<dyn IncidentStore>>, config: Arc<Config>) -> Self {
        LinkLikelierCause { incidents, config }
    }

    /// The first open incident of a related runbook, other than `own`, looked up again now.
    async fn open_related(&self, ctx: &StepContext) -> Result<Option<(String, String, String)>> {
        let Some(store) = &self.incidents else {
            return Ok(None);
        };
        Ok(store
            .open()
            .await?
            .into_iter()
            .find(|i| {
                i.id() != &ctx.incident
                    && self
                        .config
                        .related
                        .runbooks
                        .iter()
                        .any(|r| r == i.runbook().as_str())
            })
            .map(|i| {
                (
                    i.id().to_string(),
                    i.runbook().to_string(),
                    i.title().to_owned(),
                )
            }))
    }
}

#[async_trait]
impl Mitigation for LinkLikelierCause {
    fn name(&self) -> &str {
        "link-likelier-cause"
    }

    /// An open related incident, a low cache hit rate, or Bedrock throttling.
    fn precondition(&self, findings: Findings<'_>) -> bool {
        findings.text_of(facts::RELATED_INCIDENT).is_some()
            || findings.get(facts::CACHE_HIT_RATE_LOW) == Some(true)
            || findings.get(facts::BEDROCK_THROTTLING) == Some(true)
    }

    async fn plan(&self, ctx: &StepContext) -> Result<Plan> {
        let findings = ctx.findings();
        let summary = match self.open_related(ctx).await? {
            Some((id, runbook, title)) => format!(
                "{id} ({runbook}: {title}) is open and the likelier cause: its runbook works on it"
            ),
            None if findings.get(facts::CACHE_HIT_RATE_LOW) == Some(true) => format!(
                "{CACHE_MISS_SPIKE}: cache hit rate {:.0} % < {} %: investigate cache issues (cache-miss-spike runbook)",
                findings.get(facts::CACHE_HIT_RATE_PERCENT).unwrap_or(0.0),
                self.config.cache.hit_rate_floor_percent
            ),
            None if findings.get(facts::BEDROCK_THROTTLING) == Some(true) => format!(
                "{BEDROCK_THROTTLING}: {:.1} % of Bedrock calls throttled: see the bedrock-throttling runbook",
                findings
                    .get(facts::BEDROCK_THROTTLED_PERCENT)
                    .unwrap_or(0.0)
            ),
            None => "no related incident is open any more; nothing to point at".to_owned(),
        };
        Ok(Plan::new(self, ctx, Risk::ReadOnly, summary).verify_after(Duration::ZERO))
    }

    async fn apply(&self, _ctx: &StepContext, plan: &Plan) -> Result<String> {
        Ok(format!("likelier cause: {}", plan.summary))
    }

    async fn verify(&self, _ctx: &StepContext, _plan: &Plan) -> Result<Verification> {
        Ok(Verification::Passed(
            "the likelier cause is named; watching the latency".to_owned(),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::next_size;

    #[test]
    fn steps_toward_the_cap() {
        assert_eq!(next_size(10, 2.0, 50), 20);
        assert_eq!(next_size(30, 2.0, 50), 50);
        assert_eq!(next_size(1, 1.2, 50), 2);
        assert_eq!(next_size(0, 2.0, 50), 2);
        assert_eq!(next_size(49, 2.0, 50), 50);
    }
}
