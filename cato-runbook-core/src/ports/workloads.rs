//! The workloads port (the orchestrator's Kubernetes Deployment).

use std::fmt;

use async_trait::async_trait;
use serde::{Deserialize, Serialize};

use crate::error::Result;
use crate::incident::IdempotencyKey;

/// A workload's replicas.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WorkloadState {
    /// e.g. `cato`.
    pub namespace: String,
    /// e.g. `cato-orchestrator`.
    pub name: String,
    /// Replicas asked for.
    pub desired_replicas: u32,
    /// Replicas ready.
    pub ready_replicas: u32,
}

/// A workload scheduler.
#[async_trait]
pub trait Workloads: fmt::Debug + fmt::Display + Send + Sync {
    /// Reads a workload's replicas.
    async fn get(&self, namespace: &str, name: &str) -> Result<WorkloadState>;

    /// `kubectl scale deployment NAME -n NAMESPACE --replicas=N`.
    async fn scale(
        &self,
        namespace: &str,
        name: &str,
        replicas: u32,
        key: &IdempotencyKey,
    ) -> Result<()>;
}
