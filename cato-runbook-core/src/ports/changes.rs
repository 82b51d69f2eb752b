//! The first-five-minutes ports: recent deployments and cloud health events.

use std::fmt;

use async_trait::async_trait;
use serde::{Deserialize, Serialize};

use crate::error::Result;
use crate::time::Timestamp;

/// A deployment of some part of Cato.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Deployment {
    /// What was deployed, e.g. `cato-orchestrator`.
    pub service: String,
    /// Its version.
    pub version: String,
    /// When.
    pub at: Timestamp,
    /// Who, if known.
    pub author: Option<String>,
    /// What changed.
    pub description: String,
}

/// Where recent changes are recorded.
#[async_trait]
pub trait Deployments: fmt::Debug + fmt::Display + Send + Sync {
    /// Deployments since `since`, oldest first.
    async fn since(&self, since: Timestamp) -> Result<Vec<Deployment>>;
}

/// An event of the cloud's health dashboard.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HealthEvent {
    /// e.g. `SAGEMAKER`.
    pub service: String,
    /// e.g. `us-east-1`.
    pub region: String,
    /// When it started.
    pub started_at: Timestamp,
    /// Whether it is still going on.
    pub open: bool,
    /// What the provider says.
    pub description: String,
}

/// The cloud's health dashboard.
#[async_trait]
pub trait CloudHealth: fmt::Debug + fmt::Display + Send + Sync {
    /// Events open now or started since `since`.
    async fn events(&self, since: Timestamp) -> Result<Vec<HealthEvent>>;
}
