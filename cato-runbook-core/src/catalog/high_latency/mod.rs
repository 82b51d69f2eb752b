//! **High Latency** — the runbook's second common incident, SEV2.
//!
//! > **Symptoms:**
//! > - p99 latency > 2 seconds
//! > - User complaints about slow responses
//! > - Timeout errors
//! >
//! > **Diagnosis:**
//! > ```bash
//! > # Check component latencies
//! > aws cloudwatch get-metric-statistics \
//! >   --namespace AWS/SageMaker \
//! >   --metric-name ModelLatency \
//! >   --dimensions Name=EndpointName,Value=cato-shadow-self \
//! >   --period 60 --statistics p99
//! > ```
//! >
//! > **Mitigation:**
//! > ```bash
//! > # 1. Scale up Shadow Self
//! > aws sagemaker update-endpoint-weights-and-capacities \
//! >   --endpoint-name cato-shadow-self \
//! >   --desired-weights-and-capacities VariantName=primary,DesiredInstanceCount=50
//! > # 2. Scale up Ray Serve
//! > kubectl scale deployment cato-orchestrator -n cato --replicas=50
//! > # 3. Check cache hit rate - if low, investigate cache issues
//! > ```
//! >
//! > **Root Causes:**
//! > - Insufficient capacity
//! > - Cache miss spike
//! > - Bedrock throttling
//! > - Network latency
//!
//! # As code
//!
//! | the runbook | here |
//! |-------------|------|
//! | p99 latency > 2 seconds | detector `p99-latency`: the orchestrator's end-to-end [`Config::request_latency`] p99 above [`Config::p99_threshold`], or the Shadow Self endpoint's `ModelLatency` p99 (SageMaker reports microseconds) above [`ShadowSelf::model_latency_p99`], over [`Config::window`], in one query |
//! | timeout errors | detector `timeouts`: at least [`Timeouts::threshold`] events matching [`Timeouts::pattern`] in the orchestrator's log group over the window |
//! | user complaints | people: an operator can open the incident by hand |
//! | check component latencies | diagnosis `component-latencies`: in **one** metrics query, the request p99 and p50, `ModelLatency` p99, the endpoint's 5XX, the cache's `CacheHitRate`, Bedrock's invocations, throttles and latency; and the open incidents of [`Related::runbooks`]. Causes are ranked from that evidence, an open related incident first |
//! | (instances, replicas) | diagnosis `capacity`: the endpoint's and the deployment's sizes, for the steps' preconditions |
//! | (rollback recent changes) | step `rollback-orchestrator`, first (precondition: a deployment of [`Orchestrator::deployment`] shortly before detection is a ranked cause — the first five minutes' `recent-deployments`): `kubectl rollout undo --to-revision` to the revision before the current one, with approval by default ([`Rollback`]); reverted by rolling forward |
//! | 1. scale up Shadow Self | step `scale-shadow-self` (precondition: Shadow Self is slow, or its latency unknown): desired instances × [`ShadowSelf::scale_factor`], at most [`ShadowSelf::max_instances`] (the runbook's 50) — a step toward the cap rather than a jump to it |
//! | 2. scale up Ray Serve | step `scale-orchestrator`: replicas × [`Orchestrator::scale_factor`], at most [`Orchestrator::max_replicas`] (the runbook's 50) |
//! | 3. check cache hit rate | step `link-likelier-cause` (precondition: an open related incident, a low hit rate or Bedrock throttling): names the incident, or the cause to investigate, on the timeline; changes nothing |
//!
//! With [`Related::defer_scaling`] (the default), both scaling steps stand back while an open
//! cache-miss-spike or bedrock-throttling incident is the likelier cause: its own runbook fixes
//! the cause, and more capacity would only be paid for.
//!
//! Severity: a p99 above 2 s reaches most users, who make many requests each; the impact is
//! [`Config::affected_share`] of users (default 60 %), which the runbook's table rates SEV2.
//!
//! The scaling steps are the general strategies'
//! [`ScaleEndpoint`](super::strategies::ScaleEndpoint) and
//! [`ScaleWorkload`](super::strategies::ScaleWorkload), named after the runbook's rungs, growing
//! by a factor, with the preconditions above, in the
//! [`Command`](super::strategies::Style::Command) style (the apply line is the runbook's
//! command). They are [`Risk::Medium`](crate::runbook::Risk::Medium), carry their instance or
//! replica count for the policy's caps (and, when an hourly price is configured, their monthly
//! cost for its approval threshold), are verified once the new capacity serves, and are scaled
//! back when that verification fails.

mod capacity;
mod config;
mod detect;
mod diagnose;
mod related;
mod steps;
#[cfg(test)]
mod tests;

use std::sync::Arc;

pub use config::{
    Bedrock, Cache, Config, Orchestrator, Related, RequestLatency, Rollback, ShadowSelf, Timeouts,
};

use super::first_five_minutes;
use super::{CatalogConfig, Entry, PortName, Providers};
use crate::error::Result;
use crate::runbook::Runbook;

/// The runbook's id.
pub const ID: &str = "high-latency";

/// The catalog's entry. The incident store ([`PortName::Incidents`]) is optional: without it
/// the runbook does not look for related incidents.
pub const ENTRY: Entry = Entry {
    id: ID,
    title: "High Latency",
    needs: &[
        PortName::Metrics,
        PortName::Endpoint,
        PortName::Workloads,
        PortName::Logs,
    ],
    steps: &[
        "rollback-orchestrator",
        "scale-shadow-self",
        "scale-orchestrator",
        "link-likelier-cause",
    ],
    build,
};

fn build(providers: &Providers, config: &CatalogConfig) -> Result<Runbook> {
    runbook(providers, &config.high_latency)
}

/// The runbook over `providers`, with `config`.
///
/// # Errors
///
/// A port it needs that `providers` lacks, or a setting that does not validate.
pub fn runbook(providers: &Providers, config: &Config) -> Result<Runbook> {
    providers.require(ID, ENTRY.needs)?;
    config.validate()?;
    let metrics = providers.metrics(ID)?;
    let endpoint = providers.endpoint(ID)?;
    let workloads = providers.workloads(ID)?;
    let logs = providers.logs(ID)?;
    let incidents = providers.incidents.clone();
    let config = Arc::new(config.clone());
    let builder = first_five_minutes::add_to(
        Runbook::builder(ID, ENTRY.title),
        providers,
        &config.first_five_minutes,
        &["SAGEMAKER", "BEDROCK", "ELASTICACHE"],
    )?;
    let builder = if config.rollback.enabled {
        builder.step(Arc::new(steps::rollback_orchestrator(
            workloads.clone(),
            &config,
        )))
    } else {
        builder
    };
    builder
        .detector(Arc::new(detect::P99Latency::new(
            metrics.clone(),
            config.clone(),
        )))
        .detector(Arc::new(detect::TimeoutErrors::new(logs, config.clone())))
        .diagnosis(Arc::new(diagnose::ComponentLatencies::new(
            metrics,
            incidents.clone(),
            config.clone(),
        )))
        .diagnosis(Arc::new(capacity::Capacity::new(
            endpoint.clone(),
            workloads.clone(),
            config.clone(),
        )))
        .step(Arc::new(steps::scale_shadow_self(endpoint, &config)))
        .step(Arc::new(steps::scale_orchestrator(workloads, &config)))
        .step(Arc::new(steps::LinkLikelierCause::new(incidents, config)))
        .build()
}
