//! The runbook's settings: its thresholds, the components it reads and how it scales them.

use std::time::Duration;

use serde::{Deserialize, Serialize};

use super::ID;
use crate::bounds;
use crate::catalog::first_five_minutes;
use crate::catalog::kit::Settings;
use crate::error::Result;

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
    /// Rolling the orchestrator back when a deployment of it is a ranked cause.
    pub rollback: Rollback,
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
            rollback: Rollback::default(),
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
    /// Each scale-up multiplies the desired instances by this: above 1, at most 10. Default 2.
    pub scale_factor: f64,
    /// The most instances the runbook asks for, 1 to 1000 (the runbook's command sets 50).
    /// Default 50.
    pub max_instances: u32,
    /// One instance's price, US dollars an hour, for the plan's monthly cost; unknown when
    /// absent.
    pub instance_hourly_usd: Option<f64>,
    /// The variant's instance type (`ml.g5.xlarge`), which the engine's price table prices the
    /// added instances at (`[policy.prices]`); when absent, the type the endpoint's current
    /// config names (`DescribeEndpointConfig`, read when the step is planned).
    pub instance_type: Option<String>,
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
            instance_type: None,
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
    /// Each scale-up multiplies the replicas by this: above 1, at most 10. Default 2.
    pub scale_factor: f64,
    /// The most replicas the runbook asks for, 1 to 1000 (the runbook's command sets 50).
    /// Default 50.
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

/// "Rollback recent changes" for the orchestrator's Deployment ([`Orchestrator::deployment`]):
/// offered first on the ladder, before any scaling, when a deployment of it that landed shortly
/// before detection is among the ranked causes (the first five minutes' recent-deployments
/// check).
///
/// ```
/// use cato_runbook_core::catalog::high_latency::Config;
///
/// let config: Config = toml::from_str(r#"
///     [rollback]
///     approval = false
///     verify_after = "4m"
/// "#)?;
/// assert!(config.rollback.enabled && !config.rollback.approval);
/// assert!(Config::default().rollback.approval, "asks by default");
/// # Ok::<(), toml::de::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
#[non_exhaustive]
pub struct Rollback {
    /// Whether the ladder has the step. Default true.
    pub enabled: bool,
    /// Whether the rollback always waits for an operator's approval. Default true.
    pub approval: bool,
    /// How long after the rollback to verify: long enough for the earlier revision's pods to be
    /// ready and for the latency window to see them (the ladder moves on to scaling when the
    /// symptom is still there then). At least a minute; default 7 min.
    #[serde(with = "humantime_serde")]
    pub verify_after: Duration,
}

impl Default for Rollback {
    fn default() -> Self {
        Rollback {
            enabled: true,
            approval: true,
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
    /// Checks what types alone cannot, and holds every number to its range: latencies above 0s
    /// and at most 10 min, the window whole minutes up to 24 h, shares 0 to 1, percentages 0 to
    /// 100, scale factors above 1 and at most 10, maxima 1 to 1000, hourly prices $0 to $1000,
    /// waits up to 6 h, the timeout threshold 0 (off) to 1 000 000.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidInput`](crate::ErrorKind::InvalidInput) naming the setting.
    pub fn validate(&self) -> Result<()> {
        let s = Settings::of(ID);
        s.whole_minutes("window", self.window)?;
        for (key, latency) in [
            ("p99_threshold", self.p99_threshold),
            (
                "shadow_self.model_latency_p99",
                self.shadow_self.model_latency_p99,
            ),
        ] {
            s.up_to(key, latency, bounds::MAX_LATENCY)?;
        }
        s.share("affected_share", self.affected_share)?;
        s.factor("shadow_self.scale_factor", self.shadow_self.scale_factor)?;
        s.factor("orchestrator.scale_factor", self.orchestrator.scale_factor)?;
        s.percent("bedrock.throttled_percent", self.bedrock.throttled_percent)?;
        s.percent(
            "cache.hit_rate_floor_percent",
            self.cache.hit_rate_floor_percent,
        )?;
        for (key, price) in [
            (
                "shadow_self.instance_hourly_usd",
                self.shadow_self.instance_hourly_usd,
            ),
            (
                "orchestrator.replica_hourly_usd",
                self.orchestrator.replica_hourly_usd,
            ),
        ] {
            if let Some(price) = price {
                s.not_negative(key, price, bounds::MAX_HOURLY_USD)?;
            }
        }
        for (key, max) in [
            ("shadow_self.max_instances", self.shadow_self.max_instances),
            ("orchestrator.max_replicas", self.orchestrator.max_replicas),
        ] {
            s.count(key, u64::from(max), 1, bounds::MAX_UNITS)?;
        }
        s.count(
            "timeouts.threshold",
            u64::try_from(self.timeouts.threshold).unwrap_or(u64::MAX),
            0,
            bounds::MAX_MIN_COUNT,
        )?;
        for (key, value) in [
            ("shadow_self.endpoint", &self.shadow_self.endpoint),
            ("orchestrator.deployment", &self.orchestrator.deployment),
            ("timeouts.log_group", &self.timeouts.log_group),
        ] {
            s.not_empty(key, value)?;
        }
        for (key, wait) in [
            ("shadow_self.verify_after", self.shadow_self.verify_after),
            ("orchestrator.verify_after", self.orchestrator.verify_after),
        ] {
            s.up_to(key, wait, bounds::MAX_WAIT)?;
        }
        if self.rollback.enabled {
            s.minute_to(
                "rollback.verify_after",
                self.rollback.verify_after,
                bounds::MAX_WAIT,
            )?;
        }
        self.first_five_minutes
            .validate_in(&s.within("first_five_minutes"))
    }
}
