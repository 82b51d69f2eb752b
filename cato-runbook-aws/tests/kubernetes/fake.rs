//! A fake Kubernetes API server that holds Deployments and serves them, and their `scale`
//! subresource, as the real one does: exact paths and verbs, `resourceVersion` checked on
//! every write (409 when stale), `Status` objects for failures. It holds `Lease`s too
//! ([`leases`]), and the orchestrator's ReplicaSets, rolled out by a `PUT` of its Deployment
//! ([`rollouts`]).

mod leases;
pub(crate) mod rollouts;

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use cato_runbook_aws::kubernetes::{KubeDeployments, KubeWorkloads};
use serde_json::{Value, json};
use wiremock::matchers::any;
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

/// One Deployment.
#[derive(Debug, Clone)]
pub(crate) struct Deployment {
    pub(crate) replicas: i32,
    pub(crate) ready: i32,
    pub(crate) resource_version: u64,
    /// Its annotations, as last written.
    pub(crate) annotations: Value,
    /// Its ReplicaSets; the newest revision's template is the Deployment's.
    pub(crate) replica_sets: Vec<rollouts::ReplicaSet>,
    /// Rollouts the controller made (for their times).
    pub(crate) rollouts: u32,
}

#[derive(Debug, Default)]
pub(crate) struct State {
    pub(crate) deployments: BTreeMap<(String, String), Deployment>,
    /// Every request is refused with 403.
    pub(crate) forbidden: bool,
    /// This many scale writes find the Deployment changed under them (another writer bumped
    /// its resourceVersion) and get 409.
    pub(crate) conflicts: u32,
    /// The `coordination.k8s.io/v1` Leases.
    pub(crate) leases: leases::Leases,
}

/// The fake server.
pub(crate) struct FakeApi {
    pub(crate) server: MockServer,
    pub(crate) state: Arc<Mutex<State>>,
}

impl FakeApi {
    /// A server holding `cato/cato-orchestrator` at `replicas`, all ready.
    pub(crate) async fn start(replicas: i32) -> FakeApi {
        let server = MockServer::start().await;
        let state = Arc::new(Mutex::new(State::default()));
        state.lock().unwrap().deployments.insert(
            ("cato".into(), "cato-orchestrator".into()),
            Deployment {
                replicas,
                ready: replicas,
                resource_version: 1000,
                annotations: json!({"deployment.kubernetes.io/revision": "2"}),
                replica_sets: rollouts::initial(),
                rollouts: 0,
            },
        );
        Mock::given(any())
            .respond_with(Handler(Arc::clone(&state)))
            .mount(&server)
            .await;
        FakeApi { server, state }
    }

    /// A client of this server.
    pub(crate) fn client(&self) -> kube::Client {
        client_of(&self.server.uri())
    }

    /// The provider, allowed to scale `cato/cato-orchestrator` up to `cap`.
    pub(crate) fn workloads(&self, cap: u32) -> KubeWorkloads {
        KubeWorkloads::new(self.client()).with_workload("cato", "cato-orchestrator", cap)
    }

    /// The provider of recent deployments from the orchestrator's ReplicaSets.
    pub(crate) fn deployments(&self) -> KubeDeployments {
        KubeDeployments::new(self.client()).watching("cato", "cato-orchestrator")
    }

    /// The orchestrator's Deployment now.
    pub(crate) fn orchestrator(&self) -> Deployment {
        self.state.lock().unwrap().deployments[&("cato".to_owned(), "cato-orchestrator".to_owned())]
            .clone()
    }

    /// `(verb, path)` of every request so far, and the bodies of the writes.
    pub(crate) async fn requests(&self) -> Vec<(String, String, Option<Value>)> {
        self.server
            .received_requests()
            .await
            .unwrap_or_default()
            .into_iter()
            .map(|r| {
                let body = serde_json::from_slice(&r.body).ok();
                (r.method.to_string(), r.url.path().to_owned(), body)
            })
            .collect()
    }
}

/// A kube client of the server at `uri`, without kube's own retries (429/503/504 up to 15
/// times): the tests see each answer as it is.
pub(crate) fn client_of(uri: &str) -> kube::Client {
    let mut config = kube::Config::new(uri.parse().unwrap());
    config.default_retry = false;
    kube::Client::try_from(config).unwrap()
}

fn status(code: u16, reason: &str, message: String) -> ResponseTemplate {
    ResponseTemplate::new(code).set_body_json(json!({
        "kind": "Status",
        "apiVersion": "v1",
        "metadata": {},
        "status": "Failure",
        "message": message,
        "reason": reason,
        "details": {"group": "apps", "kind": "deployments"},
        "code": code,
    }))
}

fn scale_json(ns: &str, name: &str, d: &Deployment) -> Value {
    json!({
        "kind": "Scale",
        "apiVersion": "autoscaling/v1",
        "metadata": {
            "name": name,
            "namespace": ns,
            "uid": "0f6b2c3e-0000-4000-8000-000000000001",
            "resourceVersion": d.resource_version.to_string(),
            "creationTimestamp": "2026-01-05T10:00:00Z",
        },
        "spec": {"replicas": d.replicas},
        "status": {"replicas": d.ready, "selector": format!("app={name}")},
    })
}

