//! Making a call through the breaker: [`CircuitBreaker::try_acquire`], [`CircuitBreaker::call`]
//! and the [`Permit`] that records how the call went.

use std::fmt;
use std::future::Future;
use std::time::Duration;

use super::{CallError, CircuitBreaker, NotPermitted, Phase, state_of};
use crate::time::{self, Timestamp};

impl CircuitBreaker {
    /// Asks to make one call. Record its outcome on the [`Permit`]; a permit dropped without an
    /// outcome gives its half-open slot back and records nothing.
    ///
    /// # Errors
    ///
    /// [`NotPermitted`] while the breaker is open, or half-open with every trial call handed
    /// out.
    pub fn try_acquire(&self) -> std::result::Result<Permit, NotPermitted> {
        let now = self.shared.clock.now();
        let mut m = self.settled(now);
        let limit = self
            .shared
            .config
            .permitted_number_of_calls_in_half_open_state;
        let permitted = match &mut m.phase {
            Phase::Closed => true,
            Phase::Open { .. } => false,
            Phase::HalfOpen { handed_out } if *handed_out < limit => {
                *handed_out += 1;
                true
            }
            Phase::HalfOpen { .. } => false,
        };
        if !permitted {
            m.not_permitted += 1;
            return Err(NotPermitted {
                name: self.shared.name.clone(),
                state: state_of(&m.phase),
            });
        }
        Ok(Permit {
            breaker: self.clone(),
            generation: m.generation,
            started: now,
            done: false,
        })
    }

    /// Makes `call` if the breaker permits it, and records its outcome: `Ok` is a success, `Err`
    /// a failure, either of them slow if it took at least `slow_call_duration_threshold`.
    ///
    /// # Errors
    ///
    /// [`CallError::NotPermitted`] when the breaker refused (the call was not made),
    /// [`CallError::Failed`] with the call's own error.
    ///
    /// # Cancel safety
    ///
    /// Dropping the future drops the permit: nothing is recorded and a half-open slot is given
    /// back.
    pub async fn call<T, E, F, Fut>(&self, call: F) -> std::result::Result<T, CallError<E>>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = std::result::Result<T, E>>,
    {
        let permit = self.try_acquire().map_err(CallError::NotPermitted)?;
        match call().await {
            Ok(value) => {
                permit.success();
                Ok(value)
            }
            Err(err) => {
                permit.failure();
                Err(CallError::Failed(err))
            }
        }
    }
}

/// Leave to make one call: record how it went with [`Permit::success`] or
/// [`Permit::failure`]; its duration is measured on the breaker's clock from
/// [`CircuitBreaker::try_acquire`].
#[must_use = "record the call's outcome, or drop the permit to give it back"]
pub struct Permit {
    breaker: CircuitBreaker,
    generation: u64,
    started: Timestamp,
    done: bool,
}

impl fmt::Debug for Permit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Permit")
            .field("breaker", &self.breaker.name())
            .field("started", &self.started)
            .finish_non_exhaustive()
    }
}

impl Permit {
    /// The call succeeded.
    pub fn success(mut self) {
        self.done = true;
        self.breaker.record(self.generation, self.started, false);
    }

    /// The call failed.
    pub fn failure(mut self) {
        self.done = true;
        self.breaker.record(self.generation, self.started, true);
    }

    /// How long the call has taken so far.
    pub fn elapsed(&self) -> Duration {
        time::elapsed(self.started, self.breaker.shared.clock.now())
    }
}

impl Drop for Permit {
    fn drop(&mut self) {
        if !self.done {
            self.breaker.release(self.generation);
        }
    }
}
