//! What the provider tests share: finding a peer, a clock that moves only when slept on, and
//! captured logs.

#![allow(dead_code, unreachable_pub)]

pub mod logs;
pub mod step_clock;

use cato_runbook_mock::peers::{self, Peer};

/// Where the peer of `var` listens, or `None` (printing why) when it is missing and not
/// required; a missing required peer fails the test.
#[allow(clippy::print_stderr)] // A skipped test says why, loudly.
pub fn peer(var: &str) -> Option<String> {
    match peers::find(var) {
        Peer::Found(url) => Some(url),
        Peer::Missing { reason, required } => {
            assert!(!required, "{reason}");
            eprintln!("SKIPPED: {reason}");
            None
        }
    }
}
