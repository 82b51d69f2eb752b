//! `[providers.kubernetes]` built: the orchestrator's Deployment and its revisions, through
//! the inferred cluster configuration.

use crate::config::{ConfigError, KubernetesConfig};
use crate::kubernetes::{KubeDeployments, KubeWorkloads};

impl KubernetesConfig {
    /// The provider of the orchestrator's Deployment, through the inferred cluster
    /// configuration (in-cluster, or the kubeconfig).
    ///
    /// # Errors
    ///
    /// [`ConfigError::Invalid`] when there is no cluster to talk to.
    pub async fn build(&self) -> Result<KubeWorkloads, ConfigError> {
        Ok(KubeWorkloads::new(client().await?)
            .with_workload(
                self.namespace.clone(),
                self.deployment.clone(),
                self.max_replicas,
            )
            .with_timeout(self.timeout))
    }
}

impl KubernetesConfig {
    /// The Deployment's revisions as recent deployments, when `deployments` is on.
    ///
    /// # Errors
    ///
    /// [`ConfigError::Invalid`] when there is no cluster to talk to.
    pub async fn build_deployments(&self) -> Result<Option<KubeDeployments>, ConfigError> {
        if !self.deployments {
            return Ok(None);
        }
        Ok(Some(
            KubeDeployments::new(client().await?)
                .watching(self.namespace.clone(), self.deployment.clone())
                .with_timeout(self.timeout),
        ))
    }
}

/// A client of the inferred cluster (in-cluster, or the kubeconfig), without kube's own
/// retries: the engine retries by its own policy.
pub(crate) async fn client() -> Result<kube::Client, ConfigError> {
    let mut config = kube::Config::infer()
        .await
        .map_err(|e| ConfigError::invalid(format!("no cluster to talk to: {e}")))?;
    config.default_retry = false;
    kube::Client::try_from(config)
        .map_err(|e| ConfigError::invalid(format!("cannot make a Kubernetes client: {e}")))
}
