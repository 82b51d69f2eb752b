//! A Deployment's revisions from its ReplicaSets, and `kubectl rollout undo --to-revision`.
//!
//! The rollback is a `PUT` of the whole Deployment as read, its `resourceVersion` kept, with the
//! pod template of the ReplicaSet rolled back to (its `pod-template-hash` label removed). Not a
//! patch, as `kubectl` sends: a patch lands on whatever the Deployment has become since the
//! read, so a rollout someone started in between would be overwritten without either side
//! knowing. With the `resourceVersion`, that race is a 409, a typed `Conflict` (transient): the
//! step reads again before it decides again, and never undoes a change it did not plan around.

use std::collections::BTreeMap;

use cato_runbook_core::ports::Revision;
use cato_runbook_core::{Error, IdempotencyKey, Result, Timestamp};
use k8s_openapi::api::apps::v1::{Deployment, ReplicaSet};
use k8s_openapi::api::core::v1::PodTemplateSpec;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::Time;
use kube::Api;
use kube::api::{ListParams, PostParams};

use super::{PROVIDER, error};

/// The revision number the Deployment controller writes on each ReplicaSet.
pub(super) const REVISION: &str = "deployment.kubernetes.io/revision";
/// The former numbers of a ReplicaSet made current again.
pub(super) const REVISION_HISTORY: &str = "deployment.kubernetes.io/revision-history";
/// Why a revision was made.
pub(super) const CHANGE_CAUSE: &str = "kubernetes.io/change-cause";
/// Who made it (Cato's own annotation; absent: unknown).
pub(super) const AUTHOR: &str = "cato.thinktank.ai/author";
/// The idempotency key of the last rollback written to the Deployment.
pub(super) const ROLLBACK_KEY: &str = "cato.thinktank.ai/rollback-key";
/// The label that names a pod template.
pub(super) const HASH_LABEL: &str = "pod-template-hash";

fn instant(at: &Time) -> Option<Timestamp> {
    Timestamp::from_timestamp_micros(at.0.as_microsecond())
}

fn annotation<'a>(rs: &'a ReplicaSet, key: &str) -> Option<&'a str> {
    rs.metadata
        .annotations
        .as_ref()
        .and_then(|a| a.get(key))
        .map(String::as_str)
}

/// The revision a ReplicaSet is; `None` for one without a revision number.
///
/// `current_since` is the ReplicaSet's `creationTimestamp` for a revision made by a rollout; a
/// ReplicaSet made current again (a rollback: `revision-history` lists its former numbers) is
/// not re-created, and Kubernetes keeps no time of that change, so its latest `managedFields`
/// time stands in (the controller writes the new number then; a later scale of it moves that
/// time on, so the time is at or after the rollback).
fn revision_of(rs: &ReplicaSet) -> Option<Revision> {
    let number = annotation(rs, REVISION)?.parse().ok()?;
    let created_at = rs.metadata.creation_timestamp.as_ref().and_then(instant)?;
    let reused = annotation(rs, REVISION_HISTORY).is_some_and(|h| !h.is_empty());
    let written = rs
        .metadata
        .managed_fields
        .iter()
        .flatten()
        .filter_map(|f| f.time.as_ref().and_then(instant))
        .max();
    let current_since = match written {
        Some(at) if reused && at > created_at => at,
        _ => created_at,
    };
    let template = rs.spec.template.as_ref();
    let images = template
        .and_then(|t| t.spec.as_ref())
        .map(|s| {
            s.containers
                .iter()
                .filter_map(|c| c.image.clone())
                .collect()
        })
        .unwrap_or_default();
    let hash = template
        .and_then(|t| t.metadata.as_ref())
        .and_then(|m| m.labels.as_ref())
        .and_then(|l| l.get(HASH_LABEL))
        .or_else(|| rs.metadata.labels.as_ref().and_then(|l| l.get(HASH_LABEL)))
        .cloned()
        .unwrap_or_default();
    Some(Revision {
        number,
        template_hash: hash,
        change_cause: annotation(rs, CHANGE_CAUSE).map(str::to_owned),
        author: annotation(rs, AUTHOR).map(str::to_owned),
        images,
        created_at,
        current_since,
        current: false,
    })
}

