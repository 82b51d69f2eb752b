//! A clock the test moves by hand: `now()` is virtual, and a sleep returns once the test has
//! advanced the clock past its deadline — never by itself. Engines on it make real calls to
//! real peers (which finish in real time) while every timer of theirs (a tick's wait, a call's
//! timeout, a lease's expiry) runs in the test's time.

use std::sync::Mutex;
use std::time::Duration;

use async_trait::async_trait;
use cato_runbook_core::ports::Clock;
use cato_runbook_core::{Timestamp, time};
use tokio::sync::oneshot;

#[derive(Debug, Default)]
pub struct ManualClock {
    state: Mutex<State>,
}

#[derive(Debug, Default)]
struct State {
    elapsed: Duration,
    sleepers: Vec<(Duration, oneshot::Sender<()>)>,
}

impl ManualClock {
    /// Moves the clock on by `by`, waking every sleep that is due.
    pub fn advance(&self, by: Duration) {
        let mut state = self.state.lock().unwrap();
        state.elapsed += by;
        let now = state.elapsed;
        let (due, waiting): (Vec<_>, Vec<_>) =
            state.sleepers.drain(..).partition(|(at, _)| *at <= now);
        state.sleepers = waiting;
        for (_, wake) in due {
            let _ = wake.send(());
        }
    }
}

#[async_trait]
impl Clock for ManualClock {
    fn now(&self) -> Timestamp {
        time::add(
            cato_runbook_mock::VirtualClock::default_start(),
            self.state.lock().unwrap().elapsed,
        )
    }

    async fn sleep(&self, duration: Duration) {
        if duration.is_zero() {
            return;
        }
        let woken = {
            let mut state = self.state.lock().unwrap();
            let (wake, woken) = oneshot::channel();
            let at = state.elapsed + duration;
            state.sleepers.push((at, wake));
            woken
        };
        let _ = woken.await;
    }
}
