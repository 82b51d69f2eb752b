//! `[providers.kubernetes]`: the orchestrator's Deployment, scaled within a cap.
//!
//! ```toml
//! [providers.kubernetes]
//! namespace = "cato"
//! deployment = "cato-orchestrator"
//! max_replicas = 50
//! timeout = "10s"
//! ```
//!
//! The cluster and credentials come from the environment as `kubectl` finds them:
//! `KUBECONFIG` or `~/.kube/config`, else the in-cluster service account.

use std::time::Duration;

use cato_runbook_aws::kubernetes::KubeWorkloads;
use serde::{Deserialize, Serialize};

use crate::exit::Failure;

/// The `[providers.kubernetes]` table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct KubernetesConfig {
    #[serde(default = "default_namespace")]
    pub(crate) namespace: String,
    #[serde(default = "default_deployment")]
    pub(crate) deployment: String,
    /// The most replicas a scale may ask for.
    pub(crate) max_replicas: u32,
    #[serde(default = "default_timeout", with = "humantime_serde")]
    pub(crate) timeout: Duration,
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

impl KubernetesConfig {
    pub(crate) async fn build(&self) -> Result<KubeWorkloads, Failure> {
        let mut config = kube::Config::infer()
            .await
            .map_err(|e| Failure::usage(format!("no cluster to talk to: {e}")))?;
        // The engine retries by its own policy; one call is one try within the timeout.
        config.default_retry = false;
        let client = kube::Client::try_from(config)
            .map_err(|e| Failure::usage(format!("cannot make a Kubernetes client: {e}")))?;
        Ok(KubeWorkloads::new(client)
            .with_workload(
                self.namespace.clone(),
                self.deployment.clone(),
                self.max_replicas,
            )
            .with_timeout(self.timeout))
    }
}
