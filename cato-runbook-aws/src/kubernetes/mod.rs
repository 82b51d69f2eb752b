//! Kubernetes: Deployments as the [`Workloads`] port ([`KubeWorkloads`]), their ReplicaSets as
//! the [`Deployments`](cato_runbook_core::ports::Deployments) port ([`KubeDeployments`]), and a
//! `Lease` as the [`Lease`](cato_runbook_core::ports::Lease) port ([`KubeLease`]).
//!
//! # Workloads
//!
//! Replicas read from the Deployment, scaled through its `scale` subresource with optimistic
//! concurrency, within a cap per workload.
//!
//! | call | request |
//! | --- | --- |
//! | `get` | `GET /apis/apps/v1/namespaces/{ns}/deployments/{name}` (`spec.replicas`, `status.readyReplicas`) |
//! | `scale`, read | `GET /apis/apps/v1/namespaces/{ns}/deployments/{name}/scale` |
//! | `scale`, write | `PUT /apis/apps/v1/namespaces/{ns}/deployments/{name}/scale` with the `autoscaling/v1` `Scale` read, its `metadata.resourceVersion` kept and `spec.replicas` set |
//! | `revisions` | the `GET` of `get`, then `GET /apis/apps/v1/namespaces/{ns}/replicasets?labelSelector=…` (the Deployment's `matchLabels`), those it controls (`ownerReferences`) |
//! | `roll_back` | the reads of `revisions`, then `PUT /apis/apps/v1/namespaces/{ns}/deployments/{name}` with the Deployment read (its `resourceVersion` kept), its `spec.template` the revision's ReplicaSet's without the `pod-template-hash` label, and the annotation `cato.thinktank.ai/rollback-key` = the idempotency key |
//!
//! A revision is a ReplicaSet: its number (`deployment.kubernetes.io/revision`), template hash
//! (`pod-template-hash`), `kubernetes.io/change-cause`, author (`cato.thinktank.ai/author`),
//! images and creation time. A rollback to the current template writes nothing; one whose key the
//! Deployment already carries is a repeat and writes nothing (the revision rolled back to has a
//! new number by then). It is a `PUT`, not the patch `kubectl` sends: see the rollout module's
//! note — a 409 is a transient `Conflict`, read again and decided again by the step, never
//! retried here. RBAC: `get`, `list` on `replicasets`, `get`, `update` on `deployments` (and
//! `get`, `update` on `deployments/scale` to scale).
//!
//! A scale to the replicas already asked for writes nothing (a repeat with the same
//! idempotency key is harmless). A 409 (the Deployment changed between read and write) reads
//! again and retries, a few times, then fails as a transient `Conflict`. Only the workloads
//! configured with [`KubeWorkloads::with_workload`] may be scaled, and never above their cap
//! (`Refused`). 404 is `NotFound`, 401/403 `PermissionDenied`, 5xx and connection failures
//! `Unavailable`, 429 `Throttled`.
//!
//! Every call is bounded by [`KubeWorkloads::with_timeout`]. A `kube::Client` retries 429, 503
//! and 504 by itself (up to 15 times, `kube::Config::default_retry`): within the timeout that
//! is fine, but a host whose engine retries on its own may turn it off.
//!
//! # The lease
//!
//! One `Lease` object (`coordination.k8s.io/v1`) shared by every replica of the orchestrator,
//! taken and renewed as client-go's leader election does.
//!
//! | call | requests |
//! | --- | --- |
//! | `acquire` | `GET /apis/coordination.k8s.io/v1/namespaces/{ns}/leases/{name}`, then `PUT` of the same path with the `resourceVersion` read (or, on a 404, `POST …/namespaces/{ns}/leases`) |
//! | `release` | the same `GET`, then a `PUT` with `holderIdentity` cleared, only when this replica holds it |
//!
//! The object's `spec` says everything: `holderIdentity` (this replica's name),
//! `leaseDurationSeconds` (the ttl, rounded up to whole seconds), `renewTime` and `acquireTime`
//! (microseconds, from the [`Clock`] port given to [`KubeLease::with_clock`], never the host's
//! clock) and `leaseTransitions`, which is the [`Fence`](cato_runbook_core::ports::Fence): a
//! replica that takes the lease from another (or from nobody) adds one.
//!
//! - **held by this replica**: renewed (`renewTime` = now), same fence — even if it lapsed,
//!   since nobody else took it in between;
//! - **held by another, live** (`renewTime + leaseDurationSeconds > now`): nothing is written,
//!   the answer is [`Leadership::Follower`](cato_runbook_core::ports::Leadership::Follower)
//!   with the holder's name, fence and expiry;
//! - **free or lapsed** (no holder, no `renewTime` or no `leaseDurationSeconds` count as free):
//!   taken, fence + 1;
//! - **missing**: created, fence 1.
//!
//! Every write carries the `resourceVersion` read, so of two replicas that read the same lease
//! only one write lands; the other gets 409 (`Conflict`, or `AlreadyExists` on a create), reads
//! the lease again once and decides again — it finds the winner and follows it. Two lost races
//! in a row fail as a transient `Conflict` (the next tick tries again). Every call is bounded
//! by [`KubeLease::with_timeout`], reads and writes together.
//!
//! | failure | kind | retry |
//! | --- | --- | --- |
//! | a ttl under 1 s or over `i32::MAX` s | `InvalidInput` | permanent |
//! | another replica wrote between read and write, twice in a row | `Conflict` | transient |
//! | 404 on the create (no such namespace) | `NotFound` | permanent |
//! | 401, 403 (RBAC: `get`, `create`, `update` on `leases` in `coordination.k8s.io`) | `PermissionDenied` | permanent |
//! | 429 | `Throttled` | throttled |
//! | 5xx, connection refused or reset | `Unavailable` | transient |
//! | no answer within the timeout | `Timeout` | transient |
//! | a body that is not a `Lease` | `MalformedResponse` | permanent |
//! | `leaseTransitions` at `i32::MAX` (no greater fence to take) | `Internal` | permanent |
//!
//! A 409 on `release` is not an error: someone else wrote the lease, so it is not ours to give
//! up any more. Do not delete the Lease object while replicas run: a new one starts its
//! transitions at 1 again, below the fence the incident store has seen, and the store refuses
//! the new leader's writes (`Fenced`) until an operator sets `leaseTransitions` above it.

