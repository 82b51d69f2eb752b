//! `[providers.aws]` built: the SDK's configuration and the AWS providers of the ports it
//! serves.

use std::sync::Arc;

use cato_runbook_core::catalog::{PortName, Providers};

use crate::cloudwatch::{CloudWatchAlarms, CloudWatchMetrics};
use crate::cloudwatch_logs::CloudWatchLogs;
use crate::config::{AwsConfig, ConfigError};
use crate::dynamodb::DynamoDbTables;
use crate::elasticache::ElastiCacheCluster;
use crate::sagemaker::SageMakerEndpoint;
use crate::service_quotas::ServiceQuotas;

impl AwsConfig {
    /// The SDK's configuration: this table's region, profile and endpoint over the standard
    /// chain.
    ///
    /// # Errors
    ///
    /// [`ConfigError::Invalid`] when no region is found.
    pub async fn sdk(&self) -> Result<aws_types::SdkConfig, ConfigError> {
        let mut loader = aws_config::defaults(aws_config::BehaviorVersion::latest());
        if let Some(region) = &self.region {
            loader = loader.region(aws_config::Region::new(region.clone()));
        }
        if let Some(profile) = &self.profile {
            loader = loader.profile_name(profile);
        }
        if let Some(url) = &self.endpoint_url {
            loader = loader.endpoint_url(url);
        }
        let sdk = loader.load().await;
        if sdk.region().is_none() {
            return Err(ConfigError::invalid(
                "[providers.aws]: no region: set `region`, AWS_REGION or a profile's region",
            ));
        }
        Ok(sdk)
    }

    /// Puts the AWS providers into `providers` for the configured ports, on the wall clock.
    ///
    /// # Errors
    ///
    /// [`ConfigError::Invalid`] for an unknown port.
    pub fn apply(
        &self,
        sdk: &aws_types::SdkConfig,
        providers: &mut Providers,
    ) -> Result<(), ConfigError> {
        let ports = self.ports()?;
        let timeout = self.timeout.unwrap_or(crate::Settings::DEFAULT_TIMEOUT);
        providers.clock = Arc::new(cato_runbook_core::ports::SystemClock);
        for port in ports {
            match port {
                PortName::Endpoint => {
                    providers.endpoint =
                        Some(Arc::new(SageMakerEndpoint::new(sdk).with_timeout(timeout)));
                }
                PortName::Metrics => {
                    providers.metrics =
                        Some(Arc::new(CloudWatchMetrics::new(sdk).with_timeout(timeout)));
                }
                PortName::Alarms => {
                    providers.alarms =
                        Some(Arc::new(CloudWatchAlarms::new(sdk).with_timeout(timeout)));
                }
                PortName::Logs => {
                    providers.logs = Some(Arc::new(CloudWatchLogs::new(sdk).with_timeout(timeout)));
                }
                PortName::CacheCluster => {
                    providers.cache_cluster =
                        Some(Arc::new(ElastiCacheCluster::new(sdk).with_timeout(timeout)));
                }
                PortName::Tables => {
                    let mut tables = DynamoDbTables::new(sdk).with_timeout(timeout);
                    if let Some(c) = self.provisioned_capacity {
                        tables = tables.with_provisioned_capacity(c.read, c.write);
                    }
                    providers.tables = Some(Arc::new(tables));
                }
                PortName::Quotas => {
                    providers.quotas =
                        Some(Arc::new(ServiceQuotas::new(sdk).with_timeout(timeout)));
                }
                _ => {}
            }
        }
        Ok(())
    }

    /// Puts the SageMaker endpoint of `region` (the failover's other region, `[runbooks.failover]
    /// region`) into `providers`, with this table's credentials, endpoint and timeout, when AWS
    /// serves the endpoint port.
    ///
    /// # Errors
    ///
    /// [`ConfigError::Invalid`] for an unknown port.
    pub fn apply_region(
        &self,
        sdk: &aws_types::SdkConfig,
        region: &str,
        providers: &mut Providers,
    ) -> Result<(), ConfigError> {
        if !self.ports()?.contains(&PortName::Endpoint) {
            return Ok(());
        }
        let timeout = self.timeout.unwrap_or(crate::Settings::DEFAULT_TIMEOUT);
        let regional = sdk
            .to_builder()
            .region(aws_config::Region::new(region.to_owned()))
            .build();
        let endpoint = SageMakerEndpoint::new(&regional).with_timeout(timeout);
        providers
            .region_endpoints
            .insert(region.to_owned(), Arc::new(endpoint));
        Ok(())
    }
}
