//! The model endpoint port (SageMaker's Shadow Self endpoint).

use std::fmt;

use async_trait::async_trait;
use serde::{Deserialize, Serialize};

use crate::error::Result;
use crate::incident::IdempotencyKey;
use crate::time::Timestamp;

/// An endpoint's status, as SageMaker reports it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum EndpointStatus {
    /// Not serving.
    OutOfService,
    /// Being created.
    Creating,
    /// Being updated to a new config.
    Updating,
    /// Being patched by the service.
    SystemUpdating,
    /// Rolling back a failed update.
    RollingBack,
    /// Serving.
    InService,
    /// Being deleted.
    Deleting,
    /// Failed; see the failure reason.
    Failed,
}

impl EndpointStatus {
    /// Whether the endpoint is in the middle of a change.
    pub fn is_transitional(self) -> bool {
        matches!(
            self,
            EndpointStatus::Creating
                | EndpointStatus::Updating
                | EndpointStatus::SystemUpdating
                | EndpointStatus::RollingBack
                | EndpointStatus::Deleting
        )
    }
}

impl fmt::Display for EndpointStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self, f)
    }
}

/// One production variant of an endpoint.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Variant {
    /// The variant's name, e.g. `primary`.
    pub name: String,
    /// Instances serving now.
    pub current_instances: u32,
    /// Instances asked for.
    pub desired_instances: u32,
    /// Its traffic weight.
    pub weight: f64,
}

/// What `describe-endpoint` returns.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EndpointDescription {
    /// The endpoint's name.
    pub name: String,
    /// Its status.
    pub status: EndpointStatus,
    /// The config it runs.
    pub config_name: String,
    /// Its production variants.
    pub variants: Vec<Variant>,
    /// Why it failed, when it did.
    pub failure_reason: Option<String>,
    /// When it last changed.
    pub last_modified: Timestamp,
}

impl EndpointDescription {
    /// Instances serving across all variants (the runbook's `ProductionVariants[0].CurrentInstanceCount`
    /// generalised).
    pub fn current_instances(&self) -> u32 {
        self.variants.iter().map(|v| v.current_instances).sum()
    }
}

/// An endpoint config, with its creation time so that "the previous config" is well defined.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EndpointConfig {
    /// The config's name.
    pub name: String,
    /// When it was created.
    pub created_at: Timestamp,
}

/// One production variant of an endpoint config, as `describe-endpoint-config` returns it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConfigVariant {
    /// The variant's name, e.g. `primary`.
    pub name: String,
    /// Its instance type, e.g. `ml.g5.xlarge`.
    pub instance_type: String,
    /// The instance count an update to this config starts with.
    pub initial_instances: u32,
}

/// What `describe-endpoint-config` returns.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EndpointConfigDescription {
    /// The config's name.
    pub name: String,
    /// Its production variants.
    pub variants: Vec<ConfigVariant>,
}

impl EndpointConfigDescription {
    /// The instance type of the variant named `variant`, when the config has it.
    pub fn instance_type(&self, variant: &str) -> Option<&str> {
        self.variants
            .iter()
            .find(|v| v.name == variant)
            .map(|v| v.instance_type.as_str())
    }
}

/// A model endpoint service.
#[async_trait]
pub trait ModelEndpoint: fmt::Debug + fmt::Display + Send + Sync {
    /// `describe-endpoint`.
    async fn describe(&self, endpoint: &str) -> Result<EndpointDescription>;

    /// `update-endpoint --endpoint-config-name`: restarts the endpoint on `config` (its current
    /// config = a restart; an older one = a rollback).
    async fn update_config(&self, endpoint: &str, config: &str, key: &IdempotencyKey)
    -> Result<()>;

    /// `list-endpoint-configs --name-contains`, oldest first.
    async fn list_configs(&self, name_contains: &str) -> Result<Vec<EndpointConfig>>;

    /// `describe-endpoint-config`: a config's production variants with their instance types.
    async fn describe_config(&self, config: &str) -> Result<EndpointConfigDescription>;

    /// `update-endpoint-weights-and-capacities`: sets a variant's desired instance count.
    async fn set_instance_count(
        &self,
        endpoint: &str,
        variant: &str,
        count: u32,
        key: &IdempotencyKey,
    ) -> Result<()>;
}
