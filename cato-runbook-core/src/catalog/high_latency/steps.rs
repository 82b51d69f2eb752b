//! The ladder: roll a bad orchestrator deployment back, scale Shadow Self, scale the
//! orchestrator, point at the likelier cause.

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;

use super::Config;
use super::diagnose::{BEDROCK_THROTTLING, CACHE_MISS_SPIKE};
use super::related::{OpenRelated, open_related};
use crate::catalog::facts;
use crate::catalog::kit::HOURS_PER_MONTH;
use crate::catalog::strategies::{RollbackWorkload, ScaleEndpoint, ScaleWorkload, Scaling, Style};
use crate::error::Result;
use crate::ports::{IncidentStore, ModelEndpoint, Workloads};
use crate::runbook::{Findings, Mitigation, Plan, Risk, StepContext, Verification};

/// Whether the scaling steps stand back for an open related incident.
fn deferred(config: &Config, findings: Findings<'_>) -> bool {
    config.related.defer_scaling && findings.text_of(facts::RELATED_INCIDENT).is_some()
}

/// The monthly cost of one more, from an hourly price; 0 when unknown.
fn monthly(hourly_usd: Option<f64>) -> f64 {
    hourly_usd.map_or(0.0, |price| price * HOURS_PER_MONTH)
}

/// Whether a deployment of the orchestrator's Deployment is among the ranked causes (a suspect
/// of the recent-deployments check).
fn orchestrator_deployed(config: &Config, findings: Findings<'_>) -> bool {
    findings
        .text_of(facts::DEPLOYMENTS_SUSPECT_SERVICES)
        .is_some_and(|services| {
            services
                .split(',')
                .any(|s| s.eq_ignore_ascii_case(&config.orchestrator.deployment))
        })
}

/// "Rollback recent changes": `kubectl rollout undo`, to the revision before the current one —
/// when a deployment of the orchestrator landed shortly before detection.
pub(super) fn rollback_orchestrator(
    workloads: Arc<dyn Workloads>,
    config: &Arc<Config>,
) -> RollbackWorkload {
    let o = &config.orchestrator;
    let c = config.clone();
    RollbackWorkload::new(workloads, &o.namespace, &o.deployment)
        .named("rollback-orchestrator")
        .with_approval(config.rollback.approval)
        .verify_after(config.rollback.verify_after)
        .when(move |findings| orchestrator_deployed(&c, findings))
}

/// "Scale up Shadow Self": `update-endpoint-weights-and-capacities`, desired instances ×
/// the scale factor, at most the cap — when Shadow Self is slow (or its latency unknown), below
/// the cap, and no related incident is the likelier cause.
pub(super) fn scale_shadow_self(
    endpoint: Arc<dyn ModelEndpoint>,
    config: &Arc<Config>,
) -> ScaleEndpoint {
    let s = &config.shadow_self;
    let scaling = Scaling {
        verify_after: s.verify_after,
        monthly_usd_each: monthly(s.instance_hourly_usd),
        instance_type: s.instance_type.clone(),
        ..Scaling::by_factor(s.scale_factor, s.max_instances)
    };
    let c = config.clone();
    ScaleEndpoint::new(endpoint, &s.endpoint, &s.variant, scaling)
        .named("scale-shadow-self")
        .styled(Style::Command)
        .when(move |findings| {
            !deferred(&c, findings)
                && findings.get(facts::SHADOW_SELF_SLOW) != Some(false)
                && findings
                    .get(facts::ENDPOINT_DESIRED_INSTANCES)
                    .is_none_or(|n| n < c.shadow_self.max_instances)
        })
}

/// "Scale up Ray Serve": `kubectl scale deployment`, replicas × the scale factor, at most the
/// cap — when below the cap and no related incident is the likelier cause.
pub(super) fn scale_orchestrator(
    workloads: Arc<dyn Workloads>,
    config: &Arc<Config>,
) -> ScaleWorkload {
    let o = &config.orchestrator;
    let scaling = Scaling {
        verify_after: o.verify_after,
        monthly_usd_each: monthly(o.replica_hourly_usd),
        ..Scaling::by_factor(o.scale_factor, o.max_replicas)
    };
    let c = config.clone();
    ScaleWorkload::new(workloads, &o.namespace, &o.deployment, scaling)
        .named("scale-orchestrator")
        .styled(Style::Command)
        .when(move |findings| {
            !deferred(&c, findings)
                && findings
                    .get(facts::ORCHESTRATOR_REPLICAS)
                    .is_none_or(|n| n < c.orchestrator.max_replicas)
        })
}

/// "Check cache hit rate - if low, investigate cache issues": names the open related
/// incident, or the cause the diagnosis found, on the timeline. Changes nothing.
#[derive(Debug)]
pub(super) struct LinkLikelierCause {
    incidents: Option<Arc<dyn IncidentStore>>,
    config: Arc<Config>,
}

impl LinkLikelierCause {
    pub(super) fn new(incidents: Option<Arc<dyn IncidentStore>>, config: Arc<Config>) -> Self {
        LinkLikelierCause { incidents, config }
    }

    /// The first open incident of a related runbook, other than this one, looked up again now.
    async fn open_related(&self, ctx: &StepContext) -> Result<Option<OpenRelated>> {
        let open = open_related(self.incidents.as_deref(), &self.config, &ctx.incident).await?;
        Ok(open.into_iter().next())
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
        // The diagnosis writes each flag with its value; a flag without it names no number.
        let measured = |value: Option<f64>, digits: usize| {
            value.map_or("(not recorded)".to_owned(), |v| format!("{v:.digits$} %"))
        };
        let summary = match self.open_related(ctx).await? {
            Some(OpenRelated { id, runbook, title }) => format!(
                "{id} ({runbook}: {title}) is open and the likelier cause: its runbook works on it"
            ),
            None if findings.get(facts::CACHE_HIT_RATE_LOW) == Some(true) => format!(
                "{CACHE_MISS_SPIKE}: cache hit rate {} < {} %: investigate cache issues (cache-miss-spike runbook)",
                measured(findings.get(facts::CACHE_HIT_RATE_PERCENT), 0),
                self.config.cache.hit_rate_floor_percent
            ),
            None if findings.get(facts::BEDROCK_THROTTLING) == Some(true) => format!(
                "{BEDROCK_THROTTLING}: {} of Bedrock calls throttled: see the bedrock-throttling runbook",
                measured(findings.get(facts::BEDROCK_THROTTLED_PERCENT), 1)
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
