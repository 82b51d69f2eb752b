//! Finding the real test peers (redis-server, moto, …) that `scripts/test.sh` starts.
//!
//! Each peer publishes where it listens in an environment variable (`CATO_TEST_REDIS_URL`,
//! `CATO_TEST_MOTO_URL`, …). A test asks [`find`]: when the variable is missing it gets
//! [`Peer::Missing`] with the reason, and whether `CATO_TEST_PEERS=require` makes that a
//! failure or a (loud) skip. [`find_or_skip`] does both: the URL, a failure, or a skip recorded
//! with [`skip`] — `SKIPPED <test>: <why>` on stderr and in the file `CATO_TEST_SKIPS` names,
//! which `scripts/test.sh` counts as skipped (cargo itself counts a test that returns early as
//! passed).
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
//!
//! With the feature `moto-proxy`, `moto_proxy` is the translating proxy in front of moto that
//! makes it answer what the providers ask (the AWS tests start one per test; the binary
//! `cato-moto-proxy` is the peer `scripts/peers/moto.sh` starts).

#[cfg(feature = "moto-proxy")]
pub mod moto_proxy;

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

/// The environment variable naming a file in which skipped tests are recorded, one
/// `SKIPPED <test>: <why>` line each. `scripts/test.sh` sets it and counts those tests as
/// skipped (not passed) in its summary line.
pub const SKIPS_VAR: &str = "CATO_TEST_SKIPS";

/// Says that the running test skips, and why: prints `SKIPPED <test>: <reason>` on stderr and
/// appends the same line to the file [`SKIPS_VAR`] names, when it is set. The test is named by
/// its thread, as the test harness names it.
#[allow(clippy::print_stderr)] // A skipped test says why, loudly.
pub fn skip(reason: &str) {
    let line = skip_line(std::thread::current().name(), reason);
    eprintln!("{line}");
    if let Ok(path) = std::env::var(SKIPS_VAR)
        && !path.trim().is_empty()
    {
        use std::io::Write;
        let written = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&path)
            .and_then(|mut file| file.write_all(format!("{line}\n").as_bytes()));
        if let Err(e) = written {
            eprintln!("cannot record the skip in {path}: {e}");
        }
    }
}

/// Where the peer of `var` listens; `None` when it is missing and the test should skip (the
/// skip recorded with [`skip`]).
///
/// # Panics
///
/// When the peer is missing and `CATO_TEST_PEERS=require`: the test fails, naming the peer.
#[allow(clippy::panic)] // A required peer that is missing fails the test.
pub fn find_or_skip(var: &str) -> Option<String> {
    match find(var) {
        Peer::Found(url) => Some(url),
        Peer::Missing { reason, required } => {
            if required {
                panic!("{reason}");
            }
            skip(&reason);
            None
        }
    }
}

fn skip_line(test: Option<&str>, reason: &str) -> String {
    let test = test
        .filter(|t| !t.is_empty() && *t != "main")
        .unwrap_or("<test>");
    let reason = reason.replace('\n', " ");
    format!("SKIPPED {test}: {reason}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_skip_names_the_test_on_one_line() {
        assert_eq!(
            skip_line(
                Some("redis::conformance::on_a_real_server"),
                "no peer\nat all"
            ),
            "SKIPPED redis::conformance::on_a_real_server: no peer at all"
        );
        assert_eq!(skip_line(None, "why"), "SKIPPED <test>: why");
        assert_eq!(skip_line(Some("main"), "why"), "SKIPPED <test>: why");
    }
}
