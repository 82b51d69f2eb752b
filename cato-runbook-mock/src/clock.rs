//! The virtual clock: UTC time that moves with tokio's (pausable) time.

use std::fmt;
use std::time::Duration;

use async_trait::async_trait;
use cato_runbook_core::ports::Clock;
use cato_runbook_core::time::{self, Timestamp};
use chrono::{TimeZone, Utc};

/// A [`Clock`] whose `now()` is a fixed start plus the time tokio has let pass since the clock
/// was made, and whose `sleep` is tokio's.
///
/// Under `#[tokio::test(start_paused = true)]` (or `tokio::time::pause()`), tokio's time only
/// moves when every task waits on a timer (auto-advance) or when a test calls
/// `tokio::time::advance`: a 30-minute incident then runs in milliseconds, and always the same
/// way. The engine's timers, the fakes' state changes and scheduled faults all read this one
/// clock.
///
/// # Examples
///
/// ```
/// use std::time::Duration;
/// use cato_runbook_core::ports::Clock;
/// use cato_runbook_mock::VirtualClock;
///
/// # tokio::runtime::Builder::new_current_thread().enable_time().start_paused(true).build().unwrap().block_on(async {
/// let clock = VirtualClock::default();
/// let t0 = clock.now();
/// clock.sleep(Duration::from_secs(30 * 60)).await; // returns at once: time is paused
/// assert_eq!(clock.now() - t0, chrono::TimeDelta::minutes(30));
/// assert_eq!(clock.elapsed(), Duration::from_secs(30 * 60));
/// # });
/// ```
#[derive(Debug, Clone, Copy)]
pub struct VirtualClock {
    start: Timestamp,
    origin: tokio::time::Instant,
}

impl VirtualClock {
    /// A clock that reads `start` now and moves with tokio's time from here on.
    pub fn starting_at(start: Timestamp) -> Self {
        VirtualClock {
            start,
            origin: tokio::time::Instant::now(),
        }
    }

    /// The default start, 2026-03-10 09:00:00 UTC: a Tuesday morning, mid-month.
    pub fn default_start() -> Timestamp {
        Utc.with_ymd_and_hms(2026, 3, 10, 9, 0, 0)
            .single()
            .unwrap_or(chrono::DateTime::UNIX_EPOCH)
    }

    /// The time the clock read when it was made.
    pub fn start(&self) -> Timestamp {
        self.start
    }

    /// How much time has passed since the clock was made.
    pub fn elapsed(&self) -> Duration {
        tokio::time::Instant::now().saturating_duration_since(self.origin)
    }

    /// The instant `offset` after the start (`T+offset`).
    pub fn at(&self, offset: Duration) -> Timestamp {
        time::add(self.start, offset)
    }

    /// Waits until the clock reads `at` (returns at once when that is not in the future).
    ///
    /// # Cancel safety
    ///
    /// Cancel safe, like [`tokio::time::sleep`].
    pub async fn sleep_until(&self, at: Timestamp) {
        let wait = time::elapsed(self.now(), at);
        if !wait.is_zero() {
            self.sleep(wait).await;
        }
    }
}

impl Default for VirtualClock {
    /// A clock starting at [`VirtualClock::default_start`].
    fn default() -> Self {
        VirtualClock::starting_at(VirtualClock::default_start())
    }
}

#[async_trait]
impl Clock for VirtualClock {
    fn now(&self) -> Timestamp {
        time::add(self.start, self.elapsed())
    }

    #[allow(clippy::disallowed_methods)] // The clock is what sleeps on tokio's timer.
    async fn sleep(&self, duration: Duration) {
        tokio::time::sleep(duration).await;
    }
}

impl fmt::Display for VirtualClock {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "virtual clock (started {}, T+{})",
            self.start.format("%Y-%m-%dT%H:%M:%SZ"),
            time::HumanDuration(self.elapsed())
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn moves_with_paused_time() {
        let clock = VirtualClock::default();
        assert_eq!(clock.now(), clock.start());
        tokio::time::advance(Duration::from_secs(90)).await;
        assert_eq!(clock.now(), clock.at(Duration::from_secs(90)));
        clock.sleep_until(clock.at(Duration::from_secs(600))).await;
        assert_eq!(clock.elapsed(), Duration::from_secs(600));
        clock.sleep_until(clock.start()).await; // in the past: no wait
        assert_eq!(clock.elapsed(), Duration::from_secs(600));
        assert!(clock.to_string().contains("T+10m"));
    }
}
