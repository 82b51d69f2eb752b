//! The coordination fake: leases shared by every replica of a world.

use std::fmt;
use std::time::Duration;

use async_trait::async_trait;
use cato_runbook_core::ports::{Claim, Coordination};
use cato_runbook_core::time;
use cato_runbook_core::{Error, IdempotencyKey, Result};
use serde_json::json;

use crate::ops::Op;
use crate::world::{Lease, Reply, World};

const PROVIDER: &str = "fake-coordination";

/// One replica's view of the world's leases (a Kubernetes Lease or a DynamoDB lock in
/// production): a claim is granted when nobody holds the key or the holder's lease expired on
/// the virtual clock.
///
/// ```
/// use std::time::Duration;
/// use cato_runbook_core::ports::{Claim, Clock, Coordination};
/// use cato_runbook_core::IdempotencyKey;
/// use cato_runbook_mock::World;
///
/// # tokio::runtime::Builder::new_current_thread().enable_time().start_paused(true).build().unwrap().block_on(async {
/// let world = World::default();
/// let (a, b) = (world.coordination("replica-a"), world.coordination("replica-b"));
/// let key = IdempotencyKey::new("INC-1:restart-endpoint");
/// let ttl = Duration::from_secs(30);
/// assert_eq!(a.claim(&key, ttl).await?, Claim::Granted);
/// assert_eq!(b.claim(&key, ttl).await?, Claim::HeldBy("replica-a".into()));
/// world.clock().sleep(ttl).await;
/// assert_eq!(b.claim(&key, ttl).await?, Claim::Granted);
/// # Ok::<(), cato_runbook_core::Error>(())
/// # }).unwrap();
/// ```
#[derive(Debug, Clone)]
pub struct FakeCoordination {
    world: World,
    replica: String,
}

impl FakeCoordination {
    /// Replica `replica` of `world`.
    pub fn new(world: &World, replica: impl Into<String>) -> Self {
        FakeCoordination {
            world: world.clone(),
            replica: replica.into(),
        }
    }
}

impl World {
    /// Coordination as replica `replica`: every replica of the world shares the same leases.
    pub fn coordination(&self, replica: &str) -> FakeCoordination {
        FakeCoordination::new(self, replica)
    }
}

impl fmt::Display for FakeCoordination {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "fake coordination ({})", self.replica)
    }
}

#[async_trait]
impl Coordination for FakeCoordination {
    fn replica(&self) -> &str {
        &self.replica
    }

    async fn claim(&self, key: &IdempotencyKey, ttl: Duration) -> Result<Claim> {
        let op = Op::CoordinationClaim;
        let args = json!({ "replica": self.replica, "ttl_ms": ttl.as_millis() as u64 });
        self.world
            .call(op, PROVIDER, args, Some(key), |sim, now| {
                if ttl.is_zero() {
                    return Err(Error::invalid_input(
                        op.as_str(),
                        "a claim needs a positive ttl",
                    ));
                }
                let leases = &mut sim.records.leases;
                match leases.get(key) {
                    Some(lease) if lease.expires > now && lease.holder != self.replica => {
                        Ok(Reply::new(Claim::HeldBy(lease.holder.clone())))
                    }
                    _ => {
                        leases.insert(
                            key.clone(),
                            Lease {
                                holder: self.replica.clone(),
                                expires: time::add(now, ttl),
                            },
                        );
                        Ok(Reply::new(Claim::Granted))
                    }
                }
            })
            .await
    }

    async fn release(&self, key: &IdempotencyKey) -> Result<()> {
        let op = Op::CoordinationRelease;
        let args = json!({ "replica": self.replica });
        self.world
            .call(op, PROVIDER, args, Some(key), |sim, _| {
                if sim
                    .records
                    .leases
                    .get(key)
                    .is_some_and(|l| l.holder == self.replica)
                {
                    sim.records.leases.remove(key);
                }
                Ok(Reply::new(()))
            })
            .await
    }
}
