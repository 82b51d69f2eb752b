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
//! | circuit breaker OPEN | detector `circuit-breaker`: the host's [`CircuitBreaker`], shared through [`Config::breaker`], not `CLOSED` |
//! | instances healthy? | detector `endpoint-instances` (an endpoint nobody calls shows no 5XX) and diagnosis `endpoint-status`: status, `CurrentInstanceCount` of [`Config::variant`], the current config and the one before it, and whether the endpoint itself fails (its 5XX and latency) |
//! | CloudWatch logs | diagnosis `error-logs`: `filter-log-events` with [`Config::log_filter_pattern`] on [`Config::log_group`]; each line is matched against [`Config::root_causes`], which ranks out of memory, GPU driver and crash loop |
//! | 2. if 0 instances, restart | step `restart-endpoint` (precondition: `instance_count == 0`): `update-endpoint` to the endpoint's current config, verified after [`Config::restart_verify_after`] |
//! | 3. if still failing, roll back | step `rollback-endpoint-config` (precondition: a `previous_config` exists and the endpoint itself is failing — no instance, a failed status, 5XX or slow answers; not just a breaker open on a healthy endpoint): `update-endpoint` to the newest config listed by [`Config::config_name_contains`] created before the current one, verified after [`Config::rollback_verify_after`] |
//! | escalate | the engine escalates when the ladder is exhausted, and on its timers (lead at 15 min, VP at 30 min for SEV1) |
//!
//! Severity: every symptom is the endpoint failing its callers, and the runbook's table names
//! "Shadow Self down" as its SEV1 example: the runbook's severity rule is *at least SEV1*. The
//! impact stays honest for the postmortem: a complete outage when no instance serves, the breaker
//! refuses calls or half the calls fail; the share of failed calls otherwise.
//!
//! Both steps are [`Risk::High`](crate::runbook::Risk::High) (the endpoint is replaced) and
//! cannot be undone; a verification fails until the endpoint is `InService` on the planned config
//! with instances serving and fewer 5XX than the threshold in its last complete minutes.
//! `update-endpoint` takes minutes and, on a config whose fleet fails its health check, rolls back
//! before the endpoint takes another update: the verification delays cover both.

mod detect;
mod diagnose;
mod steps;

use std::sync::Arc;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use super::circuit_breaker::{CircuitBreaker, CircuitBreakerConfig};
use super::first_five_minutes;
use super::{CatalogConfig, Entry, PortName, Providers};
use crate::engine::{Runbook, SeverityRule};
use crate::error::{Error, Result};
use crate::ports::Clock;
use crate::severity::Severity;

/// The runbook's id.
pub const ID: &str = "shadow-self-down";

/// The catalog's entry.
pub const ENTRY: Entry = Entry {
    id: ID,
    title: "Shadow Self Endpoint Down",
    needs: &[PortName::Endpoint, PortName::Metrics, PortName::Logs],
    build,
};

/// The runbook's settings; the defaults are the runbook's names.
///
/// ```
/// use cato_runbook_core::catalog::shadow_self_down::Config;
/// use std::time::Duration;
///
/// let config: Config = toml::from_str(r#"
///     error_rate_threshold_percent = 10
///     restart_verify_after = "15m"
///     [circuit_breaker]
///     failure_rate_threshold = 40
/// "#)?;
/// assert_eq!(config.endpoint, "cato-shadow-self");
/// assert_eq!(config.restart_verify_after, Duration::from_secs(15 * 60));
/// assert_eq!(config.circuit_breaker.failure_rate_threshold, 40.0);
/// # Ok::<(), toml::de::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
#[non_exhaustive]
pub struct Config {
    /// The endpoint. Default `cato-shadow-self`.
    pub endpoint: String,
    /// Its production variant whose instances are checked. Default `primary`.
    pub variant: String,
    /// `list-endpoint-configs --name-contains`: where the previous config is looked for.
    /// Default `cato-shadow-self`.
    pub config_name_contains: String,
    /// The endpoint's log group. Default `/aws/sagemaker/Endpoints/cato-shadow-self`.
    pub log_group: String,
    /// The filter pattern of its error events. Default `ERROR`.
    pub log_filter_pattern: String,
    /// How long before detection error events are read from. Default 30 min.
    #[serde(with = "humantime_serde")]
    pub log_lookback: Duration,
    /// The most error events read. Default 200.
    pub log_limit: usize,
    /// The window of the 5XX rate and the latency, whole minutes. Default 3 min.
    #[serde(with = "humantime_serde")]
    pub window: Duration,
    /// 5XX share of invocations, percent, above which the endpoint is failing. Default 5.
    pub error_rate_threshold_percent: f64,
    /// 5XX share, percent, from which every caller is hit: a complete outage. Default 50.
    pub outage_error_rate_percent: f64,
    /// The fewest invocations in the window for a 5XX rate to count. Default 10.
    pub min_invocations: u64,
    /// `ModelLatency` p99 above which introspection queries count as failing. Default 10 s.
    #[serde(with = "humantime_serde")]
    pub introspection_latency_p99: Duration,
    /// How long after a restart to verify it. Default 12 min.
    #[serde(with = "humantime_serde")]
    pub restart_verify_after: Duration,
    /// How long after a rollback to verify it. Default 12 min.
    #[serde(with = "humantime_serde")]
    pub rollback_verify_after: Duration,
    /// What the error events of each root cause contain.
    pub root_causes: RootCauseSigns,
    /// Settings of the breaker [`Config::attach_breaker`] makes.
    pub circuit_breaker: CircuitBreakerConfig,
    /// The host's breaker around its Shadow Self calls, which the `circuit-breaker` detector
    /// reads. A running handle, not configuration data: never serialised.
    #[serde(skip)]
    pub breaker: Option<CircuitBreaker>,
    /// The runbook's "First 5 Minutes": recent deployments, cloud health events, dashboard.
    pub first_five_minutes: first_five_minutes::Config,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            endpoint: "cato-shadow-self".into(),
            variant: "primary".into(),
            config_name_contains: "cato-shadow-self".into(),
            log_group: "/aws/sagemaker/Endpoints/cato-shadow-self".into(),
            log_filter_pattern: "ERROR".into(),
            log_lookback: Duration::from_secs(30 * 60),
            log_limit: 200,
            window: Duration::from_secs(3 * 60),
            error_rate_threshold_percent: 5.0,
            outage_error_rate_percent: 50.0,
            min_invocations: 10,
            introspection_latency_p99: Duration::from_secs(10),
            restart_verify_after: Duration::from_secs(12 * 60),
            rollback_verify_after: Duration::from_secs(12 * 60),
            root_causes: RootCauseSigns::default(),
            circuit_breaker: CircuitBreakerConfig::default(),
            breaker: None,
            first_five_minutes: first_five_minutes::Config::default(),
        }
    }
}

