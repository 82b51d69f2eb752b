//! The runbook's "First 5 Minutes", as diagnoses any runbook of the catalog adds.
//!
//! > **First 5 Minutes:**
//! > - Check dashboard for obvious issues
//! > - Review recent deployments
//! > - Check AWS Health Dashboard
//!
//! | check | diagnosis | port | root cause it may rank |
//! |-------|-----------|------|------------------------|
//! | dashboard | [`DashboardSignals`] (`dashboard-signals`): one multi-series query of the signals the runbook's sections watch | [`Metrics`](crate::ports::Metrics) | — (facts and evidence only) |
//! | recent deployments | [`RecentDeployments`] (`recent-deployments`) | [`Deployments`](crate::ports::Deployments) | `recent deployment <service> <version>`, when one landed shortly before detection |
//! | cloud health | [`CloudHealthEvents`] (`cloud-health-events`) | [`CloudHealth`](crate::ports::CloudHealth) | `cloud health event <SERVICE> <region>: …`, for an open event of a relevant service |
//!
//! # Adding them to a runbook
//!
//! A runbook's `Config` holds a [`Config`] (as its `first_five_minutes` field, defaulting to
//! [`Config::default`]), and its builder adds what [`diagnoses`] returns for it, with the cloud
//! services that matter to the runbook unless the config names its own:
//!
//! ```
//! use cato_runbook_core::catalog::{Providers, first_five_minutes};
//! use cato_runbook_core::engine::Runbook;
//! # use std::sync::Arc;
//! # let providers = Providers::new(Arc::new(cato_runbook_core::ports::SystemClock));
//!
//! let configured = first_five_minutes::Config::default(); // from the runbook's Config
//! let checks = configured.or_watching(&["SAGEMAKER"]);
//! let mut builder = Runbook::builder("shadow-self-down", "Shadow Self Endpoint Down");
//! for diagnosis in first_five_minutes::diagnoses(&providers, &checks)? {
//!     builder = builder.diagnosis(diagnosis);
//! }
//! let runbook = builder.build()?;
//! // No metrics, deployments or health port configured: no check to add.
//! assert!(runbook.diagnoses().is_empty());
//! # Ok::<(), cato_runbook_core::Error>(())
//! ```
//!
//! The checks are context, not requirements: a check whose port is not configured, or that a
//! runbook's config turns off (`enabled = false`), is left out, and the runbook still builds.

mod changes;
mod dashboard;

use std::sync::Arc;
use std::time::Duration;

use serde::{Deserialize, Serialize};

pub use changes::{CloudHealthEvents, RecentDeployments};
pub use dashboard::DashboardSignals;

use super::Providers;
use crate::engine::RunbookBuilder;
use crate::error::{Error, Result};
use crate::runbook::Diagnosis;

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

    /// Checks that windows are whole minutes and confidences lie in `0.0 ..= 1.0`.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidInput`](crate::ErrorKind::InvalidInput) naming the setting.
    pub fn validate(&self) -> Result<()> {
        let bad = |what: &str, message: &str| {
            Err(Error::invalid_input(
                "catalog.first_five_minutes",
                format!("{what} {message}"),
            ))
        };
        for (what, value) in [
            ("deployments.confidence", self.deployments.confidence),
            ("health.confidence", self.health.confidence),
        ] {
            if !(0.0..=1.0).contains(&value) {
                return bad(what, "must lie between 0 and 1");
            }
        }
        let window = self.dashboard.window;
        if window.as_secs() < 60
            || !window.as_secs().is_multiple_of(60)
            || window.subsec_nanos() != 0
        {
            return bad("dashboard.window", "must be a whole number of minutes");
        }
        Ok(())
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

/// The checks `config` turns on and `providers` can run.
///
/// # Errors
///
/// [`ErrorKind::InvalidInput`](crate::ErrorKind::InvalidInput) for a config that does not
/// [`validate`](Config::validate).
pub fn diagnoses(providers: &Providers, config: &Config) -> Result<Vec<Arc<dyn Diagnosis>>> {
    config.validate()?;
    let mut out: Vec<Arc<dyn Diagnosis>> = Vec::new();
    if let (true, Some(metrics)) = (config.dashboard.enabled, &providers.metrics) {
        out.push(Arc::new(DashboardSignals::new(
            metrics.clone(),
            config.dashboard.clone(),
        )));
    }
    if let (true, Some(deployments)) = (config.deployments.enabled, &providers.deployments) {
        out.push(Arc::new(RecentDeployments::new(
            deployments.clone(),
            config.deployments.clone(),
        )));
    }
    if let (true, Some(health)) = (config.health.enabled, &providers.health) {
        out.push(Arc::new(CloudHealthEvents::new(
            health.clone(),
            config.health.clone(),
        )));
    }
    Ok(out)
}

/// Adds the first-five-minutes checks of `config` to a runbook, watching the cloud health of
/// `services` unless `config` names its own.
///
/// # Errors
///
/// As [`diagnoses`].
pub fn add_to(
    mut builder: RunbookBuilder,
    providers: &Providers,
    config: &Config,
    services: &[&str],
) -> Result<RunbookBuilder> {
    for check in diagnoses(providers, &config.or_watching(services))? {
        builder = builder.diagnosis(check);
    }
    Ok(builder)
}
