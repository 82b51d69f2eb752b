//! A breaker's settings.

use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::bounds;
use crate::catalog::kit::Settings;
use crate::error::Result;

/// How the closed state's window counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SlidingWindowType {
    /// The last `sliding_window_size` calls.
    #[default]
    CountBased,
    /// The calls of the last `sliding_window_size` seconds.
    TimeBased,
}

/// A breaker's settings, named and defaulted as resilience4j's. Rates are percentages.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
#[non_exhaustive]
pub struct CircuitBreakerConfig {
    /// Failure rate, in percent, at or above which the breaker opens. Default 50.
    pub failure_rate_threshold: f64,
    /// Slow-call rate, in percent, at or above which the breaker opens. Default 100.
    pub slow_call_rate_threshold: f64,
    /// A call taking at least this long is slow. Default 60 s.
    #[serde(with = "humantime_serde")]
    pub slow_call_duration_threshold: Duration,
    /// Count-based or time-based window. Default count-based.
    pub sliding_window_type: SlidingWindowType,
    /// Calls (count-based) or seconds (time-based) in the window. Default 100.
    pub sliding_window_size: u32,
    /// Calls the window must hold before a rate is computed. Default 100.
    pub minimum_number_of_calls: u32,
    /// How long the breaker stays open before letting trial calls through. Default 60 s.
    #[serde(with = "humantime_serde")]
    pub wait_duration_in_open_state: Duration,
    /// Trial calls in the half-open state. Default 10.
    pub permitted_number_of_calls_in_half_open_state: u32,
    /// The longest the breaker stays half-open before opening again; zero waits for the trial
    /// calls however long they take. Default 0.
    #[serde(with = "humantime_serde")]
    pub max_wait_duration_in_half_open_state: Duration,
}

impl Default for CircuitBreakerConfig {
    fn default() -> Self {
        CircuitBreakerConfig {
            failure_rate_threshold: 50.0,
            slow_call_rate_threshold: 100.0,
            slow_call_duration_threshold: Duration::from_secs(60),
            sliding_window_type: SlidingWindowType::CountBased,
            sliding_window_size: 100,
            minimum_number_of_calls: 100,
            wait_duration_in_open_state: Duration::from_secs(60),
            permitted_number_of_calls_in_half_open_state: 10,
            max_wait_duration_in_half_open_state: Duration::ZERO,
        }
    }
}

impl CircuitBreakerConfig {
    /// Checks the settings as resilience4j does, and holds each to a range: the rates above 0
    /// and at most 100, the counts 1 to 10 000, the waits at most 24 h (the open state's above
    /// 0s), the slow-call threshold above 0s and at most 10 min.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidInput`](crate::ErrorKind::InvalidInput) naming the first bad setting.
    pub fn validate(&self) -> Result<()> {
        self.validate_in(&Settings::table("circuit_breaker"))
    }

    /// As [`validate`](Self::validate), naming each setting within `settings`' table.
    pub(crate) fn validate_in(&self, settings: &Settings) -> Result<()> {
        for (key, value) in [
            ("failure_rate_threshold", self.failure_rate_threshold),
            ("slow_call_rate_threshold", self.slow_call_rate_threshold),
        ] {
            settings.check(
                value > 0.0 && value <= 100.0,
                key,
                format_args!("{value} is not a percentage in (0, 100]"),
            )?;
        }
        for (key, value) in [
            ("sliding_window_size", self.sliding_window_size),
            ("minimum_number_of_calls", self.minimum_number_of_calls),
            (
                "permitted_number_of_calls_in_half_open_state",
                self.permitted_number_of_calls_in_half_open_state,
            ),
        ] {
            settings.check(value != 0, key, "must be at least 1")?;
            settings.count(key, u64::from(value), 1, MAX_CALLS)?;
        }
        settings.check(
            !self.wait_duration_in_open_state.is_zero(),
            "wait_duration_in_open_state",
            "must be above zero",
        )?;
        settings.lasting(
            "wait_duration_in_open_state",
            self.wait_duration_in_open_state,
            Duration::ZERO,
            bounds::MAX_WINDOW,
        )?;
        settings.lasting(
            "max_wait_duration_in_half_open_state",
            self.max_wait_duration_in_half_open_state,
            Duration::ZERO,
            bounds::MAX_WINDOW,
        )?;
        settings.check(
            !self.slow_call_duration_threshold.is_zero(),
            "slow_call_duration_threshold",
            "must be above zero",
        )?;
        settings.lasting(
            "slow_call_duration_threshold",
            self.slow_call_duration_threshold,
            Duration::ZERO,
            bounds::MAX_LATENCY,
        )
    }

    /// Calls the closed window needs before it judges: for a count-based window, never more
    /// than the window holds.
    pub(super) fn minimum_calls(&self) -> u32 {
        match self.sliding_window_type {
            SlidingWindowType::CountBased => {
                self.minimum_number_of_calls.min(self.sliding_window_size)
            }
            SlidingWindowType::TimeBased => self.minimum_number_of_calls,
        }
    }
}

/// The most calls a window, a minimum or the half-open state may count.
const MAX_CALLS: u64 = 10_000;
