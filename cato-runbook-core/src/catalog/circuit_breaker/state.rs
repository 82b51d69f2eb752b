//! What a breaker says about itself: its state, a snapshot, a refusal.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::error::{Error, ErrorKind, Retry};
use crate::time::Timestamp;

/// Where a breaker is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum BreakerState {
    /// Calls go through.
    Closed,
    /// Calls are refused.
    Open,
    /// A few trial calls go through.
    HalfOpen,
}

impl fmt::Display for BreakerState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            BreakerState::Closed => "CLOSED",
            BreakerState::Open => "OPEN",
            BreakerState::HalfOpen => "HALF_OPEN",
        })
    }
}

/// What a breaker looks like at one moment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BreakerSnapshot {
    /// The breaker's name.
    pub name: String,
    /// Its state.
    pub state: BreakerState,
    /// When it entered the state.
    pub since: Timestamp,
    /// The failure rate of the current window, percent; `None` until it holds enough calls.
    pub failure_rate_percent: Option<f64>,
    /// The slow-call rate of the current window, percent; `None` until it holds enough calls.
    pub slow_call_rate_percent: Option<f64>,
    /// Calls in the current window.
    pub buffered_calls: u32,
    /// Failed calls in the current window.
    pub failed_calls: u32,
    /// Slow calls in the current window.
    pub slow_calls: u32,
    /// Calls refused since the breaker was made.
    pub not_permitted_calls: u64,
}

/// A call the breaker refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("circuit breaker {name} is {state}: call not permitted")]
pub struct NotPermitted {
    /// The breaker's name.
    pub name: String,
    /// Its state when it refused.
    pub state: BreakerState,
}

impl NotPermitted {
    /// As the crate's [`Error`]: [`ErrorKind::Unavailable`], transient, naming the breaker.
    pub fn into_error(self) -> Error {
        Error::new(
            ErrorKind::Unavailable,
            "circuit_breaker.acquire",
            format!("circuit breaker is {}: call not permitted", self.state),
        )
        .with_resource(self.name)
        .with_retry(Retry::Transient)
    }
}

/// What [`CircuitBreaker::call`] answers when it does not return the call's value.
#[derive(Debug)]
pub enum CallError<E> {
    /// The breaker refused the call; it was not made.
    NotPermitted(NotPermitted),
    /// The call was made and failed (and was recorded as a failure).
    Failed(E),
}

impl<E> fmt::Display for CallError<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CallError::NotPermitted(refused) => refused.fmt(f),
            CallError::Failed(_) => f.write_str("the call through the circuit breaker failed"),
        }
    }
}

impl<E: std::error::Error + 'static> std::error::Error for CallError<E> {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            CallError::NotPermitted(_) => None,
            CallError::Failed(err) => Some(err),
        }
    }
}

impl fmt::Display for BreakerSnapshot {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "circuit breaker {} {} since {}",
            self.name,
            self.state,
            self.since.format("%H:%M:%S")
        )?;
        // Both shares are judged together (a window too small for one is too small for both).
        match (self.failure_rate_percent, self.slow_call_rate_percent) {
            (Some(rate), Some(slow)) => write!(
                f,
                ": {rate:.0} % of {} calls failed, {slow:.0} % slow",
                self.buffered_calls
            ),
            (Some(rate), None) => write!(
                f,
                ": {rate:.0} % of {} calls failed, slow share unknown",
                self.buffered_calls
            ),
            (None, _) => write!(f, ": {} calls so far", self.buffered_calls),
        }
    }
}