/// Text (matched case-insensitively) that points an error event at a root cause.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
#[non_exhaustive]
pub struct RootCauseSigns {
    /// Out of memory: the model is too large for the instance.
    pub out_of_memory: Vec<String>,
    /// The GPU driver does not match the container, or the GPU failed.
    pub gpu_driver: Vec<String>,
    /// The container exits and restarts over and over.
    pub crash_loop: Vec<String>,
}

impl Default for RootCauseSigns {
    fn default() -> Self {
        let list = |items: &[&str]| items.iter().map(|s| (*s).to_owned()).collect();
        RootCauseSigns {
            out_of_memory: list(&[
                "OutOfMemoryError",
                "out of memory",
                "OOMKilled",
                "exited with code 137",
            ]),
            gpu_driver: list(&[
                "CUDA driver",
                "NVIDIA driver",
                "driver version is insufficient",
                "Xid",
                "fallen off the bus",
            ]),
            crash_loop: list(&[
                "CrashLoopBackOff",
                "Back-off restarting",
                "Container exited",
                "failed to load model",
            ]),
        }
    }
}

impl Config {
    /// Makes the host's breaker from [`Config::circuit_breaker`], named after the endpoint, and
    /// shares it with the runbook; returns the host's handle.
    ///
    /// ```
    /// use std::sync::Arc;
    /// use cato_runbook_core::catalog::CatalogConfig;
    /// use cato_runbook_core::ports::SystemClock;
    ///
    /// let mut catalog = CatalogConfig::default();
    /// let breaker = catalog.shadow_self_down.attach_breaker(Arc::new(SystemClock))?;
    /// assert_eq!(catalog.shadow_self_down.breaker.as_ref(), Some(&breaker));
    /// # Ok::<(), cato_runbook_core::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// When the breaker's settings do not validate.
    pub fn attach_breaker(&mut self, clock: Arc<dyn Clock>) -> Result<CircuitBreaker> {
        let breaker = CircuitBreaker::new(&self.endpoint, self.circuit_breaker.clone(), clock)?;
        self.breaker = Some(breaker.clone());
        Ok(breaker)
    }

    /// Shares a breaker the host made itself.
    pub fn with_breaker(mut self, breaker: CircuitBreaker) -> Self {
        self.breaker = Some(breaker);
        self
    }

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
        for (name, value) in [
            ("endpoint", &self.endpoint),
            ("variant", &self.variant),
            ("config_name_contains", &self.config_name_contains),
            ("log_group", &self.log_group),
        ] {
            if value.trim().is_empty() {
                return bad(format!("{name} is empty"));
            }
        }
        let secs = self.window.as_secs();
        if secs == 0 || !secs.is_multiple_of(60) || self.window.subsec_nanos() != 0 {
            return bad("window must be a whole number of minutes".into());
        }
        for (name, value) in [
            (
                "error_rate_threshold_percent",
                self.error_rate_threshold_percent,
            ),
            ("outage_error_rate_percent", self.outage_error_rate_percent),
        ] {
            if !(0.0..=100.0).contains(&value) {
                return bad(format!("{name} {value} is not a percentage"));
            }
        }
        self.circuit_breaker.validate()
    }
}

fn build(providers: &Providers, config: &CatalogConfig) -> Result<Runbook> {
    runbook(providers, &config.shadow_self_down)
}

/// The runbook over `providers`, with `config`.
///
/// # Errors
///
/// A port it needs that `providers` lacks, or a setting that does not validate.
pub fn runbook(providers: &Providers, config: &Config) -> Result<Runbook> {
    providers.require(ID, ENTRY.needs)?;
    config.validate()?;
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
    builder
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
        )))
        .step(Arc::new(steps::Rollback::new(endpoint, metrics, config)))
        .build()
}
