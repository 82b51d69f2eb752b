//! `[providers.deployments]` and `[providers.health]` built: SageMaker's endpoint configs as
//! recent deployments, and AWS Health.

use std::sync::Arc;
use std::time::Duration;

use cato_runbook_core::catalog::CatalogConfig;
use cato_runbook_core::ports::{AllDeployments, CloudHealth};

use crate::config::{ConfigError, DeploymentsConfig, HealthConfig};
use crate::health::AwsHealth;
use crate::sagemaker::SageMakerDeployments;

impl DeploymentsConfig {
    /// The configured sources (none when no source is configured); the wiring adds the
    /// Kubernetes source (`[providers.kubernetes] deployments = true`) to them.
    ///
    /// # Errors
    ///
    /// As [`validate`](Self::validate).
    pub fn build(
        &self,
        sdk: &aws_types::SdkConfig,
        runbooks: &CatalogConfig,
        timeout: Duration,
    ) -> Result<AllDeployments, ConfigError> {
        self.validate()?;
        let timeout = self.timeout.unwrap_or(timeout);
        let mut all = AllDeployments::new();
        let endpoints = self.sagemaker_endpoints(runbooks);
        if !endpoints.is_empty() {
            all.push(Arc::new(
                SageMakerDeployments::new(sdk)
                    .watching(endpoints)
                    .with_timeout(timeout),
            ));
        }
        Ok(all)
    }
}

impl HealthConfig {
    /// AWS Health, watching the runbooks' endpoints, table and cache; `None` when disabled.
    ///
    /// # Errors
    ///
    /// As [`validate`](Self::validate).
    pub fn build(
        &self,
        sdk: &aws_types::SdkConfig,
        runbooks: &CatalogConfig,
        timeout: Duration,
    ) -> Result<Option<Arc<dyn CloudHealth>>, ConfigError> {
        self.validate()?;
        if !self.enabled {
            return Ok(None);
        }
        let mut resources = DeploymentsConfig::default().sagemaker_endpoints(runbooks);
        resources.push(runbooks.dynamodb_hot_partition.table.clone());
        resources.push(runbooks.cache_miss_spike.cache.clone());
        let health = AwsHealth::in_region(sdk, &self.region)
            .with_services(&self.services)
            .with_regions(self.regions.clone())
            .watching(resources)
            .with_timeout(self.timeout.unwrap_or(timeout));
        Ok(Some(Arc::new(health)))
    }
}
