//! `[providers.aws]`: the AWS providers for the ports they serve.
//!
//! ```toml
//! [providers.aws]
//! region = "us-east-1"                  # default: the standard chain (AWS_REGION, the profile)
//! profile = "cato-incident"             # default: AWS_PROFILE or `default`
//! endpoint_url = "http://127.0.0.1:5000" # default: AWS's endpoints
//! timeout = "10s"                       # per port call; default 30s
//! ports = ["endpoint", "metrics", "alarms", "logs", "cache_cluster", "tables", "quotas"]  # default: all seven
//! provisioned_capacity = { read = 1000, write = 500 }  # tables switched back to provisioned
//! ```
//!
//! Credentials come from the standard chain: environment, profile, SSO, web identity, the
//! container or instance role. With `[runbooks.failover] region` set, the endpoint port also
//! gets that region's SageMaker client (same credentials and settings, the other region).

use std::time::Duration;

use cato_runbook_core::catalog::PortName;
use serde::{Deserialize, Serialize};

use super::{ConfigError, checks};

/// The ports an AWS provider serves, as configuration names them.
pub(crate) const PORTS: [PortName; 7] = [
    PortName::Endpoint,
    PortName::Metrics,
    PortName::Alarms,
    PortName::Logs,
    PortName::CacheCluster,
    PortName::Tables,
    PortName::Quotas,
];

/// Read and write capacity units.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Capacity {
    /// Read capacity units.
    pub read: u64,
    /// Write capacity units.
    pub write: u64,
}

/// The `[providers.aws]` table.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AwsConfig {
    /// The region; the standard chain's by default.
    pub region: Option<String>,
    /// The profile; `AWS_PROFILE` or `default` by default.
    pub profile: Option<String>,
    /// An endpoint for every service (a local peer); AWS's by default.
    pub endpoint_url: Option<String>,
    /// One port call's timeout; 30 s by default.
    #[serde(with = "humantime_serde")]
    pub timeout: Option<Duration>,
    /// The ports to serve from AWS; all seven by default (the alarms port is read only by the
    /// alarm detectors `[runbooks.alarms]` configures).
    pub ports: Option<Vec<String>>,
    /// The capacity a table switched back to provisioned gets.
    pub provisioned_capacity: Option<Capacity>,
}

/// The most capacity units a table switched back to provisioned gets: DynamoDB's default quota
/// of a table.
const MAX_CAPACITY_UNITS: u64 = 40_000;

impl AwsConfig {
    /// Checks the timeout, the ports and the provisioned capacity (at load).
    ///
    /// # Errors
    ///
    /// [`ConfigError::Invalid`] naming the key.
    pub fn validate(&self) -> Result<(), ConfigError> {
        const TABLE: &str = "[providers.aws]";
        if let Some(timeout) = self.timeout {
            checks::timeout(TABLE, "timeout", timeout)?;
        }
        self.ports()?;
        if let Some(capacity) = self.provisioned_capacity {
            let why = "DynamoDB's provisioned capacity is 1 to 40000 units, a table's quota";
            for (key, units) in [
                ("provisioned_capacity.read", capacity.read),
                ("provisioned_capacity.write", capacity.write),
            ] {
                checks::one_to(TABLE, key, units, MAX_CAPACITY_UNITS, why)?;
            }
        }
        Ok(())
    }

    /// The ports to serve from AWS.
    pub fn ports(&self) -> Result<Vec<PortName>, ConfigError> {
        let Some(names) = &self.ports else {
            return Ok(PORTS.to_vec());
        };
        names
            .iter()
            .map(|name| {
                PORTS
                    .iter()
                    .copied()
                    .find(|p| p.as_str() == name)
                    .ok_or_else(|| {
                        let known: Vec<_> = PORTS.iter().map(|p| p.as_str()).collect();
                        ConfigError::invalid(format!(
                            "[providers.aws] ports: no AWS provider for {name:?}; known: {}",
                            known.join(", ")
                        ))
                    })
            })
            .collect()
    }

    /// What `check` says about these providers.
    pub fn describe(&self) -> String {
        let ports = self
            .ports()
            .map(|ports| {
                ports
                    .iter()
                    .map(|p| p.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            })
            .unwrap_or_default();
        let region = self
            .region
            .as_deref()
            .unwrap_or("the standard chain's region");
        match &self.endpoint_url {
            Some(url) => format!("AWS in {region} at {url} for {ports}"),
            None => format!("AWS in {region} for {ports}"),
        }
    }
}
