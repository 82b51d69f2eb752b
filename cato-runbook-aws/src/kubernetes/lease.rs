//! A Kubernetes `Lease` (`coordination.k8s.io/v1`) as the [`Lease`] port, taken and renewed as
//! client-go's leader election does: the requests, the rules and the error table are in the
//! [parent module's documentation](super).

mod term;

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use cato_runbook_core::call;
use cato_runbook_core::ports::{Clock, Fence, Leadership, Lease, SystemClock};
use cato_runbook_core::time::HumanDuration;
use cato_runbook_core::{Error, ErrorKind, Result, Timestamp};
use k8s_openapi::api::coordination::v1::{Lease as LeaseObject, LeaseSpec};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use kube::Api;
use kube::api::PostParams;

use super::{PROVIDER, error};

/// Reads and writes of one `acquire`: the first, and one more after a lost race.
const WRITE_TRIES: u32 = 2;

/// The [`Lease`] port on one Kubernetes `Lease` object, as one replica.
///
/// Every replica names the same `namespace/name` and its own, unique `replica` (the pod's
/// name): two processes with one name would both think they lead.
///
/// # Examples
///
/// ```no_run
/// use cato_runbook_aws::kubernetes::KubeLease;
///
/// # async fn wire() -> Result<(), kube::Error> {
/// let client = kube::Client::try_default().await?; // kubeconfig or in-cluster
/// let lease = KubeLease::new(client, "cato", "cato-orchestrator", "cato-orchestrator-7d9f-x2k4");
/// assert_eq!(
///     lease.to_string(),
///     "kubernetes lease cato/cato-orchestrator (cato-orchestrator-7d9f-x2k4)"
/// );
/// # Ok(())
/// # }
/// ```
#[derive(Clone)]
pub struct KubeLease {
    api: Api<LeaseObject>,
    namespace: String,
    name: String,
    resource: String,
    replica: String,
    timeout: Duration,
    clock: Arc<dyn Clock>,
}

/// What an `acquire` found, and what it writes.
enum Next {
    /// Another replica holds the lease and it is live: nothing to write.
    Follow(Leadership),
    /// Write `object` (create it when `create`); on success this replica holds `leadership`.
    Write {
        object: Box<LeaseObject>,
        create: bool,
        leadership: Leadership,
        change: Change,
    },
}

/// How this replica comes to hold the lease.
enum Change {
    Created,
    Renewed,
    /// From the previous holder (`None`: nobody).
    Took(Option<String>),
}

impl KubeLease {
    /// The lease `namespace/name`, as `replica`, through `client`.
    pub fn new(
        client: kube::Client,
        namespace: impl Into<String>,
        name: impl Into<String>,
        replica: impl Into<String>,
    ) -> Self {
        let (namespace, name) = (namespace.into(), name.into());
        KubeLease {
            api: Api::namespaced(client, &namespace),
            resource: format!("{namespace}/{name}"),
            namespace,
            name,
            replica: replica.into(),
            timeout: Duration::from_secs(10),
            clock: Arc::new(SystemClock),
        }
    }

    /// Sets the clock the lease's times and the timeout run on (the system clock by default).
    ///
    /// A lease lapses at `renewTime + leaseDurationSeconds` on the reader's clock, so the
    /// replicas' clocks must agree to well within the ttl (client-go times a lease from when it
    /// saw it change instead; a simulation needs the stored times).
    pub fn with_clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self
    }

    /// Sets the timeout of one call (an `acquire`'s reads and writes are one call; 10 s by
    /// default). Keep it well under the ttl.
    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    async fn bounded<T>(
        &self,
        operation: &'static str,
        call: impl Future<Output = Result<T>>,
    ) -> Result<T> {
        call::within(self.clock.as_ref(), self.timeout, call)
            .await
            .ok_or_else(|| error::timeout(operation, &self.resource, self.timeout))?
    }

    /// The lease, or `None` when there is none.
    async fn read(&self, operation: &'static str) -> Result<Option<LeaseObject>> {
        match self.api.get(&self.name).await {
            Ok(lease) => Ok(Some(lease)),
            Err(e) => {
                let err = error::map(operation, &self.resource, e);
                if err.kind() == ErrorKind::NotFound {
                    Ok(None)
                } else {
                    Err(err)
                }
            }
        }
    }

    async fn write(
        &self,
        operation: &'static str,
        object: &LeaseObject,
        create: bool,
    ) -> Result<()> {
        let params = PostParams::default();
        let written = if create {
            self.api.create(&params, object).await
        } else {
            self.api.replace(&self.name, &params, object).await
        };
        written
            .map(drop)
            .map_err(|e| error::map(operation, &self.resource, e))
    }

    /// What to do with `current` at `now` for a lease of `seconds`.
    fn decide(
        &self,
        operation: &'static str,
        current: Option<LeaseObject>,
        now: Timestamp,
        seconds: i32,
    ) -> Result<Next> {
        let stamp = term::micro_time(operation, now)?;
        let until = term::after(now, seconds);
        let Some(mut object) = current else {
            let object = LeaseObject {
                metadata: ObjectMeta {
                    name: Some(self.name.clone()),
                    namespace: Some(self.namespace.clone()),
                    ..ObjectMeta::default()
                },
                spec: Some(LeaseSpec {
                    holder_identity: Some(self.replica.clone()),
                    lease_duration_seconds: Some(seconds),
                    acquire_time: Some(stamp.clone()),
                    renew_time: Some(stamp),
                    lease_transitions: Some(1),
                    ..LeaseSpec::default()
                }),
            };
            return Ok(Next::Write {
                object: Box::new(object),
                create: true,
                leadership: Leadership::Leader {
                    fence: Fence(1),
                    expires: until,
                },
                change: Change::Created,
            });
        };
        let mut spec = object.spec.take().unwrap_or_default();
        let transitions = term::transitions(&spec);
        let holder = term::holder(&spec).map(str::to_owned);
        let (fence, change) = match (holder, term::expiry(&spec)) {
            (Some(holder), _) if holder == self.replica => (transitions, Change::Renewed),
            (Some(holder), Some(expires)) if now < expires => {
                return Ok(Next::Follow(Leadership::Follower {
                    holder,
                    fence: term::fence_of(transitions),
                    expires,
                }));
            }
            (previous, _) => {
                let next = transitions.checked_add(1).ok_or_else(|| {
                    Error::new(
                        ErrorKind::Internal,
                        operation,
                        "leaseTransitions is at its largest: there is no greater fence to take",
                    )
                    .with_provider(PROVIDER)
                    .with_resource(self.resource.clone())
                })?;
                spec.holder_identity = Some(self.replica.clone());
                spec.acquire_time = Some(stamp.clone());
                spec.lease_transitions = Some(next);
                (next, Change::Took(previous))
            }
        };
        spec.renew_time = Some(stamp);
        spec.lease_duration_seconds = Some(seconds);
        object.spec = Some(spec);
        Ok(Next::Write {
            object: Box::new(object),
            create: false,
            leadership: Leadership::Leader {
                fence: term::fence_of(fence),
                expires: until,
            },
            change,
        })
    }
}

