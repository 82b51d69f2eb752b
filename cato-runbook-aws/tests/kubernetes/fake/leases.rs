//! `coordination.k8s.io/v1` Leases on the fake API server, as the real one serves them:
//!
//! - `GET …/namespaces/{ns}/leases/{name}`: the object, or 404 `NotFound`;
//! - `POST …/namespaces/{ns}/leases`: a new object at a new `resourceVersion` (201), or 409
//!   `AlreadyExists` when the name is taken;
//! - `PUT …/namespaces/{ns}/leases/{name}`: replaces the object when the `resourceVersion` sent
//!   is the stored one (none sent: unconditional, as Leases allow), else 409 `Conflict`;
//!
//! `spec` validated as the API server does (`leaseDurationSeconds` > 0, `leaseTransitions` ≥ 0:
//! else 422 `Invalid`); the `resourceVersion` is one counter for every Lease, like etcd's
//! revision. The server does not read the times: a lease expires only in its clients' eyes.

use std::collections::BTreeMap;
use std::time::Duration;

use cato_runbook_aws::kubernetes::KubeLease;
use serde_json::{Value, json};
use wiremock::{Request, ResponseTemplate};

use super::{FakeApi, State};

const API_VERSION: &str = "coordination.k8s.io/v1";

/// Every Lease the server holds, and the knobs of the tests.
/// Lease objects by `(namespace, name)`.
type Objects = BTreeMap<(String, String), Value>;

#[derive(Debug, Default)]
pub(crate) struct Leases {
    /// The objects by `(namespace, name)`, each with its `metadata.resourceVersion`.
    pub(crate) objects: Objects,
    revision: u64,
    /// While set, the next GETs (as many as the count) answer from this snapshot, whatever was
    /// written since: replicas racing each other all read the same version, whichever order
    /// their requests arrive in.
    frozen: Option<(Objects, u32)>,
    /// Every GET is answered this much later (a slow API server).
    pub(crate) read_delay: Option<Duration>,
    /// This many replacing writes find the lease changed under them (another writer bumped its
    /// resourceVersion, changing nothing else) and get 409.
    pub(crate) interfere: u32,
    /// 409 `Conflict`s served (a stale resourceVersion).
    pub(crate) conflicts: u32,
    /// 409 `AlreadyExists`es served (a create of a name that is taken).
    pub(crate) already_exists: u32,
}

impl Leases {
    fn next_revision(&mut self) -> String {
        self.revision += 1;
        (5000 + self.revision).to_string()
    }

    /// Stores `spec` as `namespace/name`, as a writer outside the tests' replicas would.
    pub(crate) fn put(&mut self, namespace: &str, name: &str, spec: Value) {
        let version = self.next_revision();
        self.objects.insert(
            (namespace.to_owned(), name.to_owned()),
            object(namespace, name, &version, spec),
        );
    }

    /// The next `reads` GETs answer from the state as it is now.
    pub(crate) fn freeze_reads(&mut self, reads: u32) {
        self.frozen = Some((self.objects.clone(), reads));
    }

    fn get(&mut self, ns: &str, name: &str) -> ResponseTemplate {
        let key = (ns.to_owned(), name.to_owned());
        let found = match self.frozen.as_mut() {
            Some((snapshot, reads)) if *reads > 0 => {
                *reads -= 1;
                snapshot.get(&key).cloned()
            }
            _ => self.objects.get(&key).cloned(),
        };
        let response = match found {
            Some(lease) => ResponseTemplate::new(200).set_body_json(lease),
            None => not_found(name),
        };
        match self.read_delay {
            Some(delay) => response.set_delay(delay),
            None => response,
        }
    }

    fn create(&mut self, ns: &str, body: &Value) -> ResponseTemplate {
        let Some(name) = body["metadata"]["name"].as_str() else {
            return status(
                422,
                "Invalid",
                "metadata.name: Required value: name or generateName is required".into(),
            );
        };
        if let Some(invalid) = refuse(ns, body) {
            return invalid;
        }
        let key = (ns.to_owned(), name.to_owned());
        if self.objects.contains_key(&key) {
            self.already_exists += 1;
            return status(
                409,
                "AlreadyExists",
                format!("leases.coordination.k8s.io \"{name}\" already exists"),
            );
        }
        let version = self.next_revision();
        let stored = object(ns, name, &version, body["spec"].clone());
        self.objects.insert(key, stored.clone());
        ResponseTemplate::new(201).set_body_json(stored)
    }

    fn replace(&mut self, ns: &str, name: &str, body: &Value) -> ResponseTemplate {
        if body["metadata"]["name"] != name {
            return status(
                400,
                "BadRequest",
                format!(
                    "the name of the object ({}) does not match the name on the URL ({name})",
                    body["metadata"]["name"]
                ),
            );
        }
        if let Some(invalid) = refuse(ns, body) {
            return invalid;
        }
        let key = (ns.to_owned(), name.to_owned());
        if self.interfere > 0 && self.objects.contains_key(&key) {
            self.interfere -= 1;
            let version = self.next_revision();
            if let Some(stored) = self.objects.get_mut(&key) {
                stored["metadata"]["resourceVersion"] = json!(version);
            }
        }
        let Some(stored) = self.objects.get(&key) else {
            return not_found(name);
        };
        let sent = &body["metadata"]["resourceVersion"];
        if !sent.is_null() && *sent != stored["metadata"]["resourceVersion"] {
            self.conflicts += 1;
            return status(
                409,
                "Conflict",
                format!(
                    "Operation cannot be fulfilled on leases.coordination.k8s.io \"{name}\": the object has been modified; please apply your changes to the latest version and try again"
                ),
            );
        }
        let version = self.next_revision();
        let replaced = object(ns, name, &version, body["spec"].clone());
        self.objects.insert(key, replaced.clone());
        ResponseTemplate::new(200).set_body_json(replaced)
    }
}

