//! The workloads port (the orchestrator's Kubernetes Deployment).

use std::fmt;

use async_trait::async_trait;
use serde::{Deserialize, Serialize};

use crate::error::Result;
use crate::incident::IdempotencyKey;
use crate::time::Timestamp;

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

/// One revision of a workload's pod template: on Kubernetes, one of the Deployment's
/// ReplicaSets.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Revision {
    /// Its number (`deployment.kubernetes.io/revision`). A rollback makes the revision rolled
    /// back to the newest again, under a new number (as `kubectl rollout undo` does): a number
    /// names a revision only until the next rollout.
    pub number: u64,
    /// Its pod template's identity (the `pod-template-hash` label): the same template keeps the
    /// same hash whatever its number.
    pub template_hash: String,
    /// Why it was made (`kubernetes.io/change-cause`), when annotated.
    pub change_cause: Option<String>,
    /// Who made it (`cato.thinktank.ai/author`), when annotated.
    pub author: Option<String>,
    /// Its containers' images, in the template's order.
    pub images: Vec<String>,
    /// When it was first made (the ReplicaSet's `creationTimestamp`).
    pub created_at: Timestamp,
    /// When it last became the current revision: its creation, or the rollback that made it
    /// current again (how near a provider gets to that time, it documents).
    pub current_since: Timestamp,
    /// Whether it is the workload's current revision (the newest number).
    pub current: bool,
}

impl Revision {
    /// What it runs, for people: the change cause, else the images.
    pub fn version(&self) -> String {
        match &self.change_cause {
            Some(cause) if !cause.is_empty() => cause.clone(),
            _ => self.images.join(", "),
        }
    }
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

    /// `kubectl rollout history deployment NAME -n NAMESPACE`: the workload's revisions, oldest
    /// (lowest number) first, the last one current.
    async fn revisions(&self, namespace: &str, name: &str) -> Result<Vec<Revision>>;

    /// `kubectl rollout undo deployment NAME -n NAMESPACE --to-revision=N`: the workload's pod
    /// template becomes revision `to_revision`'s (which then becomes the newest revision). A
    /// rollback to the current revision changes nothing; a repeat with the same key is
    /// harmless even though the revision's number has changed since.
    ///
    /// # Errors
    ///
    /// `NotFound` for a workload or revision that does not exist; `Conflict` (transient) when
    /// the workload changed between the provider's read and its write.
    async fn roll_back(
        &self,
        namespace: &str,
        name: &str,
        to_revision: u64,
        key: &IdempotencyKey,
    ) -> Result<()>;
}
