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
//! use cato_runbook_core::runbook::Runbook;
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
mod config;
mod dashboard;

use std::sync::Arc;

pub use changes::{CloudHealthEvents, RecentDeployments};
pub(crate) use config::BEDROCK_MODEL;
pub use config::{Config, DashboardCheck, DeploymentsCheck, HealthCheck};
pub use dashboard::DashboardSignals;

use super::Providers;
use crate::error::Result;
use crate::runbook::{Diagnosis, RunbookBuilder};

/// The checks `config` turns on and `providers` can run.
///
/// # Errors
///
/// [`ErrorKind::InvalidInput`](crate::ErrorKind::InvalidInput) for a config that does not
/// [`validate`](Config::validate).
pub fn diagnoses(providers: &Providers, config: &Config) -> Result<Vec<Arc<dyn Diagnosis>>> {
    config.validate()?;
    let mut out: Vec<Arc<dyn Diagnosis>> = Vec::new();
    // Through the accessors, so that the checks read in the bundle's rounds.
    const CHECKS: &str = "first-five-minutes";
    if config.dashboard.enabled
        && let Ok(metrics) = providers.metrics(CHECKS)
    {
        out.push(Arc::new(DashboardSignals::new(
            metrics,
            config.dashboard.clone(),
        )));
    }
    if config.deployments.enabled
        && let Ok(deployments) = providers.deployments(CHECKS)
    {
        out.push(Arc::new(RecentDeployments::new(
            deployments,
            config.deployments.clone(),
        )));
    }
    if config.health.enabled
        && let Ok(health) = providers.health(CHECKS)
    {
        out.push(Arc::new(CloudHealthEvents::new(
            health,
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
