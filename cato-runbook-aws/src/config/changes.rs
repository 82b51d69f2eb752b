//! `[providers.deployments]` and `[providers.health]`: the first five minutes' "review recent
//! deployments" and "check AWS Health Dashboard" on real sources.
//!
//! ```toml
//! [providers.deployments]                  # recent deployments, from every source configured
//! sagemaker_endpoints = ["cato-shadow-self"] # default: the Shadow Self endpoints of [runbooks]; [] for none
//! timeout = "10s"                          # per source; default [providers.aws] timeout, or 30s
//!
//! [providers.health]                       # AWS Health (needs a Business support plan)
//! enabled = true                           # default
//! region = "us-east-1"                     # AWS Health's global endpoint (default); us-east-2 is its failover
//! services = ["SAGEMAKER", "DYNAMODB", "ELASTICACHE", "BEDROCK"]  # default these four
//! regions = ["us-east-1", "us-west-2"]     # default: every region
//! timeout = "10s"                          # default [providers.aws] timeout, or 30s
//! ```
//!
//! Both use the AWS SDK's configuration of `[providers.aws]` (credentials, endpoint; the
//! standard chain when that table is absent). Health events name the affected resource when
//! it is one of the runbooks' endpoints, table or cache.

use std::time::Duration;

use cato_runbook_core::catalog::{CatalogConfig, PortName};
use serde::{Deserialize, Serialize};

use super::{ConfigError, checks};
use crate::defaults::HEALTH_GLOBAL_REGION;

/// The `[providers.deployments]` table: where recent deployments are read from.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DeploymentsConfig {
    /// The SageMaker endpoints whose config changes are deployments; absent: the Shadow Self
    /// endpoints the runbooks watch; empty: SageMaker is not a source.
    pub sagemaker_endpoints: Option<Vec<String>>,
    /// One source's timeout; `[providers.aws]`'s, or 30 s.
    #[serde(with = "humantime_serde")]
    pub timeout: Option<Duration>,
}

/// The `[providers.health]` table: AWS Health.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct HealthConfig {
    /// Whether AWS Health is read. Default `true`.
    pub enabled: bool,
    /// The region of AWS Health's endpoint. Default `us-east-1` (the global endpoint).
    pub region: String,
    /// AWS Health's service codes that matter. Default `SAGEMAKER`, `DYNAMODB`, `ELASTICACHE`,
    /// `BEDROCK`.
    pub services: Vec<String>,
    /// The regions that matter; empty (the default): every region.
    pub regions: Vec<String>,
    /// One call's timeout; `[providers.aws]`'s, or 30 s.
    #[serde(with = "humantime_serde")]
    pub timeout: Option<Duration>,
}

impl Default for HealthConfig {
    fn default() -> Self {
        HealthConfig {
            enabled: true,
            region: HEALTH_GLOBAL_REGION.to_owned(),
            services: ["SAGEMAKER", "DYNAMODB", "ELASTICACHE", "BEDROCK"]
                .map(str::to_owned)
                .to_vec(),
            regions: Vec::new(),
            timeout: None,
        }
    }
}

fn invalid(key: &str, message: impl std::fmt::Display) -> ConfigError {
    ConfigError::invalid(format!("{key}: {message}"))
}

/// SageMaker's rule for an endpoint name: 1–63 letters, digits and hyphens, no hyphen first or
/// last.
fn endpoint_name(key: &str, name: &str) -> Result<(), ConfigError> {
    let ok = !name.is_empty()
        && name.len() <= 63
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        && !name.starts_with('-')
        && !name.ends_with('-');
    if ok {
        Ok(())
    } else {
        Err(invalid(
            key,
            format!("{name:?} is not a SageMaker endpoint name (1–63 letters, digits and hyphens)"),
        ))
    }
}

/// A region name such as `us-east-1`.
fn region_name(key: &str, region: &str) -> Result<(), ConfigError> {
    let ok = region.split('-').count() >= 3
        && region
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-');
    if ok || region == "global" {
        Ok(())
    } else {
        Err(invalid(key, format!("{region:?} is not a region name")))
    }
}