#[async_trait]
impl Lease for KubeLease {
    fn replica(&self) -> &str {
        &self.replica
    }

    async fn acquire(&self, ttl: Duration) -> Result<Leadership> {
        const OP: &str = "leases.acquire";
        let seconds = term::lease_seconds(ttl).ok_or_else(|| {
            Error::invalid_input(
                OP,
                format!(
                    "a lease lasts from 1 s to {} s, not {}",
                    i32::MAX,
                    HumanDuration(ttl)
                ),
            )
            .with_provider(PROVIDER)
            .with_resource(self.resource.clone())
        })?;
        self.bounded(OP, async {
            let mut tries = 0;
            loop {
                tries += 1;
                let current = self.read(OP).await?;
                let now = term::to_micros(self.clock.now());
                let (object, create, leadership, change) =
                    match self.decide(OP, current, now, seconds)? {
                        Next::Follow(leadership) => {
                            tracing::debug!(provider = PROVIDER, lease = %self.resource, replica = %self.replica, ?leadership, "another replica holds the lease");
                            return Ok(leadership);
                        }
                        Next::Write {
                            object,
                            create,
                            leadership,
                            change,
                        } => (object, create, leadership, change),
                    };
                match self.write(OP, &object, create).await {
                    Ok(()) => {
                        let fence = leadership.fence().0;
                        match change {
                            Change::Renewed => tracing::debug!(provider = PROVIDER, lease = %self.resource, replica = %self.replica, fence, "renewed the lease"),
                            Change::Created => tracing::info!(provider = PROVIDER, lease = %self.resource, replica = %self.replica, fence, "created the lease and leads"),
                            Change::Took(from) => tracing::info!(provider = PROVIDER, lease = %self.resource, replica = %self.replica, fence, from = from.as_deref().unwrap_or("nobody"), "took the lease and leads"),
                        }
                        return Ok(leadership);
                    }
                    Err(e) if e.kind() == ErrorKind::Conflict && tries < WRITE_TRIES => {
                        tracing::info!(provider = PROVIDER, lease = %self.resource, replica = %self.replica, "another replica wrote the lease first; reading it again");
                    }
                    Err(e) => return Err(e),
                }
            }
        })
        .await
    }

    async fn release(&self) -> Result<()> {
        const OP: &str = "leases.release";
        self.bounded(OP, async {
            let Some(mut object) = self.read(OP).await? else {
                return Ok(());
            };
            let mut spec = object.spec.take().unwrap_or_default();
            if term::holder(&spec) != Some(self.replica.as_str()) {
                tracing::debug!(provider = PROVIDER, lease = %self.resource, replica = %self.replica, "not the holder: nothing to release");
                return Ok(());
            }
            spec.holder_identity = None;
            object.spec = Some(spec);
            match self.write(OP, &object, false).await {
                Ok(()) => {
                    tracing::info!(provider = PROVIDER, lease = %self.resource, replica = %self.replica, "released the lease");
                    Ok(())
                }
                Err(e) if e.kind() == ErrorKind::Conflict => {
                    tracing::info!(provider = PROVIDER, lease = %self.resource, replica = %self.replica, "the lease changed before the release: another replica has it");
                    Ok(())
                }
                Err(e) => Err(e),
            }
        })
        .await
    }
}

impl fmt::Display for KubeLease {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{PROVIDER} lease {} ({})", self.resource, self.replica)
    }
}

impl fmt::Debug for KubeLease {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("KubeLease")
            .field("lease", &self.resource)
            .field("replica", &self.replica)
            .field("timeout", &self.timeout)
            .finish_non_exhaustive()
    }
}