/// The answer to a request on a Lease path, or `None` for any other path.
pub(super) fn respond(
    state: &mut State,
    request: &Request,
    parts: &[&str],
) -> Option<ResponseTemplate> {
    let (ns, name) = match parts {
        [
            "apis",
            "coordination.k8s.io",
            "v1",
            "namespaces",
            ns,
            "leases",
        ] => (*ns, None),
        [
            "apis",
            "coordination.k8s.io",
            "v1",
            "namespaces",
            ns,
            "leases",
            name,
        ] => (*ns, Some(*name)),
        _ => return None,
    };
    if state.forbidden {
        return Some(status(
            403,
            "Forbidden",
            format!(
                "leases.coordination.k8s.io is forbidden: User \"system:serviceaccount:cato:runbook\" cannot {} resource \"leases\" in API group \"coordination.k8s.io\" in the namespace \"{ns}\"",
                request.method.as_str().to_lowercase()
            ),
        ));
    }
    let leases = &mut state.leases;
    let verb = request.method.as_str();
    if verb == "GET" {
        return Some(match name {
            Some(name) => leases.get(ns, name),
            None => status(
                405,
                "MethodNotAllowed",
                "the provider has no reason to list".into(),
            ),
        });
    }
    let Ok(body) = serde_json::from_slice::<Value>(&request.body) else {
        return Some(status(400, "BadRequest", "the body is not JSON".into()));
    };
    Some(match (verb, name) {
        ("POST", None) => leases.create(ns, &body),
        ("PUT", Some(name)) => leases.replace(ns, name, &body),
        (verb, _) => status(
            405,
            "MethodNotAllowed",
            format!("{verb} is not what this provider should send"),
        ),
    })
}

/// The error the API server answers a write of `body` into `ns` with, if any.
fn refuse(ns: &str, body: &Value) -> Option<ResponseTemplate> {
    if body["apiVersion"] != API_VERSION || body["kind"] != "Lease" {
        return Some(status(
            400,
            "BadRequest",
            format!("not a {API_VERSION} Lease: {body}"),
        ));
    }
    if let Some(sent) = body["metadata"]["namespace"].as_str()
        && sent != ns
    {
        return Some(status(
            400,
            "BadRequest",
            "the namespace of the provided object does not match the namespace sent on the request"
                .into(),
        ));
    }
    let spec = &body["spec"];
    if spec["leaseDurationSeconds"]
        .as_i64()
        .is_some_and(|s| s <= 0)
    {
        return Some(status(
            422,
            "Invalid",
            "spec.leaseDurationSeconds: Invalid value: must be greater than 0".into(),
        ));
    }
    if spec["leaseTransitions"].as_i64().is_some_and(|t| t < 0) {
        return Some(status(
            422,
            "Invalid",
            "spec.leaseTransitions: Invalid value: must be greater than or equal to 0".into(),
        ));
    }
    for time in ["acquireTime", "renewTime"] {
        if let Some(at) = spec.get(time)
            && at
                .as_str()
                .is_none_or(|at| chrono::DateTime::parse_from_rfc3339(at).is_err())
        {
            return Some(status(
                400,
                "BadRequest",
                format!("spec.{time}: {at} is not a MicroTime"),
            ));
        }
    }
    None
}

fn object(ns: &str, name: &str, version: &str, spec: Value) -> Value {
    let spec = if spec.is_null() { json!({}) } else { spec };
    json!({
        "apiVersion": API_VERSION,
        "kind": "Lease",
        "metadata": {
            "name": name,
            "namespace": ns,
            "uid": "6d1c7a52-0000-4000-8000-000000000002",
            "resourceVersion": version,
            "creationTimestamp": "2026-03-10T08:00:00Z",
        },
        "spec": spec,
    })
}

fn not_found(name: &str) -> ResponseTemplate {
    status(
        404,
        "NotFound",
        format!("leases.coordination.k8s.io \"{name}\" not found"),
    )
}

fn status(code: u16, reason: &str, message: String) -> ResponseTemplate {
    ResponseTemplate::new(code).set_body_json(json!({
        "kind": "Status",
        "apiVersion": "v1",
        "metadata": {},
        "status": "Failure",
        "message": message,
        "reason": reason,
        "details": {"group": "coordination.k8s.io", "kind": "leases"},
        "code": code,
    }))
}

impl FakeApi {
    /// The lease `cato/cato-orchestrator`, as `replica`.
    pub(crate) fn lease(&self, replica: &str) -> KubeLease {
        KubeLease::new(self.client(), "cato", "cato-orchestrator", replica)
    }

    /// The stored `cato/cato-orchestrator` Lease object, if any.
    pub(crate) fn lease_object(&self) -> Option<Value> {
        let state = self.state.lock().unwrap();
        state
            .leases
            .objects
            .get(&("cato".to_owned(), "cato-orchestrator".to_owned()))
            .cloned()
    }

    /// Stores `spec` as the `cato/cato-orchestrator` Lease, as another writer would.
    pub(crate) fn put_lease(&self, spec: Value) {
        self.state
            .lock()
            .unwrap()
            .leases
            .put("cato", "cato-orchestrator", spec);
    }
}
