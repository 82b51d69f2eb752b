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
//! The scaling steps are [`Risk::Medium`](crate::runbook::Risk::Medium), carry their instance
//! or replica count for the policy's caps (and, when an hourly price is configured, their
//! monthly cost for its approval threshold), are verified once the new capacity serves, and are
//! scaled back when that verification fails.

mod detect;
mod diagnose;
mod steps;

use std::sync::Arc;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use super::first_five_minutes;
use super::{CatalogConfig, Entry, PortName, Providers};
use crate::engine::Runbook;
use crate::error::{Error, Result};

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
    build,
};

/// The runbook's settings; the defaults are the runbook's values and names.
///
/// ```
/// use cato_runbook_core::catalog::high_latency::Config;
/// use std::time::Duration;
///
/// let config: Config = toml::from_str(r#"
///     p99_threshold = "1500ms"
///     [orchestrator]
///     max_replicas = 30
/// "#)?;
/// assert_eq!(config.p99_threshold, Duration::from_millis(1500));
/// assert_eq!(config.orchestrator.max_replicas, 30);
/// assert_eq!(config.shadow_self.max_instances, 50);
/// # Ok::<(), toml::de::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
#[non_exhaustive]
pub struct Config {
    /// p99 above which requests are slow. Default 2 s.
    #[serde(with = "humantime_serde")]
    pub p99_threshold: Duration,
    /// The window latencies are read over, whole minutes. Default 5 min.
    #[serde(with = "humantime_serde")]
    pub window: Duration,
    /// The share of users a slow p99 hurts. Default 0.6 (SEV2: more than half).
    pub affected_share: f64,
    /// The orchestrator's end-to-end latency metric, in milliseconds.
    pub request_latency: RequestLatency,
    /// Timeout errors in the orchestrator's logs.
    pub timeouts: Timeouts,
    /// The Shadow Self endpoint and how it is scaled.
    pub shadow_self: ShadowSelf,
    /// The orchestrator's deployment and how it is scaled.
    pub orchestrator: Orchestrator,
    /// The semantic cache.
    pub cache: Cache,
    /// Bedrock.
    pub bedrock: Bedrock,
    /// Incidents of other runbooks that may be the cause.
    pub related: Related,
    /// The runbook's "First 5 Minutes": recent deployments, cloud health events, dashboard.
    pub first_five_minutes: first_five_minutes::Config,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            p99_threshold: Duration::from_secs(2),
            window: Duration::from_secs(5 * 60),
            affected_share: 0.6,
            request_latency: RequestLatency::default(),
            timeouts: Timeouts::default(),
            shadow_self: ShadowSelf::default(),
            orchestrator: Orchestrator::default(),
            cache: Cache::default(),
            bedrock: Bedrock::default(),
            related: Related::default(),
            first_five_minutes: first_five_minutes::Config::default(),
        }
    }
}

/// A custom metric of the orchestrator's request latency, in milliseconds, without dimensions.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
#[non_exhaustive]
pub struct RequestLatency {
    /// Default `Custom/Cato`.
    pub namespace: String,
    /// Default `RequestLatency`.
    pub metric: String,
}

impl Default for RequestLatency {
    fn default() -> Self {
        RequestLatency {
            namespace: "Custom/Cato".into(),
            metric: "RequestLatency".into(),
        }
    }
}

/// Timeout errors in the orchestrator's logs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
#[non_exhaustive]
pub struct Timeouts {
    /// The orchestrator's log group. Default `/cato/orchestrator`.
    pub log_group: String,
    /// A CloudWatch Logs filter pattern. Default `?Timeout ?timeout ?"timed out"`.
    pub pattern: String,
    /// Events in the window from which timeouts are a symptom; 0 turns the detector off.
    /// Default 10.
    pub threshold: usize,
}

impl Default for Timeouts {
    fn default() -> Self {
        Timeouts {
            log_group: "/cato/orchestrator".into(),
            pattern: "?Timeout ?timeout ?\"timed out\"".into(),
            threshold: 10,
        }
    }
}

/// The Shadow Self endpoint (SageMaker) and its scaling.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
#[non_exhaustive]
pub struct ShadowSelf {
    /// Default `cato-shadow-self`.
    pub endpoint: String,
    /// Default `primary`.
    pub variant: String,
    /// `ModelLatency` p99 above which Shadow Self is slow. Default 2 s.
    #[serde(with = "humantime_serde")]
    pub model_latency_p99: Duration,
    /// Each scale-up multiplies the desired instances by this. Default 2.
    pub scale_factor: f64,
    /// The most instances the runbook asks for (the runbook's command sets 50). Default 50.
    pub max_instances: u32,
    /// One instance's price, US dollars an hour, for the plan's monthly cost; unknown when
    /// absent.
    pub instance_hourly_usd: Option<f64>,
    /// How long after scaling to verify: long enough for new instances to serve (minutes on
    /// SageMaker) and for the latency window to see them. Default 12 min.
    #[serde(with = "humantime_serde")]
    pub verify_after: Duration,
}

