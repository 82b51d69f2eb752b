//! The circuit breaker the host wraps its Shadow Self calls in, in the manner of resilience4j.
//!
//! The runbook's third symptom of "Shadow Self Endpoint Down" is *circuit breaker OPEN*. The
//! breaker lives in the host (the orchestrator calling `/api/admin/cato/shadow-self/*`); the
//! runbook reads it. One [`CircuitBreaker`] is a cheap, cloneable, thread-safe handle: the host
//! keeps one clone around its calls, the runbook's detector another.
//!
//! # States
//!
//! | state | calls | leaves when |
//! |-------|-------|-------------|
//! | `CLOSED` | all permitted; outcomes recorded in a sliding window | the failure rate or the slow-call rate over the window reaches its threshold (once the window holds `minimum_number_of_calls`) → `OPEN` |
//! | `OPEN` | none permitted | `wait_duration_in_open_state` has passed → `HALF_OPEN` |
//! | `HALF_OPEN` | `permitted_number_of_calls_in_half_open_state` trial calls | the trial calls are done: rates above a threshold → `OPEN`, else `CLOSED`; or `max_wait_duration_in_half_open_state` (when set) has passed → `OPEN` |
//!
//! Time comes from the [`Clock`] port only: the wait in `OPEN`, call durations (slow calls) and a
//! time-based window all run on virtual time in tests. Transitions happen when the breaker is
//! used or read, never in the background.
//!
//! # Examples
//!
//! Wrapping a call:
//!
//! ```
//! use std::sync::Arc;
//! use cato_runbook_core::catalog::circuit_breaker::{BreakerState, CallError, CircuitBreaker, CircuitBreakerConfig};
//! use cato_runbook_core::ports::SystemClock;
//!
//! # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
//! let mut config = CircuitBreakerConfig::default();
//! (config.minimum_number_of_calls, config.sliding_window_size) = (2, 2);
//! let breaker = CircuitBreaker::new("cato-shadow-self", config, Arc::new(SystemClock))?;
//! for _ in 0..2 {
//!     let answer: Result<(), CallError<std::io::Error>> =
//!         breaker.call(|| async { Err(std::io::Error::other("503 from the endpoint")) }).await;
//!     assert!(matches!(answer, Err(CallError::Failed(_))));
//! }
//! assert_eq!(breaker.state(), BreakerState::Open);
//! let refused = breaker.call(|| async { Ok::<_, std::io::Error>(42) }).await;
//! assert!(matches!(refused, Err(CallError::NotPermitted(_))));
//! # Ok::<(), cato_runbook_core::Error>(())
//! # }).unwrap();
//! ```
//!
//! Or by hand, when the host classifies outcomes itself (a 4XX is not the endpoint's fault):
//!
//! ```
//! # use std::sync::Arc;
//! # use cato_runbook_core::catalog::circuit_breaker::{CircuitBreaker, CircuitBreakerConfig};
//! # use cato_runbook_core::ports::SystemClock;
//! # let breaker = CircuitBreaker::new("cato-shadow-self", CircuitBreakerConfig::default(), Arc::new(SystemClock))?;
//! match breaker.try_acquire() {
//!     Ok(permit) => {
//!         let status = 200; // … the host's call …
//!         if status >= 500 { permit.failure() } else { permit.success() }
//!     }
//!     Err(not_permitted) => { /* answer from the fallback */ let _ = not_permitted; }
//! }
//! # Ok::<(), cato_runbook_core::Error>(())
//! ```

mod config;
mod permit;
mod state;
mod window;

#[cfg(test)]
mod tests;

use std::fmt;
use std::sync::{Arc, Mutex, MutexGuard};

pub use config::{CircuitBreakerConfig, SlidingWindowType};
pub use permit::Permit;
pub use state::{BreakerSnapshot, BreakerState, CallError, NotPermitted};

use crate::error::Result;
use crate::ports::Clock;
use crate::time::{self, Timestamp};
use window::{Tally, Window};

#[derive(Debug)]
enum Phase {
    Closed,
    Open { until: Timestamp },
    HalfOpen { handed_out: u32 },
}

#[derive(Debug)]
struct Machine {
    phase: Phase,
    since: Timestamp,
    /// Bumped at every transition: outcomes of calls let through before it are not counted.
    generation: u64,
    /// The closed state's window.
    window: Window,
    /// The half-open state's trial outcomes.
    trials: Window,
    not_permitted: u64,
}

struct Shared {
    name: String,
    config: CircuitBreakerConfig,
    clock: Arc<dyn Clock>,
    machine: Mutex<Machine>,
}

/// A circuit breaker: a cheap, cloneable, thread-safe handle; clones share one state.
///
/// See the [module docs](self).
#[derive(Clone)]
pub struct CircuitBreaker {
    shared: Arc<Shared>,
}

impl fmt::Debug for CircuitBreaker {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CircuitBreaker")
            .field("name", &self.shared.name)
            .field("state", &self.state())
            .finish_non_exhaustive()
    }
}

impl PartialEq for CircuitBreaker {
    /// Two handles are equal when they share one breaker.
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.shared, &other.shared)
    }
}

