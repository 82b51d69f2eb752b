//! What everything relies on from a [`Clock`].

use std::time::Duration;

use cato_runbook_core::ports::Clock;
use cato_runbook_core::time;

use super::{CheckResult, ensure};

/// Time does not go backwards, and a sleep of `d` moves `now` by at least `d`.
pub async fn sleep_moves_now(clock: &dyn Clock, d: Duration) -> CheckResult {
    const CHECK: &str = "clock.sleep_moves_now";
    let before = clock.now();
    let again = clock.now();
    ensure(again >= before, CHECK, || "time went backwards".into())?;
    clock.sleep(d).await;
    let after = clock.now();
    ensure(time::elapsed(before, after) >= d, CHECK, || {
        format!(
            "slept {d:?} but the clock moved {:?}",
            time::elapsed(before, after)
        )
    })
}

/// Every check (a real clock sleeps for `d`).
pub async fn run_all(clock: &dyn Clock, d: Duration) -> CheckResult {
    sleep_moves_now(clock, d).await
}
