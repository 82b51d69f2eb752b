//! The runbook's settings: its names, thresholds and verification delays.

use std::sync::Arc;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use super::ID;
use crate::bounds;
use crate::catalog::circuit_breaker::{CircuitBreaker, CircuitBreakerConfig};
use crate::catalog::first_five_minutes;
use crate::catalog::kit::Settings;
use crate::error::Result;
use crate::ports::Clock;

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

    /// Checks what types alone cannot, and holds each number to its range: the window whole
    /// minutes up to 24 h, percentages 0 to 100, `log_limit` 1 to 10 000, `min_invocations` 1 to
    /// 1 000 000, `log_lookback` up to 7 days, the latency up to 10 min, the waits up to 6 h
    /// (each above 0s), the breaker as [`CircuitBreakerConfig::validate`] says.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidInput`](crate::ErrorKind::InvalidInput) naming the setting.
    pub fn validate(&self) -> Result<()> {
        let s = Settings::of(ID);
        for (key, value) in [
            ("endpoint", &self.endpoint),
            ("variant", &self.variant),
            ("config_name_contains", &self.config_name_contains),
            ("log_group", &self.log_group),
        ] {
            s.not_empty(key, value)?;
        }
        s.whole_minutes("window", self.window)?;
        s.percent(
            "error_rate_threshold_percent",
            self.error_rate_threshold_percent,
        )?;
        s.percent("outage_error_rate_percent", self.outage_error_rate_percent)?;
        s.count(
            "log_limit",
            u64::try_from(self.log_limit).unwrap_or(u64::MAX),
            1,
            MAX_LOG_LIMIT,
        )?;
        s.count(
            "min_invocations",
            self.min_invocations,
            1,
            bounds::MAX_MIN_COUNT,
        )?;
        s.up_to("log_lookback", self.log_lookback, bounds::MAX_LOOK_BACK)?;
        s.up_to(
            "introspection_latency_p99",
            self.introspection_latency_p99,
            bounds::MAX_LATENCY,
        )?;
        for (key, wait) in [
            ("restart_verify_after", self.restart_verify_after),
            ("rollback_verify_after", self.rollback_verify_after),
        ] {
            s.up_to(key, wait, bounds::MAX_WAIT)?;
        }
        self.circuit_breaker
            .validate_in(&s.within("circuit_breaker"))?;
        self.first_five_minutes
            .validate_in(&s.within("first_five_minutes"))
    }
}

/// The most log events a look reads: CloudWatch Logs' own limit of one `FilterLogEvents` page.
const MAX_LOG_LIMIT: u64 = 10_000;
