//! The lease fake: one leader lease shared by every replica of a world, on its virtual clock.

use std::fmt;
use std::time::Duration;

use async_trait::async_trait;
use cato_runbook_core::ports::{Fence, Leadership, Lease};
use cato_runbook_core::time;
use cato_runbook_core::{Error, Result};
use serde_json::json;

use crate::ops::Op;
use crate::world::{LeaseRecord, Reply, World};

const PROVIDER: &str = "fake-lease";

/// One replica's handle on the world's leader lease (a Kubernetes `Lease` or a DynamoDB item in
/// production): taken when nobody holds it or its holder let it lapse on the virtual clock,
/// with a fence one greater than the last; renewed, with the same fence, by its holder.
///
/// ```
/// use std::time::Duration;
/// use cato_runbook_core::ports::{Clock, Fence, Lease, Leadership};
/// use cato_runbook_mock::World;
///
/// # tokio::runtime::Builder::new_current_thread().enable_time().start_paused(true).build().unwrap().block_on(async {
/// let world = World::default();
/// let (a, b) = (world.lease("replica-a"), world.lease("replica-b"));
/// let ttl = Duration::from_secs(30);
/// assert_eq!(a.acquire(ttl).await?.fence(), Fence(1));
/// assert!(!b.acquire(ttl).await?.leads());
/// world.clock().sleep(ttl).await;
/// let taken = b.acquire(ttl).await?;
/// assert!(taken.leads());
/// assert_eq!(taken.fence(), Fence(2));
/// # Ok::<(), cato_runbook_core::Error>(())
/// # }).unwrap();
/// ```
#[derive(Debug, Clone)]
pub struct FakeLease {
    world: World,
    replica: String,
}

impl FakeLease {
    /// Replica `replica` of `world`.
    pub fn new(world: &World, replica: impl Into<String>) -> Self {
        FakeLease {
            world: world.clone(),
            replica: replica.into(),
        }
    }
}

impl World {
    /// The leader lease as replica `replica`: every replica of the world shares it.
    pub fn lease(&self, replica: &str) -> FakeLease {
        FakeLease::new(self, replica)
    }
}

impl fmt::Display for FakeLease {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "fake lease ({})", self.replica)
    }
}

#[async_trait]
impl Lease for FakeLease {
    fn replica(&self) -> &str {
        &self.replica
    }

    async fn acquire(&self, ttl: Duration) -> Result<Leadership> {
        let op = Op::LeaseAcquire;
        let args = json!({ "replica": self.replica, "ttl_ms": ttl.as_millis() as u64 });
        self.world
            .call(op, PROVIDER, args, None, |sim, now| {
                if ttl.is_zero() {
                    return Err(Error::invalid_input(
                        op.as_str(),
                        "a lease needs a positive ttl",
                    ));
                }
                let expires = time::add(now, ttl);
                let record = &mut sim.records.lease;
                let answer = match record {
                    Some(lease) if lease.holder.as_deref() == Some(self.replica.as_str()) => {
                        lease.expires = expires;
                        Leadership::Leader {
                            fence: lease.fence,
                            expires,
                        }
                    }
                    Some(lease) if lease.holder.is_some() && lease.expires > now => {
                        Leadership::Follower {
                            holder: lease.holder.clone().unwrap_or_default(),
                            fence: lease.fence,
                            expires: lease.expires,
                        }
                    }
                    _ => {
                        let fence = Fence(record.as_ref().map_or(0, |l| l.fence.0) + 1);
                        *record = Some(LeaseRecord {
                            holder: Some(self.replica.clone()),
                            fence,
                            expires,
                        });
                        Leadership::Leader { fence, expires }
                    }
                };
                Ok(Reply::new(answer))
            })
            .await
    }

    async fn release(&self) -> Result<()> {
        let op = Op::LeaseRelease;
        let args = json!({ "replica": self.replica });
        self.world
            .call(op, PROVIDER, args, None, |sim, _| {
                if let Some(lease) = sim.records.lease.as_mut()
                    && lease.holder.as_deref() == Some(self.replica.as_str())
                {
                    lease.holder = None;
                }
                Ok(Reply::new(()))
            })
            .await
    }
}
