//! The coordination port: "may this replica act on this incident step?"

use std::fmt;
use std::time::Duration;

use async_trait::async_trait;
use serde::{Deserialize, Serialize};

use crate::error::Result;
use crate::incident::IdempotencyKey;

/// The answer to a claim.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "claim", content = "holder", rename_all = "snake_case")]
pub enum Claim {
    /// This replica may act.
    Granted,
    /// Another replica holds the claim.
    HeldBy(String),
}

/// Decides which of the orchestrator's replicas acts on a step, so that a step runs once across
/// all of them.
#[async_trait]
pub trait Coordination: fmt::Debug + fmt::Display + Send + Sync {
    /// This replica's name.
    fn replica(&self) -> &str;

    /// Claims the step behind `key` for `ttl`. Claiming again a key this replica holds renews it.
    async fn claim(&self, key: &IdempotencyKey, ttl: Duration) -> Result<Claim>;

    /// Gives up a claim this replica holds (a no-op otherwise).
    async fn release(&self, key: &IdempotencyKey) -> Result<()>;
}

/// One process, nobody to agree with: every claim is granted.
#[derive(Debug, Clone)]
pub struct SingleProcess {
    replica: String,
}

impl SingleProcess {
    /// A single replica named `replica`.
    pub fn new(replica: impl Into<String>) -> Self {
        SingleProcess {
            replica: replica.into(),
        }
    }
}

impl Default for SingleProcess {
    fn default() -> Self {
        SingleProcess::new("single")
    }
}

impl fmt::Display for SingleProcess {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "single process ({})", self.replica)
    }
}

#[async_trait]
impl Coordination for SingleProcess {
    fn replica(&self) -> &str {
        &self.replica
    }

    async fn claim(&self, _key: &IdempotencyKey, _ttl: Duration) -> Result<Claim> {
        Ok(Claim::Granted)
    }

    async fn release(&self, _key: &IdempotencyKey) -> Result<()> {
        Ok(())
    }
}
