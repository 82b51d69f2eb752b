//! Time: a clock on tokio's paused time, and helpers to name instants.

use std::time::Duration;

use async_trait::async_trait;
use cato_runbook_core::Timestamp;
use cato_runbook_core::ports::Clock;
use chrono::{TimeZone, Utc};

/// 2026-03-01 12:00:00 UTC.
pub fn epoch() -> Timestamp {
    Utc.with_ymd_and_hms(2026, 3, 1, 12, 0, 0).unwrap()
}

/// `epoch() + secs`.
pub fn at(secs: u64) -> Timestamp {
    epoch() + chrono::TimeDelta::seconds(secs as i64)
}

pub fn mins(n: u64) -> Duration {
    Duration::from_secs(60 * n)
}

/// now = the epoch + tokio's (paused) elapsed time; sleeps are tokio sleeps.
#[derive(Debug)]
pub struct TestClock {
    start: tokio::time::Instant,
}

impl TestClock {
    pub fn new() -> Self {
        TestClock {
            start: tokio::time::Instant::now(),
        }
    }
}

#[async_trait]
impl Clock for TestClock {
    fn now(&self) -> Timestamp {
        let elapsed = tokio::time::Instant::now() - self.start;
        epoch() + chrono::TimeDelta::from_std(elapsed).unwrap()
    }

    #[allow(clippy::disallowed_methods)] // a test drives tokio's time itself
    async fn sleep(&self, duration: Duration) {
        tokio::time::sleep(duration).await;
    }
}
