//! The fake server's ReplicaSets and the Deployment controller's part in a rollback: a `PUT` of
//! a Deployment with another pod template makes the ReplicaSet of that template the newest
//! revision (a new one when no ReplicaSet has it), as the real controller does.

use serde_json::{Value, json};
use wiremock::{Request, ResponseTemplate};

use super::{Deployment, State, status};

/// One ReplicaSet of the orchestrator's Deployment.
#[derive(Debug, Clone)]
pub(crate) struct ReplicaSet {
    pub(crate) image: String,
    pub(crate) revision: u64,
    /// Its former revision numbers (`deployment.kubernetes.io/revision-history`).
    pub(crate) history: Vec<u64>,
    pub(crate) created: String,
    /// When the controller last wrote it (`managedFields[].time`).
    pub(crate) written: String,
    pub(crate) change_cause: Option<String>,
}

pub(crate) const UID: &str = "0f6b2c3e-0000-4000-8000-000000000001";

/// The hash of the template running `image` (fixed per image, as Kubernetes's is per template).
pub(crate) fn hash(image: &str) -> String {
    let sum: u64 = image
        .bytes()
        .fold(7, |h, b| h.wrapping_mul(31) + u64::from(b));
    format!("{:010x}", sum & 0xff_ffff_ffff)
}

/// The orchestrator's history at the start: v1 a week ago, then v2, current.
pub(crate) fn initial() -> Vec<ReplicaSet> {
    vec![
        ReplicaSet {
            image: "cato/orchestrator:1.8.1".into(),
            revision: 1,
            history: Vec::new(),
            created: "2026-01-05T10:00:00Z".into(),
            written: "2026-01-06T10:00:30Z".into(),
            change_cause: Some("1.8.1".into()),
        },
        ReplicaSet {
            image: "cato/orchestrator:1.8.2".into(),
            revision: 2,
            history: Vec::new(),
            created: "2026-01-06T10:00:00Z".into(),
            written: "2026-01-06T10:00:00Z".into(),
            change_cause: Some("1.8.2: batch prompts".into()),
        },
    ]
}

pub(crate) fn current(d: &Deployment) -> Option<&ReplicaSet> {
    d.replica_sets.iter().max_by_key(|r| r.revision)
}

pub(crate) fn template(name: &str, image: &str, with_hash: bool) -> Value {
    let mut labels = json!({"app": name});
    if with_hash {
        labels["pod-template-hash"] = json!(hash(image));
    }
    json!({
        "metadata": {"labels": labels},
        "spec": {"containers": [{"name": "orchestrator", "image": image}]},
    })
}

fn replica_set_json(ns: &str, name: &str, rs: &ReplicaSet) -> Value {
    let mut annotations = json!({"deployment.kubernetes.io/revision": rs.revision.to_string()});
    if let Some(cause) = &rs.change_cause {
        annotations["kubernetes.io/change-cause"] = json!(cause);
    }
    if !rs.history.is_empty() {
        let history: Vec<String> = rs.history.iter().map(u64::to_string).collect();
        annotations["deployment.kubernetes.io/revision-history"] = json!(history.join(","));
    }
    let h = hash(&rs.image);
    json!({
        "kind": "ReplicaSet",
        "apiVersion": "apps/v1",
        "metadata": {
            "name": format!("{name}-{h}"),
            "namespace": ns,
            "labels": {"app": name, "pod-template-hash": h},
            "annotations": annotations,
            "creationTimestamp": rs.created,
            "managedFields": [{"manager": "kube-controller-manager", "operation": "Update", "apiVersion": "apps/v1", "time": rs.written}],
            "ownerReferences": [{"apiVersion": "apps/v1", "kind": "Deployment", "name": name, "uid": UID, "controller": true}],
        },
        "spec": {
            "selector": {"matchLabels": {"app": name, "pod-template-hash": h}},
            "template": template(name, &rs.image, true),
        },
    })
}

/// `GET /apis/apps/v1/namespaces/{ns}/replicasets?labelSelector=app=…`.
pub(crate) fn list(state: &State, request: &Request, ns: &str) -> ResponseTemplate {
    let selector = request
        .url
        .query_pairs()
        .find(|(k, _)| k == "labelSelector")
        .map(|(_, v)| v.into_owned())
        .unwrap_or_default();
    let mut items = Vec::new();
    for ((d_ns, name), d) in &state.deployments {
        let matches = selector
            .split(',')
            .filter(|s| !s.is_empty())
            .all(|s| s == format!("app={name}"));
        if d_ns == ns && matches {
            items.extend(
                d.replica_sets
                    .iter()
                    .map(|rs| replica_set_json(ns, name, rs)),
            );
        }
    }
    ResponseTemplate::new(200).set_body_json(json!({
        "kind": "ReplicaSetList",
        "apiVersion": "apps/v1",
        "metadata": {"resourceVersion": "5000"},
        "items": items,
    }))
}

/// `PUT` of the Deployment: checked, then the controller's rollout of its template.
pub(crate) fn put(
    d: &mut Deployment,
    ns: &str,
    name: &str,
    body: &Value,
) -> Option<ResponseTemplate> {
    let well_formed = body["apiVersion"] == "apps/v1"
        && body["kind"] == "Deployment"
        && body["metadata"]["name"] == name
        && body["metadata"]["namespace"] == ns
        && body["spec"]["selector"]["matchLabels"]["app"] == name;
    if !well_formed {
        return Some(status(
            400,
            "BadRequest",
            format!("not a Deployment {ns}/{name}: {body}"),
        ));
    }
    if body["spec"]["template"]["metadata"]["labels"]
        .get("pod-template-hash")
        .is_some()
    {
        return Some(status(
            422,
            "Invalid",
            "spec.template.metadata.labels: the pod-template-hash label is the controller's".into(),
        ));
    }
    let Some(image) = body["spec"]["template"]["spec"]["containers"][0]["image"].as_str() else {
        return Some(status(
            422,
            "Invalid",
            "spec.template.spec.containers[0].image: Required value".into(),
        ));
    };
    d.annotations = body["metadata"]["annotations"].clone();
    if let Some(r) = body["spec"]["replicas"].as_i64() {
        d.replicas = i32::try_from(r).unwrap();
    }
    if current(d).is_some_and(|rs| rs.image == image) {
        return None;
    }
    d.rollouts += 1;
    let at = format!("2026-01-07T10:{:02}:00Z", d.rollouts);
    let next = current(d).map_or(1, |rs| rs.revision + 1);
    match d.replica_sets.iter_mut().find(|rs| rs.image == image) {
        Some(rs) => {
            rs.history.push(rs.revision);
            rs.revision = next;
            rs.written = at;
            rs.change_cause = body["metadata"]["annotations"]["kubernetes.io/change-cause"]
                .as_str()
                .map(str::to_owned);
        }
        None => d.replica_sets.push(ReplicaSet {
            image: image.to_owned(),
            revision: next,
            history: Vec::new(),
            created: at.clone(),
            written: at,
            change_cause: None,
        }),
    }
    None
}