/// The Deployment's ReplicaSets: those its selector matches that it controls.
pub(super) async fn replica_sets(
    client: &kube::Client,
    operation: &'static str,
    resource: &str,
    deployment: &Deployment,
) -> Result<Vec<ReplicaSet>> {
    let namespace = deployment.metadata.namespace.as_deref().unwrap_or_default();
    let labels: BTreeMap<String, String> = deployment
        .spec
        .selector
        .match_labels
        .clone()
        .unwrap_or_default();
    let selector = labels
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join(",");
    let api: Api<ReplicaSet> = Api::namespaced(client.clone(), namespace);
    let listed = api
        .list(&ListParams::default().labels(&selector))
        .await
        .map_err(|e| error::map(operation, resource, e))?;
    let name = deployment.metadata.name.as_deref().unwrap_or_default();
    let uid = deployment.metadata.uid.as_deref();
    Ok(listed
        .items
        .into_iter()
        .filter(|rs| {
            rs.metadata.owner_references.iter().flatten().any(|o| {
                o.controller == Some(true)
                    && o.kind == "Deployment"
                    && o.name == name
                    && uid.is_none_or(|u| u == o.uid)
            })
        })
        .collect())
}

/// The revisions of `replica_sets`, lowest number first, the highest current.
pub(super) fn revisions(replica_sets: &[ReplicaSet]) -> Vec<Revision> {
    let mut out: Vec<Revision> = replica_sets.iter().filter_map(revision_of).collect();
    out.sort_by_key(|r| r.number);
    if let Some(last) = out.last_mut() {
        last.current = true;
    }
    out
}

/// A pod template without its `pod-template-hash` label (as the Deployment holds it).
fn without_hash(template: &PodTemplateSpec) -> PodTemplateSpec {
    let mut template = template.clone();
    if let Some(labels) = template.metadata.as_mut().and_then(|m| m.labels.as_mut()) {
        labels.remove(HASH_LABEL);
    }
    template
}

/// What a rollback did.
pub(super) enum RolledBack {
    /// The Deployment already carried this key: a repeat.
    Repeat,
    /// Its template already was the revision's.
    AlreadyCurrent,
    /// The template was replaced.
    Replaced,
}

/// `kubectl rollout undo --to-revision`, as a `PUT` with the `resourceVersion` read.
pub(super) async fn roll_back(
    client: &kube::Client,
    resource: &str,
    namespace: &str,
    name: &str,
    to_revision: u64,
    key: &IdempotencyKey,
) -> Result<RolledBack> {
    const OP: &str = "deployments.rollback";
    let api: Api<Deployment> = Api::namespaced(client.clone(), namespace);
    let mut deployment = api
        .get(name)
        .await
        .map_err(|e| error::map(OP, resource, e))?;
    let annotations = deployment.metadata.annotations.get_or_insert_default();
    if annotations.get(ROLLBACK_KEY).map(String::as_str) == Some(key.as_str()) {
        return Ok(RolledBack::Repeat);
    }
    let sets = replica_sets(client, OP, resource, &deployment).await?;
    let Some(target) = sets
        .iter()
        .find(|rs| annotation(rs, REVISION).and_then(|n| n.parse().ok()) == Some(to_revision))
    else {
        return Err(
            Error::not_found(OP, format!("revision {to_revision} of {resource}"))
                .with_provider(PROVIDER),
        );
    };
    let Some(template) = target.spec.template.as_ref() else {
        return Err(Error::new(
            cato_runbook_core::ErrorKind::MalformedResponse,
            OP,
            format!("revision {to_revision} of {resource} has no pod template"),
        )
        .with_provider(PROVIDER)
        .with_resource(resource));
    };
    let template = without_hash(template);
    if deployment.spec.template == template {
        return Ok(RolledBack::AlreadyCurrent);
    }
    deployment.spec.template = template;
    let annotations = deployment.metadata.annotations.get_or_insert_default();
    annotations.insert(ROLLBACK_KEY.to_owned(), key.as_str().to_owned());
    for copied in [CHANGE_CAUSE, AUTHOR] {
        match annotation(target, copied) {
            Some(value) => annotations.insert(copied.to_owned(), value.to_owned()),
            None => annotations.remove(copied),
        };
    }
    deployment.status = None;
    deployment.metadata.managed_fields = None;
    api.replace(name, &PostParams::default(), &deployment)
        .await
        .map_err(|e| error::map(OP, resource, e))?;
    Ok(RolledBack::Replaced)
}
