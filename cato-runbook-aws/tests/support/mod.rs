//! What the provider tests share: finding a peer, a clock that moves only when slept on, and
//! captured logs.

#![allow(dead_code, unreachable_pub)]

pub mod logs;
pub mod step_clock;

use cato_runbook_mock::peers;

/// Where the peer of `var` listens, or `None` when it is missing and not required (the skip is
/// printed and recorded for `scripts/test.sh`'s summary); a missing required peer fails the
/// test.
pub fn peer(var: &str) -> Option<String> {
    peers::find_or_skip(var)
}
