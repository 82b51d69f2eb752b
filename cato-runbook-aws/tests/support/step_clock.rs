//! A clock that moves only when someone sleeps on it, and remembers every sleep.

use std::sync::Mutex;
use std::time::Duration;

use async_trait::async_trait;
use cato_runbook_core::ports::Clock;
use cato_runbook_core::{Timestamp, time};

/// Starts at 2026-03-10 09:00 UTC; `sleep(d)` returns at once and moves `now()` by `d`.
#[derive(Debug, Default)]
pub struct StepClock {
    elapsed: Mutex<Duration>,
    sleeps: Mutex<Vec<Duration>>,
}

impl StepClock {
    /// Every sleep so far, in order.
    pub fn sleeps(&self) -> Vec<Duration> {
        self.sleeps.lock().unwrap().clone()
    }

    /// Time slept in all.
    pub fn elapsed(&self) -> Duration {
        *self.elapsed.lock().unwrap()
    }
}

#[async_trait]
impl Clock for StepClock {
    fn now(&self) -> Timestamp {
        time::add(
            cato_runbook_mock::VirtualClock::default_start(),
            *self.elapsed.lock().unwrap(),
        )
    }

    async fn sleep(&self, duration: Duration) {
        *self.elapsed.lock().unwrap() += duration;
        self.sleeps.lock().unwrap().push(duration);
        tokio::task::yield_now().await;
    }
}
