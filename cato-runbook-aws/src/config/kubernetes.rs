//! `[providers.kubernetes]`: the orchestrator's Deployment, scaled within a cap and rolled back
//! to an earlier revision; with `deployments = true`, its revisions are the recent deployments
//! too.
//!
//! ```toml
//! [providers.kubernetes]
//! namespace = "cato"
//! deployment = "cato-orchestrator"
//! max_replicas = 50
//! timeout = "10s"
//! deployments = true   # its ReplicaSets as "recent deployments" (default false)
//! ```
//!
//! The cluster and credentials come from the environment as `kubectl` finds them:
//! `KUBECONFIG` or `~/.kube/config`, else the in-cluster service account.

use std::time::Duration;

use serde::{Deserialize, Serialize};

use super::{ConfigError, checks};

/// The `[providers.kubernetes]` table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KubernetesConfig {
    /// The Deployment's namespace.
    #[serde(default = "default_namespace")]
    pub namespace: String,
    /// The Deployment's name.
    #[serde(default = "default_deployment")]
    pub deployment: String,
    /// The most replicas a scale may ask for, 1 to 1000.
    pub max_replicas: u32,
    /// One try's timeout.
    #[serde(default = "default_timeout", with = "humantime_serde")]
    pub timeout: Duration,
    /// Whether the Deployment's revisions (its ReplicaSets) are the source of recent
    /// deployments ([`KubeDeployments`]). Default false.
    #[serde(default)]
    pub deployments: bool,
}

fn default_namespace() -> String {
    "cato".into()
}

fn default_deployment() -> String {
    "cato-orchestrator".into()
}

fn default_timeout() -> Duration {
    Duration::from_secs(10)
}

/// The highest cap on the Deployment's replicas.
const MAX_REPLICAS: u64 = 1000;

impl KubernetesConfig {
    /// Checks the timeout and the cap (at load).
    ///
    /// # Errors
    ///
    /// [`ConfigError::Invalid`] naming the key.
    pub fn validate(&self) -> Result<(), ConfigError> {
        checks::timeout("[providers.kubernetes]", "timeout", self.timeout)?;
        checks::one_to(
            "[providers.kubernetes]",
            "max_replicas",
            self.max_replicas.into(),
            MAX_REPLICAS,
            "a cap of 0 would refuse every scale, one above 1000 protects nothing",
        )
    }
}