impl Default for ShadowSelf {
    fn default() -> Self {
        ShadowSelf {
            endpoint: "cato-shadow-self".into(),
            variant: "primary".into(),
            model_latency_p99: Duration::from_secs(2),
            scale_factor: 2.0,
            max_instances: 50,
            instance_hourly_usd: None,
            verify_after: Duration::from_secs(12 * 60),
        }
    }
}

/// The orchestrator's Kubernetes deployment (Ray Serve) and its scaling.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
#[non_exhaustive]
pub struct Orchestrator {
    /// Default `cato`.
    pub namespace: String,
    /// Default `cato-orchestrator`; also the incident's resource.
    pub deployment: String,
    /// Each scale-up multiplies the replicas by this. Default 2.
    pub scale_factor: f64,
    /// The most replicas the runbook asks for (the runbook's command sets 50). Default 50.
    pub max_replicas: u32,
    /// One replica's price, US dollars an hour, for the plan's monthly cost; unknown when
    /// absent.
    pub replica_hourly_usd: Option<f64>,
    /// How long after scaling to verify: long enough for new pods to be ready and for the
    /// latency window to see them. Default 7 min.
    #[serde(with = "humantime_serde")]
    pub verify_after: Duration,
}

impl Default for Orchestrator {
    fn default() -> Self {
        Orchestrator {
            namespace: "cato".into(),
            deployment: "cato-orchestrator".into(),
            scale_factor: 2.0,
            max_replicas: 50,
            replica_hourly_usd: None,
            verify_after: Duration::from_secs(7 * 60),
        }
    }
}

/// The semantic cache (ElastiCache).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
#[non_exhaustive]
pub struct Cache {
    /// The `CacheClusterId` of `CacheHitRate`: the primary node of `cato-cache`. Default
    /// `cato-cache-001`.
    pub cluster_id: String,
    /// Hit rate, percent, below which the cache is missing (the cache-miss runbook's 70 %).
    pub hit_rate_floor_percent: f64,
}

impl Default for Cache {
    fn default() -> Self {
        Cache {
            cluster_id: "cato-cache-001".into(),
            hit_rate_floor_percent: 70.0,
        }
    }
}

/// Bedrock.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
#[non_exhaustive]
pub struct Bedrock {
    /// The `ModelId` Cato calls.
    pub model_id: String,
    /// Throttled share of Bedrock calls, percent, from which Bedrock throttling is a cause.
    /// Default 1.
    pub throttled_percent: f64,
}

impl Default for Bedrock {
    fn default() -> Self {
        Bedrock {
            model_id: "anthropic.claude-3-5-sonnet-20241022-v2:0".into(),
            throttled_percent: 1.0,
        }
    }
}

/// Incidents of other runbooks that can drive latency.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
#[non_exhaustive]
pub struct Related {
    /// Their runbooks. Default `cache-miss-spike`, `bedrock-throttling`.
    pub runbooks: Vec<String>,
    /// Whether the scaling steps stand back while one of them is open. Default true.
    pub defer_scaling: bool,
}

impl Default for Related {
    fn default() -> Self {
        Related {
            runbooks: vec!["cache-miss-spike".into(), "bedrock-throttling".into()],
            defer_scaling: true,
        }
    }
}

impl Config {
    /// Checks what types alone cannot.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidInput`](crate::ErrorKind::InvalidInput) naming the setting.
    pub fn validate(&self) -> Result<()> {
        let bad = |message: String| {
            Err(Error::invalid_input(
                "catalog.config",
                format!("{ID}: {message}"),
            ))
        };
        let secs = self.window.as_secs();
        if secs == 0 || !secs.is_multiple_of(60) || self.window.subsec_nanos() != 0 {
            return bad("window must be a whole number of minutes".into());
        }
        if !(0.0..=1.0).contains(&self.affected_share) {
            return bad(format!(
                "affected_share {} is not in 0..=1",
                self.affected_share
            ));
        }
        for (name, factor) in [
            ("shadow_self.scale_factor", self.shadow_self.scale_factor),
            ("orchestrator.scale_factor", self.orchestrator.scale_factor),
        ] {
            if !(factor > 1.0 && factor.is_finite()) {
                return bad(format!("{name} {factor} must be above 1"));
            }
        }
        if self.shadow_self.max_instances == 0 || self.orchestrator.max_replicas == 0 {
            return bad("max_instances and max_replicas must be at least 1".into());
        }
        for (name, value) in [
            ("shadow_self.endpoint", &self.shadow_self.endpoint),
            ("orchestrator.deployment", &self.orchestrator.deployment),
            ("timeouts.log_group", &self.timeouts.log_group),
        ] {
            if value.trim().is_empty() {
                return bad(format!("{name} is empty"));
            }
        }
        Ok(())
    }
}

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
        .diagnosis(Arc::new(diagnose::Capacity::new(
            endpoint.clone(),
            workloads.clone(),
            config.clone(),
        )))
        .step(Arc::new(steps::ScaleShadowSelf::new(
            endpoint,
            config.clone(),
        )))
        .step(Arc::new(steps::ScaleOrchestrator::new(
            workloads,
            config.clone(),
        )))
        .step(Arc::new(steps::LinkLikelierCause::new(incidents, config)))
        .build()
}
