//! At most N events in any window per routing key, on the clock.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use cato_runbook_core::Timestamp;
use cato_runbook_core::ports::Clock;
use cato_runbook_core::time;

/// A sliding-window limiter for one routing key: a send waits until fewer than `limit` sends
/// happened in the last `window`. Exact over every window (a token bucket would let a full
/// burst through on top of a minute's refill).
#[derive(Debug)]
pub(super) struct WindowLimiter {
    limit: usize,
    window: Duration,
    sent: Mutex<VecDeque<Timestamp>>,
}

impl WindowLimiter {
    pub(super) fn new(limit: u32, window: Duration) -> Self {
        WindowLimiter {
            limit: usize::try_from(limit.max(1)).unwrap_or(usize::MAX),
            window,
            sent: Mutex::new(VecDeque::new()),
        }
    }

    /// Waits on `clock` until a send is allowed, and counts it.
    pub(super) async fn acquire(&self, clock: &Arc<dyn Clock>) {
        loop {
            let wait = {
                let now = clock.now();
                let mut sent = self.sent.lock().unwrap_or_else(|e| e.into_inner());
                let horizon = time::sub(now, self.window);
                while sent.front().is_some_and(|&t| t <= horizon) {
                    sent.pop_front();
                }
                if sent.len() < self.limit {
                    sent.push_back(now);
                    return;
                }
                match sent.front() {
                    Some(&oldest) => time::elapsed(now, time::add(oldest, self.window)),
                    None => Duration::ZERO,
                }
            };
            tracing::debug!(
                wait_ms = u64::try_from(wait.as_millis()).unwrap_or(u64::MAX),
                "PagerDuty rate limit: waiting"
            );
            clock.sleep(wait.max(Duration::from_millis(1))).await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Time that moves only when someone sleeps on it.
    #[derive(Debug, Default)]
    struct StepClock {
        now: Mutex<Duration>,
        slept: Mutex<Vec<Duration>>,
    }

    #[async_trait::async_trait]
    impl Clock for StepClock {
        fn now(&self) -> Timestamp {
            time::add(chrono::DateTime::UNIX_EPOCH, *self.now.lock().unwrap())
        }
        async fn sleep(&self, d: Duration) {
            *self.now.lock().unwrap() += d;
            self.slept.lock().unwrap().push(d);
        }
    }

    #[tokio::test]
    async fn a_full_window_waits_for_its_oldest_send() {
        let step = Arc::new(StepClock::default());
        let clock: Arc<dyn Clock> = step.clone();
        let limiter = WindowLimiter::new(3, Duration::from_secs(60));
        for _ in 0..3 {
            limiter.acquire(&clock).await;
        }
        assert!(step.slept.lock().unwrap().is_empty());
        clock.sleep(Duration::from_secs(10)).await;
        limiter.acquire(&clock).await; // waits until the first send is 60 s old
        assert_eq!(*step.now.lock().unwrap(), Duration::from_secs(60));
        limiter.acquire(&clock).await;
        limiter.acquire(&clock).await;
        // Sends at 0, 0, 0 → the 4th at 60 and the 5th and 6th at 60 too (the window holds
        // exactly three), then the 7th waits for 120.
        limiter.acquire(&clock).await;
        assert_eq!(*step.now.lock().unwrap(), Duration::from_secs(120));
    }
}
