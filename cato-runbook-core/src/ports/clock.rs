//! The clock port: the only source of time.

use std::fmt;
use std::time::Duration;

use async_trait::async_trait;

use crate::time::Timestamp;

/// Where time comes from. The engine, the runbooks and the fakes read time only here, so a
/// virtual clock (in `cato-runbook-mock`) runs a 30-minute incident in milliseconds.
#[async_trait]
pub trait Clock: fmt::Debug + Send + Sync {
    /// The current UTC time.
    fn now(&self) -> Timestamp;

    /// Waits for `duration`.
    ///
    /// # Cancel safety
    ///
    /// Cancel safe: dropping the future stops the wait and changes nothing.
    async fn sleep(&self, duration: Duration);
}

/// The wall clock, with tokio's timer for sleeping. Under `tokio::time::pause` its sleeps are
/// virtual but `now()` is not: tests use the mock crate's `VirtualClock` instead.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

#[async_trait]
impl Clock for SystemClock {
    #[allow(clippy::disallowed_methods)] // The one place that reads the wall clock.
    fn now(&self) -> Timestamp {
        chrono::Utc::now()
    }

    #[allow(clippy::disallowed_methods)] // The clock is what sleeps on tokio's timer.
    async fn sleep(&self, duration: Duration) {
        tokio::time::sleep(duration).await;
    }
}

impl fmt::Display for SystemClock {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("system clock")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn system_clock_sleeps_on_tokio_time() {
        let clock = SystemClock;
        let before = tokio::time::Instant::now();
        clock.sleep(Duration::from_secs(3600)).await;
        assert_eq!(
            tokio::time::Instant::now() - before,
            Duration::from_secs(3600)
        );
        assert!(clock.now() > chrono::DateTime::UNIX_EPOCH);
    }
}
