//! The lease port: which of the orchestrator's replicas leads, and the fencing token that
//! proves it.
//!
//! Only the leader ticks. Every incident write carries its [`Fence`], and the store refuses a
//! write whose fence is older than one it has seen, so a leader that lost its lease (a long GC
//! pause, a partition) can neither overwrite the new leader's records nor start a step: the
//! write-ahead record of the step is refused before the call goes out. Why a lease alone is not
//! enough: Martin Kleppmann, "How to do distributed locking" (2016).

use std::fmt;
use std::time::Duration;

use async_trait::async_trait;
use serde::{Deserialize, Serialize};

use crate::error::Result;
use crate::time::Timestamp;

/// A fencing token: a number that grows with every new holder of the lease.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize,
)]
#[serde(transparent)]
pub struct Fence(pub u64);

impl fmt::Display for Fence {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "fence {}", self.0)
    }
}

/// What a replica learnt from the lease.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "role", rename_all = "snake_case")]
pub enum Leadership {
    /// This replica holds the lease until `expires`, with `fence`.
    Leader {
        /// This holder's token.
        fence: Fence,
        /// When the lease lapses unless renewed, on the clock port.
        expires: Timestamp,
    },
    /// Another replica holds it until `expires` (or nobody does, and it lapsed).
    Follower {
        /// The holder's name.
        holder: String,
        /// The holder's token: writes a follower makes on behalf of people (an approval, a
        /// note) carry it, under compare-and-swap.
        fence: Fence,
        /// When its lease lapses unless renewed.
        expires: Timestamp,
    },
}

impl Leadership {
    /// The current holder's fence.
    pub fn fence(&self) -> Fence {
        match self {
            Leadership::Leader { fence, .. } | Leadership::Follower { fence, .. } => *fence,
        }
    }

    /// Whether this replica leads.
    pub fn leads(&self) -> bool {
        matches!(self, Leadership::Leader { .. })
    }

    /// When the lease lapses unless renewed.
    pub fn expires(&self) -> Timestamp {
        match self {
            Leadership::Leader { expires, .. } | Leadership::Follower { expires, .. } => *expires,
        }
    }
}

/// One lease shared by every replica (a Kubernetes `Lease`, a DynamoDB item).
///
/// Implementations take their time from the [`Clock`](super::Clock) port, so a simulation
/// drives failover in virtual time.
#[async_trait]
pub trait Lease: fmt::Debug + fmt::Display + Send + Sync {
    /// This replica's name (the lease's holder identity).
    fn replica(&self) -> &str;

    /// Takes the lease when nobody holds it or its holder let it lapse (a new, greater
    /// fence), or renews it when this replica holds it (the same fence). `ttl` is how long it
    /// lasts from now unless renewed.
    async fn acquire(&self, ttl: Duration) -> Result<Leadership>;

    /// Gives the lease up, if this replica holds it, so a standby takes over at once.
    async fn release(&self) -> Result<()>;
}

/// An engine that runs alone: one process owns its store and nobody else acts. Always the
/// leader, with fence 0 — older than any real lease's, so a store another engine leads with a
/// lease refuses this one's writes.
#[derive(Debug, Clone)]
pub struct Alone {
    replica: String,
}

impl Alone {
    /// Alone, named `replica`.
    pub fn new(replica: impl Into<String>) -> Self {
        Alone {
            replica: replica.into(),
        }
    }
}

impl Default for Alone {
    fn default() -> Self {
        Alone::new("alone")
    }
}

impl fmt::Display for Alone {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "alone ({})", self.replica)
    }
}

#[async_trait]
impl Lease for Alone {
    fn replica(&self) -> &str {
        &self.replica
    }

    async fn acquire(&self, _ttl: Duration) -> Result<Leadership> {
        Ok(Leadership::Leader {
            fence: Fence(0),
            expires: Timestamp::MAX_UTC,
        })
    }

    async fn release(&self) -> Result<()> {
        Ok(())
    }
}
