//! Sliding windows of call outcomes: the last N calls, or the calls of the last N seconds.

use std::collections::VecDeque;

use super::{CircuitBreakerConfig, SlidingWindowType};
use crate::time::Timestamp;

/// Counts over a window.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(super) struct Tally {
    pub(super) calls: u32,
    pub(super) failed: u32,
    pub(super) slow: u32,
}

impl Tally {
    fn add(&mut self, failed: bool, slow: bool) {
        self.calls += 1;
        self.failed += u32::from(failed);
        self.slow += u32::from(slow);
    }

    fn merge(&mut self, other: &Tally) {
        self.calls += other.calls;
        self.failed += other.failed;
        self.slow += other.slow;
    }

    fn rate(part: u32, calls: u32) -> f64 {
        if calls == 0 {
            0.0
        } else {
            f64::from(part) * 100.0 / f64::from(calls)
        }
    }

    /// Failed calls, percent of all calls.
    pub(super) fn failure_rate(&self) -> f64 {
        Tally::rate(self.failed, self.calls)
    }

    /// Slow calls, percent of all calls.
    pub(super) fn slow_rate(&self) -> f64 {
        Tally::rate(self.slow, self.calls)
    }
}

/// A sliding window of outcomes.
#[derive(Debug)]
pub(super) enum Window {
    /// The last `size` outcomes, oldest first: `(failed, slow)`.
    Count {
        size: usize,
        outcomes: VecDeque<(bool, bool)>,
    },
    /// One tally per second, oldest first, for the last `seconds` seconds.
    Time {
        seconds: i64,
        buckets: VecDeque<(i64, Tally)>,
    },
}

impl Window {
    /// The closed state's window, as configured.
    pub(super) fn of(config: &CircuitBreakerConfig) -> Window {
        match config.sliding_window_type {
            SlidingWindowType::CountBased => Window::count(config.sliding_window_size),
            SlidingWindowType::TimeBased => Window::Time {
                seconds: i64::from(config.sliding_window_size),
                buckets: VecDeque::new(),
            },
        }
    }

    /// A window of the last `size` calls.
    pub(super) fn count(size: u32) -> Window {
        let size = usize::try_from(size).unwrap_or(usize::MAX);
        Window::Count {
            size,
            outcomes: VecDeque::with_capacity(size.min(1024)),
        }
    }

    pub(super) fn clear(&mut self) {
        match self {
            Window::Count { outcomes, .. } => outcomes.clear(),
            Window::Time { buckets, .. } => buckets.clear(),
        }
    }

    pub(super) fn record(&mut self, now: Timestamp, failed: bool, slow: bool) {
        match self {
            Window::Count { size, outcomes } => {
                if outcomes.len() >= *size {
                    outcomes.pop_front();
                }
                outcomes.push_back((failed, slow));
            }
            Window::Time { seconds, buckets } => {
                let second = now.timestamp();
                evict(buckets, second, *seconds);
                match buckets.back_mut() {
                    Some((at, tally)) if *at == second => tally.add(failed, slow),
                    _ => {
                        let mut tally = Tally::default();
                        tally.add(failed, slow);
                        buckets.push_back((second, tally));
                    }
                }
            }
        }
    }

    pub(super) fn tally(&mut self, now: Timestamp) -> Tally {
        let mut total = Tally::default();
        match self {
            Window::Count { outcomes, .. } => {
                for (failed, slow) in outcomes.iter() {
                    total.add(*failed, *slow);
                }
            }
            Window::Time { seconds, buckets } => {
                evict(buckets, now.timestamp(), *seconds);
                for (_, tally) in buckets.iter() {
                    total.merge(tally);
                }
            }
        }
        total
    }
}

/// Drops the buckets older than the window ending at `second` (inclusive).
fn evict(buckets: &mut VecDeque<(i64, Tally)>, second: i64, seconds: i64) {
    while buckets
        .front()
        .is_some_and(|(at, _)| *at <= second - seconds)
    {
        buckets.pop_front();
    }
}
