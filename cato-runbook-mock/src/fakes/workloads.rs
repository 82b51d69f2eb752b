//! The workloads fake (Kubernetes Deployments): replicas, and revisions as ReplicaSets
//! (see the world's rollouts).

use async_trait::async_trait;
use cato_runbook_core::ports::{Revision, WorkloadState, Workloads};
use cato_runbook_core::{Error, IdempotencyKey, Result};
use serde_json::json;

use super::FakeWorkloads;
use crate::ops::Op;
use crate::world::Reply;

const PROVIDER: &str = "fake-kubernetes";

#[async_trait]
impl Workloads for FakeWorkloads {
    async fn get(&self, namespace: &str, name: &str) -> Result<WorkloadState> {
        let op = Op::WorkloadsGet;
        let args = json!({ "namespace": namespace, "name": name });
        self.world
            .call(op, PROVIDER, args, None, |sim, now| {
                sim.state()
                    .workload(namespace, name)
                    .map(|w| Reply::new(w.describe(now)))
                    .ok_or_else(|| Error::not_found(op.as_str(), format!("{namespace}/{name}")))
            })
            .await
    }

    async fn scale(
        &self,
        namespace: &str,
        name: &str,
        replicas: u32,
        key: &IdempotencyKey,
    ) -> Result<()> {
        let op = Op::WorkloadsScale;
        let args = json!({ "namespace": namespace, "name": name, "replicas": replicas });
        let scope = format!("{namespace}/{name}");
        self.world
            .call(op, PROVIDER, args.clone(), Some(key), |sim, now| {
                sim.idempotent(op, &scope, key, &args, |sim| {
                    if sim.state().workload(namespace, name).is_none() {
                        return Err(Error::not_found(op.as_str(), scope.as_str()));
                    }
                    let mut state = sim.edit(now);
                    if let Some(w) = state.workload_mut(namespace, name) {
                        w.ready_from = w.ready(now);
                        w.desired = replicas;
                        w.changed_at = now;
                    }
                    sim.commit(now, state);
                    Ok(())
                })
                .map(Reply::from_idempotent)
            })
            .await
    }

    async fn revisions(&self, namespace: &str, name: &str) -> Result<Vec<Revision>> {
        let op = Op::WorkloadsRevisions;
        let args = json!({ "namespace": namespace, "name": name });
        self.world
            .call(op, PROVIDER, args, None, |sim, _| {
                sim.state()
                    .workload(namespace, name)
                    .map(|w| Reply::new(w.history()))
                    .ok_or_else(|| Error::not_found(op.as_str(), format!("{namespace}/{name}")))
            })
            .await
    }

    async fn roll_back(
        &self,
        namespace: &str,
        name: &str,
        to_revision: u64,
        key: &IdempotencyKey,
    ) -> Result<()> {
        let op = Op::WorkloadsRollBack;
        let args = json!({ "namespace": namespace, "name": name, "to_revision": to_revision });
        let scope = format!("{namespace}/{name}");
        self.world
            .call(op, PROVIDER, args.clone(), Some(key), |sim, now| {
                sim.idempotent(op, &scope, key, &args, |sim| {
                    if sim.state().workload(namespace, name).is_none() {
                        return Err(Error::not_found(op.as_str(), scope.as_str()));
                    }
                    if sim.roll_back(now, namespace, name, to_revision) {
                        Ok(())
                    } else {
                        Err(Error::not_found(
                            op.as_str(),
                            format!("revision {to_revision} of {scope}"),
                        ))
                    }
                })
                .map(Reply::from_idempotent)
            })
            .await
    }
}
