//! [`ModelEndpoint`] on SageMaker: the Shadow Self endpoint.
//!
//! | port call | SageMaker operation (IAM action `sagemaker:…`) |
//! |---|---|
//! | [`describe`](ModelEndpoint::describe) | `DescribeEndpoint` |
//! | [`update_config`](ModelEndpoint::update_config) | `UpdateEndpoint` |
//! | [`list_configs`](ModelEndpoint::list_configs) | `ListEndpointConfigs` (every page) |
//! | [`describe_config`](ModelEndpoint::describe_config) | `DescribeEndpointConfig` |
//! | [`set_instance_count`](ModelEndpoint::set_instance_count) | `UpdateEndpointWeightsAndCapacities` |
//!
//! [`SageMakerDeployments`] reads the configured endpoints' config changes as the
//! [`Deployments`](cato_runbook_core::ports::Deployments) port ("review recent deployments"):
//! `DescribeEndpoint` and `ListEndpointConfigs` again (see its docs for what SageMaker can and
//! cannot tell).
//!
//! SageMaker has no idempotency token for these updates: a repeat with the same
//! [`IdempotencyKey`] answers as the first call did without calling SageMaker again (within
//! one provider value; across replicas only the holder of the engine's lease acts).

mod changes;
mod convert;

use std::fmt;

use async_trait::async_trait;
use aws_sdk_sagemaker::Client;
use aws_sdk_sagemaker::types::{DesiredWeightAndCapacity, EndpointConfigSortKey, OrderKey};
use cato_runbook_core::ports::{
    EndpointConfig, EndpointConfigDescription, EndpointDescription, ModelEndpoint,
};
use cato_runbook_core::{ErrorKind, IdempotencyKey, Result, Retry};

pub use changes::SageMakerDeployments;

use crate::sdk::{Applied, Call, Class, Settings, settings_builders};

const PROVIDER: &str = "sagemaker";
/// `ListEndpointConfigs` pages read at most (100 configs each).
const MAX_PAGES: usize = 100;

/// The [`ModelEndpoint`] port on Amazon SageMaker.
///
/// # Examples
///
/// ```no_run
/// # async fn example() {
/// use cato_runbook_aws::sagemaker::SageMakerEndpoint;
///
/// let sdk = aws_config::load_from_env().await;
/// let endpoint = SageMakerEndpoint::new(&sdk);
/// assert_eq!(endpoint.to_string(), "sagemaker");
/// # }
/// ```
pub struct SageMakerEndpoint {
    client: Client,
    settings: Settings,
    applied: Applied<()>,
}

impl SageMakerEndpoint {
    /// A provider over a client built from `config` (region, credentials, endpoint, SDK
    /// retries and timeouts come from there).
    pub fn new(config: &aws_types::SdkConfig) -> Self {
        Self::from_client(Client::new(config))
    }

    /// A provider over a ready client.
    pub fn from_client(client: Client) -> Self {
        SageMakerEndpoint {
            client,
            settings: Settings::default(),
            applied: Applied::new(),
        }
    }

    fn call<'a>(&'a self, operation: &'static str, resource: &'a str) -> Call<'a> {
        Call::new(PROVIDER, operation, &self.settings)
            .on(resource)
            .classify_with(classify)
    }
}

settings_builders!(SageMakerEndpoint);

/// Every endpoint config whose name contains `name_contains` (case-sensitive, as the port
/// promises; SageMaker matches case-insensitively), oldest first, every page.
pub(super) async fn list_configs(
    client: &Client,
    call: &Call<'_>,
    name_contains: &str,
) -> Result<Vec<EndpointConfig>> {
    let mut configs = Vec::new();
    let mut token: Option<String> = None;
    for _ in 0..MAX_PAGES {
        let out = client
            .list_endpoint_configs()
            .name_contains(name_contains)
            .sort_by(EndpointConfigSortKey::CreationTime)
            .sort_order(OrderKey::Ascending)
            .max_results(100)
            .set_next_token(token.take())
            .send()
            .await
            .map_err(|e| call.sdk(e))?;
        for summary in out.endpoint_configs() {
            let config = convert::config(call, summary)?;
            if config.name.contains(name_contains) {
                configs.push(config);
            }
        }
        match out.next_token() {
            Some(next) if !next.is_empty() => token = Some(next.to_owned()),
            _ => break,
        }
    }
    configs.sort_by_key(|c| c.created_at);
    Ok(configs)
}

