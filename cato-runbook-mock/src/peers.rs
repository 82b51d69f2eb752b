//! Finding the real test peers (redis-server, moto, …) that `scripts/test.sh` starts.
//!
//! Each peer publishes where it listens in an environment variable (`CATO_TEST_REDIS_URL`,
//! `CATO_TEST_MOTO_URL`, …). A test asks [`find`]: when the variable is missing it gets
//! [`Peer::Missing`] with the reason, and whether `CATO_TEST_PEERS=require` makes that a
//! failure or a (loud) skip.
//!
//! ```
//! use cato_runbook_mock::peers::{self, Peer};
//!
//! match peers::find("CATO_TEST_NO_SUCH_PEER") {
//!     Peer::Found(url) => { /* run the test against `url` */ }
//!     Peer::Missing { reason, required } => {
//!         assert!(reason.contains("CATO_TEST_NO_SUCH_PEER"));
//!         if required { /* fail the test with `reason` */ } else { /* skip, printing `reason` */ }
//!     }
//! }
//! ```

/// The environment variable that makes a missing peer a failure when set to `require`.
pub const REQUIRE_VAR: &str = "CATO_TEST_PEERS";

/// Whether a peer is there.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Peer {
    /// Where it listens.
    Found(String),
    /// It is not there.
    Missing {
        /// Why, for the test's output.
        reason: String,
        /// Whether `CATO_TEST_PEERS=require` is set, so the test must fail.
        required: bool,
    },
}

/// Looks the peer up in the environment variable `var`.
pub fn find(var: &str) -> Peer {
    match std::env::var(var) {
        Ok(url) if !url.trim().is_empty() => Peer::Found(url),
        _ => Peer::Missing {
            reason: format!(
                "{var} is not set: this test needs a real peer; run `bash scripts/test.sh`, which starts it"
            ),
            required: std::env::var(REQUIRE_VAR).is_ok_and(|v| v == "require"),
        },
    }
}