fn deployment_json(ns: &str, name: &str, d: &Deployment) -> Value {
    let image = rollouts::current(d).map_or("", |rs| rs.image.as_str());
    json!({
        "kind": "Deployment",
        "apiVersion": "apps/v1",
        "metadata": {
            "name": name,
            "namespace": ns,
            "uid": rollouts::UID,
            "resourceVersion": d.resource_version.to_string(),
            "generation": 4,
            "annotations": d.annotations,
        },
        "spec": {
            "replicas": d.replicas,
            "selector": {"matchLabels": {"app": name}},
            "template": rollouts::template(name, image, false),
        },
        "status": {
            "observedGeneration": 4,
            "replicas": d.replicas.max(d.ready),
            "readyReplicas": d.ready,
            "availableReplicas": d.ready,
            "updatedReplicas": d.replicas,
        },
    })
}

struct Handler(Arc<Mutex<State>>);

impl Respond for Handler {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let mut guard = self.0.lock().unwrap();
        let state = &mut *guard;
        let path = request.url.path().to_owned();
        let parts: Vec<&str> = path.trim_start_matches('/').split('/').collect();
        if let Some(response) = leases::respond(state, request, &parts) {
            return response;
        }
        if let ["apis", "apps", "v1", "namespaces", ns, "replicasets"] = parts.as_slice() {
            if state.forbidden {
                return status(
                    403,
                    "Forbidden",
                    format!("replicasets.apps is forbidden in the namespace \"{ns}\""),
                );
            }
            if request.method.as_str() != "GET" {
                return status(
                    405,
                    "MethodNotAllowed",
                    "only a list of replicasets is expected".into(),
                );
            }
            return rollouts::list(state, request, ns);
        }
        let (ns, name, scale) = match parts.as_slice() {
            ["apis", "apps", "v1", "namespaces", ns, "deployments", name] => (*ns, *name, false),
            [
                "apis",
                "apps",
                "v1",
                "namespaces",
                ns,
                "deployments",
                name,
                "scale",
            ] => (*ns, *name, true),
            _ => return status(404, "NotFound", format!("the server could not find {path}")),
        };
        if state.forbidden {
            return status(
                403,
                "Forbidden",
                format!(
                    "deployments.apps \"{name}\" is forbidden: User \"system:serviceaccount:cato:runbook\" cannot get resource \"deployments\" in API group \"apps\" in the namespace \"{ns}\""
                ),
            );
        }
        let key = (ns.to_owned(), name.to_owned());
        let conflicts = state.conflicts;
        let Some(d) = state.deployments.get_mut(&key) else {
            return status(
                404,
                "NotFound",
                format!("deployments.apps \"{name}\" not found"),
            );
        };
        match (request.method.as_str(), scale) {
            ("GET", false) => {
                let body = deployment_json(ns, name, d);
                // The rollout: pods asked for become ready by the next look.
                d.ready = d.replicas;
                ResponseTemplate::new(200).set_body_json(body)
            }
            ("GET", true) => ResponseTemplate::new(200).set_body_json(scale_json(ns, name, d)),
            ("PUT", false) => {
                let Ok(body) = serde_json::from_slice::<Value>(&request.body) else {
                    return status(400, "BadRequest", "the body is not JSON".into());
                };
                if conflicts > 0 {
                    d.resource_version += 1; // someone else wrote first
                    state.conflicts -= 1;
                }
                let sent = body["metadata"]["resourceVersion"].as_str().unwrap_or("");
                if sent != d.resource_version.to_string() {
                    return status(
                        409,
                        "Conflict",
                        format!(
                            "Operation cannot be fulfilled on deployments.apps \"{name}\": the object has been modified; please apply your changes to the latest version and try again"
                        ),
                    );
                }
                if let Some(refused) = rollouts::put(d, ns, name, &body) {
                    return refused;
                }
                d.resource_version += 1;
                ResponseTemplate::new(200).set_body_json(deployment_json(ns, name, d))
            }
            ("PUT", true) => {
                let Ok(body) = serde_json::from_slice::<Value>(&request.body) else {
                    return status(400, "BadRequest", "the body is not JSON".into());
                };
                let well_formed = body["apiVersion"] == "autoscaling/v1"
                    && body["kind"] == "Scale"
                    && body["metadata"]["name"] == name;
                let Some(replicas) = body["spec"]["replicas"].as_i64().filter(|r| *r >= 0) else {
                    return status(422, "Invalid", "spec.replicas: Invalid value".into());
                };
                if !well_formed {
                    return status(400, "BadRequest", format!("not a Scale of {name}: {body}"));
                }
                if conflicts > 0 {
                    d.resource_version += 1; // someone else wrote first
                }
                let sent = body["metadata"]["resourceVersion"].as_str().unwrap_or("");
                if sent != d.resource_version.to_string() {
                    let message = format!(
                        "Operation cannot be fulfilled on deployments.apps \"{name}\": the object has been modified; please apply your changes to the latest version and try again"
                    );
                    if conflicts > 0 {
                        state.conflicts -= 1;
                    }
                    return status(409, "Conflict", message);
                }
                d.replicas = i32::try_from(replicas).unwrap();
                d.resource_version += 1;
                ResponseTemplate::new(200).set_body_json(scale_json(ns, name, d))
            }
            (verb, _) => status(
                405,
                "MethodNotAllowed",
                format!("{verb} is not what this provider should send"),
            ),
        }
    }
}