/// SageMaker answers `ValidationException` for a missing endpoint or config ("Could not find
/// …") and for an endpoint that is already changing ("Cannot update in-progress endpoint").
fn classify(code: &str, message: &str) -> Option<Class> {
    if code != "ValidationException" {
        return None;
    }
    let lower = message.to_ascii_lowercase();
    if lower.contains("could not find") || lower.contains("does not exist") {
        Some(Class::new(ErrorKind::NotFound, Retry::Permanent))
    } else if lower.contains("in-progress") || lower.contains("in progress") {
        Some(Class::new(ErrorKind::Conflict, Retry::Transient))
    } else {
        None
    }
}

impl fmt::Debug for SageMakerEndpoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SageMakerEndpoint")
            .field("settings", &self.settings)
            .finish_non_exhaustive()
    }
}

impl fmt::Display for SageMakerEndpoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(PROVIDER)
    }
}

#[async_trait]
impl ModelEndpoint for SageMakerEndpoint {
    async fn describe(&self, endpoint: &str) -> Result<EndpointDescription> {
        let call = self.call("DescribeEndpoint", endpoint);
        call.run(async {
            let out = self
                .client
                .describe_endpoint()
                .endpoint_name(endpoint)
                .send()
                .await
                .map_err(|e| call.sdk(e))?;
            convert::description(&call, &out)
        })
        .await
    }

    async fn update_config(
        &self,
        endpoint: &str,
        config: &str,
        key: &IdempotencyKey,
    ) -> Result<()> {
        let call = self.call("UpdateEndpoint", endpoint);
        let resource = format!("{endpoint}\u{0}{config}");
        if self.applied.get("UpdateEndpoint", &resource, key).is_some() {
            tracing::debug!(endpoint, config, %key, "UpdateEndpoint already applied with this key");
            return Ok(());
        }
        call.run(async {
            self.client
                .update_endpoint()
                .endpoint_name(endpoint)
                .endpoint_config_name(config)
                .send()
                .await
                .map_err(|e| call.sdk(e))
        })
        .await?;
        self.applied.record("UpdateEndpoint", &resource, key, ());
        Ok(())
    }

    async fn list_configs(&self, name_contains: &str) -> Result<Vec<EndpointConfig>> {
        let call = self.call("ListEndpointConfigs", name_contains);
        call.run(list_configs(&self.client, &call, name_contains))
            .await
    }

    async fn describe_config(&self, config: &str) -> Result<EndpointConfigDescription> {
        let call = self.call("DescribeEndpointConfig", config);
        call.run(async {
            let out = self
                .client
                .describe_endpoint_config()
                .endpoint_config_name(config)
                .send()
                .await
                .map_err(|e| call.sdk(e))?;
            convert::config_description(&call, &out)
        })
        .await
    }

    async fn set_instance_count(
        &self,
        endpoint: &str,
        variant: &str,
        count: u32,
        key: &IdempotencyKey,
    ) -> Result<()> {
        let call = self.call("UpdateEndpointWeightsAndCapacities", endpoint);
        let resource = format!("{endpoint}\u{0}{variant}\u{0}{count}");
        if self
            .applied
            .get("UpdateEndpointWeightsAndCapacities", &resource, key)
            .is_some()
        {
            tracing::debug!(endpoint, variant, count, %key, "capacity already set with this key");
            return Ok(());
        }
        let count = i32::try_from(count)
            .map_err(|_| call.invalid(format!("{count} instances is more than SageMaker takes")))?;
        let desired = DesiredWeightAndCapacity::builder()
            .variant_name(variant)
            .desired_instance_count(count)
            .build();
        call.run(async {
            self.client
                .update_endpoint_weights_and_capacities()
                .endpoint_name(endpoint)
                .desired_weights_and_capacities(desired)
                .send()
                .await
                .map_err(|e| call.sdk(e))
        })
        .await?;
        self.applied
            .record("UpdateEndpointWeightsAndCapacities", &resource, key, ());
        Ok(())
    }
}
