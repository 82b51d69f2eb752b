//! A workload's revisions: rollouts from outside (a [`WorldChange::Rollout`]) and rollbacks
//! through the workloads port, as a Kubernetes Deployment's ReplicaSets behave.
//!
//! A new pod template is a new revision, numbered after the newest; a template that already has
//! a revision (a rollback, or a rollout of an image run before) makes that revision the newest
//! again under a new number. The revision's per-request overhead serves once its pods are
//! ready: `pod_startup` after the change.
//!
//! [`WorldChange::Rollout`]: super::WorldChange::Rollout

use std::time::Duration;

use cato_runbook_core::ports::{Deployment, Revision};
use cato_runbook_core::time::{self, Timestamp};

use super::models::WorkloadModel;
use super::sim::{Sim, Timer};

/// How long before the world's start its workloads' first revision was made.
pub(crate) const FIRST_REVISION_AGE: Duration = Duration::from_secs(7 * 24 * 3600);

/// One revision (a ReplicaSet) of a workload.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct RevisionModel {
    pub number: u64,
    pub hash: String,
    pub image: String,
    pub change_cause: Option<String>,
    pub author: Option<String>,
    pub created_at: Timestamp,
    pub current_since: Timestamp,
    /// The median overhead its replicas add to a request, ms.
    pub overhead_ms: f64,
}

/// A pod template's hash (FNV-1a of its image), 10 hex digits as Kubernetes writes them.
pub(crate) fn template_hash(image: &str) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in image.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    format!("{:010x}", h & 0xff_ffff_ffff)
}

impl RevisionModel {
    /// The first revision of a workload running `image`.
    pub(crate) fn first(image: &str, overhead_ms: f64, start: Timestamp) -> RevisionModel {
        let at = time::sub(start, FIRST_REVISION_AGE);
        RevisionModel {
            number: 1,
            hash: template_hash(image),
            image: image.to_owned(),
            change_cause: None,
            author: None,
            created_at: at,
            current_since: at,
            overhead_ms,
        }
    }

    fn version(&self) -> String {
        self.change_cause
            .clone()
            .filter(|c| !c.is_empty())
            .unwrap_or_else(|| self.image.clone())
    }
}

impl WorkloadModel {
    /// The current revision (the newest number).
    pub(crate) fn current(&self) -> Option<&RevisionModel> {
        self.revisions.iter().max_by_key(|r| r.number)
    }

    /// Every revision as the port answers it, oldest number first.
    pub(crate) fn history(&self) -> Vec<Revision> {
        let current = self.current().map(|r| r.number);
        let mut out: Vec<Revision> = self
            .revisions
            .iter()
            .map(|r| Revision {
                number: r.number,
                template_hash: r.hash.clone(),
                change_cause: r.change_cause.clone(),
                author: r.author.clone(),
                images: vec![r.image.clone()],
                created_at: r.created_at,
                current_since: r.current_since,
                current: Some(r.number) == current,
            })
            .collect();
        out.sort_by_key(|r| r.number);
        out
    }

    /// Makes the revision with `hash` current (numbered after the newest) at `at`, unless it
    /// already is; returns whether anything changed.
    fn make_current(&mut self, hash: &str, at: Timestamp) -> bool {
        let next = self.current().map_or(1, |r| r.number + 1);
        let is_current = self.current().is_some_and(|r| r.hash == hash);
        match self.revisions.iter_mut().find(|r| r.hash == hash) {
            Some(_) if is_current => false,
            Some(r) => {
                r.number = next;
                r.current_since = at;
                true
            }
            None => false,
        }
    }
}

/// What a rollout from outside deploys.
pub(crate) struct NewRevision<'a> {
    pub image: &'a str,
    pub change_cause: Option<&'a str>,
    pub author: Option<&'a str>,
    pub overhead_ms: Option<f64>,
}