mod deployments;
mod error;
mod lease;
mod rollout;

use std::collections::BTreeMap;
use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use cato_runbook_core::call;
use cato_runbook_core::ports::{Clock, SystemClock};
use cato_runbook_core::ports::{Revision, WorkloadState, Workloads};
use cato_runbook_core::{Error, ErrorKind, IdempotencyKey, Result};
use k8s_openapi::api::apps::v1::Deployment;
use k8s_openapi::api::autoscaling::v1::{Scale, ScaleSpec};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use kube::Api;
use kube::api::PostParams;

pub use deployments::KubeDeployments;
pub use lease::KubeLease;

const PROVIDER: &str = "kubernetes";
const CONFLICT_TRIES: u32 = 3;

/// A Deployment this provider may scale, and its cap.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Scalable {
    max_replicas: u32,
}

/// Kubernetes Deployments through a [`kube::Client`].
///
/// # Examples
///
/// ```no_run
/// use cato_runbook_aws::kubernetes::KubeWorkloads;
///
/// # async fn wire() -> Result<(), kube::Error> {
/// let client = kube::Client::try_default().await?; // kubeconfig or in-cluster
/// let workloads = KubeWorkloads::new(client).with_workload("cato", "cato-orchestrator", 50);
/// assert_eq!(workloads.to_string(), "kubernetes (cato/cato-orchestrator ≤ 50)");
/// # Ok(())
/// # }
/// ```
#[derive(Clone)]
pub struct KubeWorkloads {
    client: kube::Client,
    scalable: BTreeMap<(String, String), Scalable>,
    timeout: Duration,
    clock: Arc<dyn Clock>,
}

impl KubeWorkloads {
    /// Reads any Deployment `client` can see; scales none until
    /// [`with_workload`](Self::with_workload).
    pub fn new(client: kube::Client) -> Self {
        KubeWorkloads {
            client,
            scalable: BTreeMap::new(),
            timeout: Duration::from_secs(10),
            clock: Arc::new(SystemClock),
        }
    }

    /// Sets the clock the timeout runs on (the system clock by default).
    pub fn with_clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self
    }

    /// Allows scaling the Deployment `namespace/name` up to `max_replicas`.
    pub fn with_workload(
        mut self,
        namespace: impl Into<String>,
        name: impl Into<String>,
        max_replicas: u32,
    ) -> Self {
        self.scalable
            .insert((namespace.into(), name.into()), Scalable { max_replicas });
        self
    }

    /// Sets the timeout of one call (a scale's read and write are one call; 10 s by default).
    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    async fn bounded<T>(
        &self,
        operation: &'static str,
        resource: &str,
        call: impl Future<Output = Result<T>>,
    ) -> Result<T> {
        call::within(self.clock.as_ref(), self.timeout, call)
            .await
            .ok_or_else(|| error::timeout(operation, resource, self.timeout))?
    }

    async fn scale_once(
        &self,
        api: &Api<Deployment>,
        resource: &str,
        name: &str,
        replicas: i32,
    ) -> Result<Option<i32>> {
        const OP: &str = "deployments.scale";
        let current = api
            .get_scale(name)
            .await
            .map_err(|e| error::map(OP, resource, e))?;
        let from = current.spec.as_ref().and_then(|s| s.replicas).unwrap_or(0);
        if from == replicas {
            return Ok(None);
        }
        let desired = Scale {
            metadata: ObjectMeta {
                name: current.metadata.name.clone(),
                namespace: current.metadata.namespace.clone(),
                resource_version: current.metadata.resource_version.clone(),
                ..ObjectMeta::default()
            },
            spec: Some(ScaleSpec {
                replicas: Some(replicas),
            }),
            status: None,
        };
        api.replace_scale(name, &PostParams::default(), &desired)
            .await
            .map_err(|e| error::map(OP, resource, e))?;
        Ok(Some(from))
    }
}

