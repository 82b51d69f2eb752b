//! The checks' settings: each on by default, with the runbook's resource names.

use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::bounds;
use crate::catalog::kit::Settings;
use crate::error::Result;

/// Settings of the three checks. `Default`: every check on, the runbook's resource names.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
#[non_exhaustive]
pub struct Config {
    /// "Review recent deployments".
    pub deployments: DeploymentsCheck,
    /// "Check AWS Health Dashboard".
    pub health: HealthCheck,
    /// "Check dashboard for obvious issues".
    pub dashboard: DashboardCheck,
}

impl Config {
    /// The default checks, with cloud health events limited to `services` (`BEDROCK`,
    /// `DYNAMODB`, `SAGEMAKER`, …).
    pub fn watching(services: &[&str]) -> Self {
        Config::default().or_watching(services)
    }

    /// This config, watching `services` unless it names its own ([`HealthCheck::services`]
    /// empty). A runbook passes the cloud services that matter to it here, so that a config
    /// file that changes some other setting of the checks keeps them.
    pub fn or_watching(&self, services: &[&str]) -> Self {
        let mut config = self.clone();
        if config.health.services.is_empty() {
            config.health.services = services.iter().map(|s| (*s).to_owned()).collect();
        }
        config
    }

    /// Checks that the dashboard's window is whole minutes up to 24 h, the look-backs above 0s
    /// and at most 7 days, confidences and the dashboard's rates lie in `0.0 ..= 1.0` and its
    /// p99 is a positive number of milliseconds, at most 600 000 (10 min).
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidInput`](crate::ErrorKind::InvalidInput) naming the setting.
    pub fn validate(&self) -> Result<()> {
        self.validate_in(&Settings::table("first_five_minutes"))
    }

    /// As [`validate`](Self::validate), naming each setting within `settings`' table (a
    /// runbook's `first_five_minutes`).
    pub(crate) fn validate_in(&self, settings: &Settings) -> Result<()> {
        settings.share("deployments.confidence", self.deployments.confidence)?;
        for (key, look_back) in [
            ("deployments.look_back", self.deployments.look_back),
            (
                "deployments.suspect_within",
                self.deployments.suspect_within,
            ),
            ("health.look_back", self.health.look_back),
        ] {
            settings.up_to(key, look_back, bounds::MAX_LOOK_BACK)?;
        }
        settings.share("health.confidence", self.health.confidence)?;
        settings.check(
            self.dashboard.p99_ms.is_finite() && self.dashboard.p99_ms > 0.0,
            "dashboard.p99_ms",
            format_args!(
                "{} must be a positive number of milliseconds",
                self.dashboard.p99_ms
            ),
        )?;
        settings.number(
            "dashboard.p99_ms",
            self.dashboard.p99_ms,
            (0.0, true),
            MAX_P99_MS,
        )?;
        settings.share("dashboard.min_hit_rate", self.dashboard.min_hit_rate)?;
        settings.share("dashboard.max_error_rate", self.dashboard.max_error_rate)?;
        settings.whole_minutes("dashboard.window", self.dashboard.window)
    }
}

/// "Review recent deployments".
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
#[non_exhaustive]
pub struct DeploymentsCheck {
    /// Whether the check runs.
    pub enabled: bool,
    /// How far back before detection deployments are listed. Default 24 h.
    #[serde(with = "humantime_serde")]
    pub look_back: Duration,
    /// A deployment that landed at most this long before detection is a root-cause candidate.
    /// Default 1 h.
    #[serde(with = "humantime_serde")]
    pub suspect_within: Duration,
    /// The confidence of a deployment that landed just before detection; it falls to half at
    /// `suspect_within`. Default 0.7: a change minutes before is the likeliest cause, above the
    /// mechanism a runbook's own diagnosis finds (a quota reached, a partition hot).
    pub confidence: f64,
    /// The services whose deployments matter; empty: every service.
    pub services: Vec<String>,
}

impl Default for DeploymentsCheck {
    fn default() -> Self {
        DeploymentsCheck {
            enabled: true,
            look_back: Duration::from_secs(24 * 3600),
            suspect_within: Duration::from_secs(3600),
            confidence: 0.7,
            services: Vec::new(),
        }
    }
}

/// "Check AWS Health Dashboard".
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
#[non_exhaustive]
pub struct HealthCheck {
    /// Whether the check runs.
    pub enabled: bool,
    /// How far back before detection closed events are still listed. Default 24 h.
    #[serde(with = "humantime_serde")]
    pub look_back: Duration,
    /// The cloud services that matter (`BEDROCK`, `DYNAMODB`, …, any case); `*`: every one;
    /// empty: the runbook's own ([`Config::or_watching`]), or every one.
    pub services: Vec<String>,
    /// The regions that matter; empty: every one.
    pub regions: Vec<String>,
    /// The confidence of an open event of a service that matters. Default 0.5.
    pub confidence: f64,
}

impl Default for HealthCheck {
    fn default() -> Self {
        HealthCheck {
            enabled: true,
            look_back: Duration::from_secs(24 * 3600),
            services: Vec::new(),
            regions: Vec::new(),
            confidence: 0.5,
        }
    }
}

/// "Check dashboard for obvious issues": the signals of the runbook's sections, in one query.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
#[non_exhaustive]
pub struct DashboardCheck {
    /// Whether the check runs.
    pub enabled: bool,
    /// The window, ending when the check runs; whole minutes. Default 15 min.
    #[serde(with = "humantime_serde")]
    pub window: Duration,
    /// The Shadow Self endpoint. Default `cato-shadow-self`.
    pub endpoint: String,
    /// The cache node whose hit rate is shown. Default `cato-cache-001`.
    pub cache_cluster_id: String,
    /// The table. Default `cato-semantic-memory`.
    pub table: String,
    /// The Bedrock model Cato calls.
    pub bedrock_model: String,
    /// An end-to-end p99 above this is an obvious issue, milliseconds. Default 2 000 (High
    /// Latency's "p99 latency > 2 seconds").
    pub p99_ms: f64,
    /// A cache hit rate below this is an obvious issue. Default 0.70 (Cache Miss Spike's
    /// "below 70%").
    pub min_hit_rate: f64,
    /// A Shadow Self 5XX or Bedrock throttle rate above this is an obvious issue. Default 0.01.
    pub max_error_rate: f64,
}

/// The Bedrock model of Cato's default deployment.
pub(crate) const BEDROCK_MODEL: &str = "anthropic.claude-3-5-sonnet-20241022-v2:0";

impl Default for DashboardCheck {
    fn default() -> Self {
        DashboardCheck {
            enabled: true,
            window: Duration::from_secs(15 * 60),
            endpoint: "cato-shadow-self".into(),
            cache_cluster_id: "cato-cache-001".into(),
            table: "cato-semantic-memory".into(),
            bedrock_model: BEDROCK_MODEL.into(),
            p99_ms: 2000.0,
            min_hit_rate: 0.70,
            max_error_rate: 0.01,
        }
    }
}

/// [`bounds::MAX_LATENCY`] in milliseconds.
const MAX_P99_MS: f64 = 600_000.0;