impl CircuitBreaker {
    /// A closed breaker named `name` (usually the endpoint: `cato-shadow-self`).
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidInput`] when the settings do not validate
    /// ([`CircuitBreakerConfig::validate`]).
    pub fn new(
        name: impl Into<String>,
        config: CircuitBreakerConfig,
        clock: Arc<dyn Clock>,
    ) -> Result<CircuitBreaker> {
        config.validate()?;
        let now = clock.now();
        let machine = Machine {
            phase: Phase::Closed,
            since: now,
            generation: 0,
            window: Window::of(&config),
            trials: Window::count(config.permitted_number_of_calls_in_half_open_state),
            not_permitted: 0,
        };
        Ok(CircuitBreaker {
            shared: Arc::new(Shared {
                name: name.into(),
                config,
                clock,
                machine: Mutex::new(machine),
            }),
        })
    }

    /// Its name.
    pub fn name(&self) -> &str {
        &self.shared.name
    }

    /// Its settings.
    pub fn config(&self) -> &CircuitBreakerConfig {
        &self.shared.config
    }

    fn lock(&self) -> MutexGuard<'_, Machine> {
        // Every change is made in one step under the lock: a panic elsewhere cannot leave it
        // half-made. Keep serving.
        self.shared
            .machine
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// The machine brought up to `now`: the wait in OPEN and in HALF_OPEN.
    fn settled(&self, now: Timestamp) -> MutexGuard<'_, Machine> {
        let mut m = self.lock();
        let config = &self.shared.config;
        match m.phase {
            Phase::Open { until } if now >= until => {
                self.enter(&mut m, now, BreakerState::HalfOpen)
            }
            Phase::HalfOpen { .. }
                if !config.max_wait_duration_in_half_open_state.is_zero()
                    && now >= time::add(m.since, config.max_wait_duration_in_half_open_state) =>
            {
                self.enter(&mut m, now, BreakerState::Open);
            }
            _ => {}
        }
        m
    }

    fn enter(&self, m: &mut Machine, now: Timestamp, state: BreakerState) {
        let config = &self.shared.config;
        m.phase = match state {
            BreakerState::Closed => Phase::Closed,
            BreakerState::Open => Phase::Open {
                until: time::add(now, config.wait_duration_in_open_state),
            },
            BreakerState::HalfOpen => Phase::HalfOpen { handed_out: 0 },
        };
        m.since = now;
        m.generation += 1;
        m.window.clear();
        m.trials.clear();
        match state {
            BreakerState::Open => {
                tracing::warn!(breaker = %self.shared.name, "circuit breaker OPEN")
            }
            _ => tracing::info!(breaker = %self.shared.name, %state, "circuit breaker transition"),
        }
    }

    /// The state now.
    pub fn state(&self) -> BreakerState {
        state_of(&self.settled(self.shared.clock.now()).phase)
    }

    /// The state now, with the current window's rates.
    pub fn snapshot(&self) -> BreakerSnapshot {
        let now = self.shared.clock.now();
        let mut m = self.settled(now);
        let state = state_of(&m.phase);
        let (tally, minimum) = match state {
            BreakerState::HalfOpen => (
                m.trials.tally(now),
                self.shared
                    .config
                    .permitted_number_of_calls_in_half_open_state,
            ),
            _ => (m.window.tally(now), self.shared.config.minimum_calls()),
        };
        let judged = tally.calls >= minimum;
        BreakerSnapshot {
            name: self.shared.name.clone(),
            state,
            since: m.since,
            failure_rate_percent: judged.then(|| tally.failure_rate()),
            slow_call_rate_percent: judged.then(|| tally.slow_rate()),
            buffered_calls: tally.calls,
            failed_calls: tally.failed,
            slow_calls: tally.slow,
            not_permitted_calls: m.not_permitted,
        }
    }

    /// Back to CLOSED with an empty window (an operator's reset).
    pub fn reset(&self) {
        let now = self.shared.clock.now();
        let mut m = self.lock();
        self.enter(&mut m, now, BreakerState::Closed);
    }

    fn record(&self, generation: u64, started: Timestamp, failed: bool) {
        let now = self.shared.clock.now();
        let config = &self.shared.config;
        let slow = time::elapsed(started, now) >= config.slow_call_duration_threshold;
        let mut m = self.settled(now);
        if m.generation != generation {
            return;
        }
        match m.phase {
            Phase::Closed => {
                m.window.record(now, failed, slow);
                let tally = m.window.tally(now);
                if tally.calls >= config.minimum_calls() && self.exceeds(&tally) {
                    self.enter(&mut m, now, BreakerState::Open);
                }
            }
            Phase::HalfOpen { .. } => {
                m.trials.record(now, failed, slow);
                let tally = m.trials.tally(now);
                if tally.calls >= config.permitted_number_of_calls_in_half_open_state {
                    let next = if self.exceeds(&tally) {
                        BreakerState::Open
                    } else {
                        BreakerState::Closed
                    };
                    self.enter(&mut m, now, next);
                }
            }
            Phase::Open { .. } => {}
        }
    }

    fn release(&self, generation: u64) {
        let now = self.shared.clock.now();
        let mut m = self.settled(now);
        if m.generation != generation {
            return;
        }
        if let Phase::HalfOpen { handed_out } = &mut m.phase {
            *handed_out = handed_out.saturating_sub(1);
        }
    }

    fn exceeds(&self, tally: &Tally) -> bool {
        let config = &self.shared.config;
        tally.failure_rate() >= config.failure_rate_threshold
            || tally.slow_rate() >= config.slow_call_rate_threshold
    }
}

fn state_of(phase: &Phase) -> BreakerState {
    match phase {
        Phase::Closed => BreakerState::Closed,
        Phase::Open { .. } => BreakerState::Open,
        Phase::HalfOpen { .. } => BreakerState::HalfOpen,
    }
}
