//! **Shadow Self Endpoint Down** — the runbook's first common incident, SEV1.
//!
//! > **Symptoms:**
//! > - 5XX errors from `/api/admin/cato/shadow-self/*`
//! > - High latency on introspection queries
//! > - Circuit breaker OPEN
//! >
//! > **Diagnosis:**
//! > ```bash
//! > aws sagemaker describe-endpoint --endpoint-name cato-shadow-self
//! > aws logs filter-log-events \
//! >   --log-group-name /aws/sagemaker/Endpoints/cato-shadow-self \
//! >   --filter-pattern "ERROR"
//! > ```
//! >
//! > **Mitigation:**
//! > ```bash
//! > # 1. Check if instances are healthy
//! > aws sagemaker describe-endpoint --endpoint-name cato-shadow-self \
//! >   --query 'ProductionVariants[0].CurrentInstanceCount'
//! > # 2. If 0 instances, restart endpoint
//! > aws sagemaker update-endpoint \
//! >   --endpoint-name cato-shadow-self \
//! >   --endpoint-config-name cato-shadow-self-config
//! > # 3. If still failing, rollback to previous config
//! > aws sagemaker list-endpoint-configs --name-contains cato-shadow-self
//! > aws sagemaker update-endpoint \
//! >   --endpoint-name cato-shadow-self \
//! >   --endpoint-config-name cato-shadow-self-config-v1
//! > ```
//! >
//! > **Root Cause Investigation:**
//! > - Check for OOM errors (model too large)
//! > - Check for GPU driver issues
//! > - Check for container crash loop
//!
//! # As code
//!
//! | the runbook | here |
//! |-------------|------|
//! | 5XX errors | detector `endpoint-5xx`: `Invocation5XXErrors / Invocations` of the endpoint over [`Config::window`] above [`Config::error_rate_threshold_percent`] |
//! | high introspection latency | detector `introspection-latency`: the endpoint's `ModelLatency` p99 (SageMaker reports microseconds) above [`Config::introspection_latency_p99`] |
//! | circuit breaker OPEN | detector `circuit-breaker`: the host's [`CircuitBreaker`](super::circuit_breaker::CircuitBreaker), shared through [`Config::breaker`], not `CLOSED` |
//! | instances healthy? | detector `endpoint-instances` (an endpoint nobody calls shows no 5XX) and diagnosis `endpoint-status`: status, `CurrentInstanceCount` of [`Config::variant`], the current config and the one before it, and whether the endpoint itself fails (its 5XX and latency) |
//! | CloudWatch logs | diagnosis `error-logs`: `filter-log-events` with [`Config::log_filter_pattern`] on [`Config::log_group`]; each line is matched against [`Config::root_causes`], which ranks out of memory, GPU driver and crash loop |
//! | 2. if 0 instances, restart | step `restart-endpoint` (precondition: `instance_count == 0`): `update-endpoint` to the endpoint's current config, verified after [`Config::restart_verify_after`] |
//! | 3. if still failing, roll back | step `rollback-endpoint-config` (precondition: a `previous_config` exists and the endpoint itself is failing — no instance, a failed status, 5XX or slow answers; not just a breaker open on a healthy endpoint): `update-endpoint` to the newest config listed by [`Config::config_name_contains`] created before the current one, verified after [`Config::rollback_verify_after`] |
//! | failover to a healthy region (the runbook's "Mitigation Strategies") | step `failover-region`, with `[runbooks.failover]` configured (off by default): after the restart failed, Shadow Self traffic moves to the other region's endpoint once that region serves, with an operator's approval; if the symptom persists the ladder goes on to the rollback with users already served, and the traffic goes back when the incident resolves (see [`FailoverRegion`](super::strategies::FailoverRegion)) |
//! | escalate | the engine escalates when the ladder is exhausted, and on its timers (lead at 15 min, VP at 30 min for SEV1) |
//!
//! Severity: every symptom is the endpoint failing its callers, and the runbook's table names
//! "Shadow Self down" as its SEV1 example: the runbook's severity rule is *at least SEV1*. The
//! impact stays honest for the postmortem: a complete outage when no instance serves, the breaker
//! refuses calls or half the calls fail; the share of failed calls otherwise.
//!
//! The restart and the rollback are [`Risk::High`](crate::runbook::Risk::High) (the endpoint is
//! replaced) and cannot be undone; a verification fails until the endpoint is `InService` on the planned config
//! with instances serving and fewer 5XX than the threshold in its last complete minutes.
//! `update-endpoint` takes minutes and, on a config whose fleet fails its health check, rolls back
//! before the endpoint takes another update: the verification delays cover both.