fn count(value: Option<i32>) -> u32 {
    value.and_then(|v| u32::try_from(v).ok()).unwrap_or(0)
}

#[async_trait]
impl Workloads for KubeWorkloads {
    async fn get(&self, namespace: &str, name: &str) -> Result<WorkloadState> {
        const OP: &str = "deployments.get";
        let resource = format!("{namespace}/{name}");
        let api: Api<Deployment> = Api::namespaced(self.client.clone(), namespace);
        let deployment = self
            .bounded(OP, &resource, async {
                api.get(name)
                    .await
                    .map_err(|e| error::map(OP, &resource, e))
            })
            .await?;
        Ok(WorkloadState {
            namespace: namespace.to_owned(),
            name: name.to_owned(),
            // A Deployment without spec.replicas runs one (the API server's default).
            desired_replicas: count(deployment.spec.replicas.or(Some(1))),
            ready_replicas: count(deployment.status.as_ref().and_then(|s| s.ready_replicas)),
        })
    }

    async fn scale(
        &self,
        namespace: &str,
        name: &str,
        replicas: u32,
        key: &IdempotencyKey,
    ) -> Result<()> {
        const OP: &str = "deployments.scale";
        let resource = format!("{namespace}/{name}");
        let refused = |message: String| {
            Error::new(ErrorKind::Refused, OP, message)
                .with_provider(PROVIDER)
                .with_resource(resource.clone())
        };
        let Some(scalable) = self.scalable.get(&(namespace.to_owned(), name.to_owned())) else {
            return Err(refused(format!(
                "{resource} is not a workload this provider is configured to scale"
            )));
        };
        if replicas > scalable.max_replicas {
            return Err(refused(format!(
                "{replicas} replicas is above the cap of {}",
                scalable.max_replicas
            )));
        }
        let replicas_i32 = i32::try_from(replicas).map_err(|_| {
            Error::invalid_input(OP, format!("{replicas} replicas is too many"))
                .with_provider(PROVIDER)
                .with_resource(resource.clone())
        })?;
        let api: Api<Deployment> = Api::namespaced(self.client.clone(), namespace);
        self.bounded(OP, &resource, async {
            let mut tries = 0;
            loop {
                tries += 1;
                match self.scale_once(&api, &resource, name, replicas_i32).await {
                    Ok(None) => {
                        tracing::info!(provider = PROVIDER, workload = %resource, replicas, key = %key, "already at the asked replicas");
                        return Ok(());
                    }
                    Ok(Some(from)) => {
                        tracing::info!(provider = PROVIDER, workload = %resource, from, to = replicas, key = %key, "scaled");
                        return Ok(());
                    }
                    Err(e) if e.kind() == ErrorKind::Conflict && tries < CONFLICT_TRIES => {
                        tracing::info!(provider = PROVIDER, workload = %resource, tries, "the Deployment changed under us; reading it again");
                    }
                    Err(e) => return Err(e),
                }
            }
        })
        .await
    }

    async fn revisions(&self, namespace: &str, name: &str) -> Result<Vec<Revision>> {
        const OP: &str = "deployments.revisions";
        let resource = format!("{namespace}/{name}");
        let api: Api<Deployment> = Api::namespaced(self.client.clone(), namespace);
        self.bounded(OP, &resource, async {
            let deployment = api
                .get(name)
                .await
                .map_err(|e| error::map(OP, &resource, e))?;
            let sets = rollout::replica_sets(&self.client, OP, &resource, &deployment).await?;
            Ok(rollout::revisions(&sets))
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
        const OP: &str = "deployments.rollback";
        let resource = format!("{namespace}/{name}");
        if !self
            .scalable
            .contains_key(&(namespace.to_owned(), name.to_owned()))
        {
            return Err(Error::new(
                ErrorKind::Refused,
                OP,
                format!("{resource} is not a workload this provider is configured to change"),
            )
            .with_provider(PROVIDER)
            .with_resource(resource));
        }
        let done = self
            .bounded(
                OP,
                &resource,
                rollout::roll_back(&self.client, &resource, namespace, name, to_revision, key),
            )
            .await?;
        let what = match done {
            rollout::RolledBack::Repeat => "already rolled back with this key",
            rollout::RolledBack::AlreadyCurrent => "the revision's template is current already",
            rollout::RolledBack::Replaced => "pod template replaced",
        };
        tracing::info!(provider = PROVIDER, workload = %resource, to_revision, key = %key, "{what}");
        Ok(())
    }
}

impl fmt::Display for KubeWorkloads {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let scalable: Vec<String> = self
            .scalable
            .iter()
            .map(|((ns, name), s)| format!("{ns}/{name} ≤ {}", s.max_replicas))
            .collect();
        write!(f, "{PROVIDER} ({})", scalable.join(", "))
    }
}

impl fmt::Debug for KubeWorkloads {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("KubeWorkloads")
            .field("scalable", &self.scalable)
            .field("timeout", &self.timeout)
            .finish_non_exhaustive()
    }
}
