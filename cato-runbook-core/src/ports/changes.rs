//! The first-five-minutes ports: recent deployments and cloud health events.

use std::fmt;

use async_trait::async_trait;
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
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

/// A source of deployments that could not be read.
#[derive(Debug)]
pub struct UnreadSource {
    /// The source, as it names itself (`Display`), e.g. `sagemaker endpoint configs`.
    pub source: String,
    /// Why it could not be read.
    pub error: Error,
}

/// What a read of deployments found: the deployments of the sources that answered, oldest
/// first, and the sources that did not.
#[derive(Debug, Default)]
pub struct DeploymentsRead {
    /// Deployments since the time asked, oldest first.
    pub deployments: Vec<Deployment>,
    /// The sources that could not be read; empty when every source answered.
    pub unread: Vec<UnreadSource>,
}

/// Where recent changes are recorded.
///
/// One source (a deployment history, SageMaker's endpoint configs, Kubernetes' rollouts)
/// implements [`since`](Self::since); several are combined by
/// [`AllDeployments`](super::AllDeployments), which also answers [`read`](Self::read) with what
/// it read and which sources it could not read, so that one failing source hides nobody else's
/// deployments.
#[async_trait]
pub trait Deployments: fmt::Debug + fmt::Display + Send + Sync {
    /// Deployments since `since`, oldest first: every source's, or an error.
    async fn since(&self, since: Timestamp) -> Result<Vec<Deployment>>;

    /// Deployments since `since`, oldest first, from each source that answered, and the sources
    /// that did not. A single source (the default) fails as [`since`](Self::since) does.
    ///
    /// # Errors
    ///
    /// When no source could be read.
    async fn read(&self, since: Timestamp) -> Result<DeploymentsRead> {
        Ok(DeploymentsRead {
            deployments: self.since(since).await?,
            unread: Vec::new(),
        })
    }
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
///
/// A dashboard this account cannot read at all — AWS Health without a Business or Enterprise
/// support plan — fails with [`ErrorKind::Unsupported`](crate::ErrorKind::Unsupported) and a
/// message saying so: the `cloud-health-events` diagnosis records that as a finding
/// ("unavailable"), never as a failed diagnosis.
#[async_trait]
pub trait CloudHealth: fmt::Debug + fmt::Display + Send + Sync {
    /// Events open now or started since `since`.
    async fn events(&self, since: Timestamp) -> Result<Vec<HealthEvent>>;
}