impl DeploymentsConfig {
    /// The SageMaker endpoints watched: the configured ones, or the Shadow Self endpoints of
    /// `runbooks` (each once).
    pub fn sagemaker_endpoints(&self, runbooks: &CatalogConfig) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        let names = match &self.sagemaker_endpoints {
            Some(names) => names.clone(),
            None => vec![
                runbooks.shadow_self_down.endpoint.clone(),
                runbooks.high_latency.shadow_self.endpoint.clone(),
                runbooks.bedrock_throttling.traffic_shift.endpoint.clone(),
            ],
        };
        for name in names {
            if !out.contains(&name) {
                out.push(name);
            }
        }
        out
    }

    /// Checks the endpoint names and the timeout.
    ///
    /// # Errors
    ///
    /// [`ConfigError::Invalid`] naming the key.
    pub fn validate(&self) -> Result<(), ConfigError> {
        for (i, name) in self.sagemaker_endpoints.iter().flatten().enumerate() {
            endpoint_name(
                &format!("[providers.deployments] sagemaker_endpoints[{i}]"),
                name,
            )?;
        }
        if self.timeout.is_some_and(|t| t.is_zero()) {
            return Err(invalid(
                "[providers.deployments] timeout",
                "must be above 0",
            ));
        }
        if let Some(timeout) = self.timeout {
            checks::timeout("[providers.deployments]", "timeout", timeout)?;
        }
        Ok(())
    }
}

impl HealthConfig {
    /// Checks the region, services and regions.
    ///
    /// # Errors
    ///
    /// [`ConfigError::Invalid`] naming the key.
    pub fn validate(&self) -> Result<(), ConfigError> {
        region_name("[providers.health] region", &self.region)?;
        for (i, service) in self.services.iter().enumerate() {
            let ok = !service.is_empty()
                && service
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
            if !ok {
                return Err(invalid(
                    &format!("[providers.health] services[{i}]"),
                    format!(
                        "{service:?} is not an AWS Health service code (SAGEMAKER, DYNAMODB, …)"
                    ),
                ));
            }
        }
        for (i, region) in self.regions.iter().enumerate() {
            region_name(&format!("[providers.health] regions[{i}]"), region)?;
        }
        if self.timeout.is_some_and(|t| t.is_zero()) {
            return Err(invalid("[providers.health] timeout", "must be above 0"));
        }
        if let Some(timeout) = self.timeout {
            checks::timeout("[providers.health]", "timeout", timeout)?;
        }
        Ok(())
    }
}

/// The ports of the first five minutes that `deployments` and `health` serve from AWS, for
/// the IAM policy.
pub(crate) fn ports(
    deployments: Option<&DeploymentsConfig>,
    health: Option<&HealthConfig>,
    runbooks: &CatalogConfig,
) -> Vec<PortName> {
    let mut ports = Vec::new();
    if deployments.is_some_and(|d| !d.sagemaker_endpoints(runbooks).is_empty()) {
        ports.push(PortName::Deployments);
    }
    if health.is_some_and(|h| h.enabled) {
        ports.push(PortName::Health);
    }
    ports
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sources_default_to_the_runbooks_shadow_self_endpoint() {
        let runbooks = CatalogConfig::default();
        let deployments = DeploymentsConfig::default();
        assert_eq!(
            deployments.sagemaker_endpoints(&runbooks),
            ["cato-shadow-self"]
        );
        let none = DeploymentsConfig {
            sagemaker_endpoints: Some(Vec::new()),
            ..DeploymentsConfig::default()
        };
        let health = HealthConfig::default();
        assert_eq!(health.region, "us-east-1");
        assert_eq!(
            ports(Some(&deployments), Some(&health), &runbooks),
            [PortName::Deployments, PortName::Health]
        );
        assert!(ports(Some(&none), None, &runbooks).is_empty());
        let off = HealthConfig {
            enabled: false,
            ..HealthConfig::default()
        };
        assert!(ports(None, Some(&off), &runbooks).is_empty());
    }
}