mod config;
mod detect;
mod diagnose;
mod steps;
#[cfg(test)]
mod tests;

use std::sync::Arc;

pub use config::{Config, RootCauseSigns};

use super::first_five_minutes;
use super::strategies::FailoverConfig;
use super::{CatalogConfig, Entry, PortName, Providers};
use crate::error::Result;
use crate::runbook::{Runbook, SeverityRule};
use crate::severity::Severity;

/// The runbook's id.
pub const ID: &str = "shadow-self-down";

/// The catalog's entry.
pub const ENTRY: Entry = Entry {
    id: ID,
    title: "Shadow Self Endpoint Down",
    needs: &[PortName::Endpoint, PortName::Metrics, PortName::Logs],
    steps: &[
        "restart-endpoint",
        "failover-region",
        "rollback-endpoint-config",
    ],
    build,
};

fn build(providers: &Providers, config: &CatalogConfig) -> Result<Runbook> {
    runbook_with_failover(providers, &config.shadow_self_down, &config.failover)
}

/// The runbook over `providers`, with `config`, without failover.
///
/// # Errors
///
/// A port it needs that `providers` lacks, or a setting that does not validate.
pub fn runbook(providers: &Providers, config: &Config) -> Result<Runbook> {
    runbook_with_failover(providers, config, &FailoverConfig::default())
}

/// The runbook over `providers`, with `config`; with a failover region configured, its ladder
/// fails over after the restart and before the rollback.
///
/// # Errors
///
/// As [`runbook`]; and, with failover on, a failover setting that does not validate, or no
/// traffic controls or endpoint port of the failover region in `providers`.
pub fn runbook_with_failover(
    providers: &Providers,
    config: &Config,
    failover: &FailoverConfig,
) -> Result<Runbook> {
    providers.require(ID, ENTRY.needs)?;
    config.validate()?;
    let failover = failover.step(ID, providers, &config.endpoint, &config.variant)?;
    let endpoint = providers.endpoint(ID)?;
    let metrics = providers.metrics(ID)?;
    let logs = providers.logs(ID)?;
    let config = Arc::new(config.clone());

    let mut builder = Runbook::builder(ID, ENTRY.title)
        .severity(SeverityRule::AtLeast(Severity::Sev1))
        .detector(Arc::new(detect::EndpointErrors::new(
            metrics.clone(),
            config.clone(),
        )))
        .detector(Arc::new(detect::IntrospectionLatency::new(
            metrics.clone(),
            config.clone(),
        )))
        .detector(Arc::new(detect::EndpointInstances::new(
            endpoint.clone(),
            config.clone(),
        )));
    if let Some(breaker) = &config.breaker {
        builder = builder
            .detector(Arc::new(detect::BreakerOpen::new(
                breaker.clone(),
                config.endpoint.clone(),
            )))
            .diagnosis(Arc::new(diagnose::BreakerState::new(breaker.clone())));
    }
    builder = first_five_minutes::add_to(
        builder,
        providers,
        &config.first_five_minutes,
        &["SAGEMAKER"],
    )?;
    builder = builder
        .diagnosis(Arc::new(diagnose::EndpointStatus::new(
            endpoint.clone(),
            metrics.clone(),
            config.clone(),
        )))
        .diagnosis(Arc::new(diagnose::ErrorLogs::new(logs, config.clone())))
        .step(Arc::new(steps::Restart::new(
            endpoint.clone(),
            metrics.clone(),
            config.clone(),
        )));
    if let Some(step) = failover {
        builder = builder.step(Arc::new(step));
    }
    builder
        .step(Arc::new(steps::Rollback::new(endpoint, metrics, config)))
        .build()
}