impl Sim {
    /// Deploys `new` on `namespace/name` at `at`: a new revision, or an old one made current.
    pub(crate) fn roll_out(
        &mut self,
        at: Timestamp,
        namespace: &str,
        name: &str,
        new: &NewRevision<'_>,
    ) {
        let mut state = self.edit(at);
        let Some(w) = state.workload_mut(namespace, name) else {
            return;
        };
        let hash = template_hash(new.image);
        if !w.revisions.iter().any(|r| r.hash == hash) {
            let number = w.current().map_or(1, |r| r.number + 1);
            w.revisions.push(RevisionModel {
                number,
                hash: hash.clone(),
                image: new.image.to_owned(),
                change_cause: new.change_cause.map(str::to_owned),
                author: new.author.map(str::to_owned),
                created_at: at,
                current_since: at,
                overhead_ms: new.overhead_ms.unwrap_or(w.overhead_ms),
            });
        } else {
            if let (Some(r), Some(ms)) = (
                w.revisions.iter_mut().find(|r| r.hash == hash),
                new.overhead_ms,
            ) {
                r.overhead_ms = ms;
            }
            if !w.make_current(&hash, at) {
                // The template it runs already: Kubernetes makes no new revision.
                self.commit(at, state);
                return;
            }
        }
        self.after_rollout(at, state, namespace, name, &hash);
    }

    /// Makes revision `to_revision` of `namespace/name` current at `at` (a rollback); `false`
    /// when there is no such revision.
    pub(crate) fn roll_back(
        &mut self,
        at: Timestamp,
        namespace: &str,
        name: &str,
        to_revision: u64,
    ) -> bool {
        let mut state = self.edit(at);
        let Some(w) = state.workload_mut(namespace, name) else {
            return false;
        };
        let Some(hash) = w
            .revisions
            .iter()
            .find(|r| r.number == to_revision)
            .map(|r| r.hash.clone())
        else {
            return false;
        };
        if w.make_current(&hash, at) {
            self.after_rollout(at, state, namespace, name, &hash);
        }
        true
    }

    /// Commits a new current revision: recorded as a deployment, its overhead serving once its
    /// pods are ready.
    fn after_rollout(
        &mut self,
        at: Timestamp,
        state: super::State,
        namespace: &str,
        name: &str,
        hash: &str,
    ) {
        let Some(w) = state.workload(namespace, name) else {
            return;
        };
        let startup = w.startup;
        if let Some(r) = w.current() {
            // Kubernetes records a rollout: the `kubernetes` source when the world has one.
            let kubernetes = self
                .config
                .deployment_sources
                .iter()
                .any(|s| s == "kubernetes");
            let source = if kubernetes {
                Some("kubernetes".to_owned())
            } else {
                self.config.source_of(None)
            };
            self.records.deployments.push(super::records::Deployed {
                source,
                deployment: Deployment {
                    service: name.to_owned(),
                    version: r.version(),
                    at,
                    author: r.author.clone(),
                    description: format!("revision {} ({})", r.number, r.image),
                },
            });
        }
        self.commit(at, state);
        self.schedule(
            time::add(at, startup),
            Timer::RolloutReady {
                namespace: namespace.to_owned(),
                name: name.to_owned(),
                hash: hash.to_owned(),
            },
        );
    }

    /// The pods of revision `hash` are ready: its overhead serves, if it is still current.
    pub(crate) fn rollout_ready(&mut self, at: Timestamp, namespace: &str, name: &str, hash: &str) {
        let mut state = self.edit(at);
        if let Some(w) = state.workload_mut(namespace, name)
            && let Some(ms) = w
                .current()
                .filter(|r| r.hash == hash)
                .map(|r| r.overhead_ms)
        {
            w.overhead_ms = ms;
        }
        self.commit(at, state);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_are_stable_and_distinct() {
        assert_eq!(template_hash("a"), template_hash("a"));
        assert_ne!(
            template_hash("cato/orchestrator:v1"),
            template_hash("cato/orchestrator:v2")
        );
        assert_eq!(template_hash("x").len(), 10);
    }
}
