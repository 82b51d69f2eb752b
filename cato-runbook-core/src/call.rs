//! One call path for every provider and the engine: a call bounded in time, and a call retried
//! with back-off, both on the [`Clock`] port — so that virtual time drives every timeout and
//! every wait, and a test of a 5-minute timeout takes no real time.
//!
//! - [`within`] is `tokio::time::timeout` on the clock; [`timed`] turns the timeout into the
//!   core [`Error`] (kind `Timeout`, transient) naming the operation and the resource.
//! - [`retrying`] runs an attempt until it succeeds, fails in a way no retry helps, or the
//!   [`RetryPolicy`]'s tries run out, waiting on the clock between tries (a `Retry-After` the
//!   attempt reports wins, capped at the policy's longest wait).
//! - [`RetryPolicy`] is also what the engine reads to retry a step's call on a later tick.
//!
//! `clippy.toml` forbids `tokio::time::{timeout, timeout_at, sleep, sleep_until}` everywhere
//! else.
//!
//! # Examples
//!
//! ```
//! use std::time::Duration;
//! use cato_runbook_core::call::{self, Failure, RetryPolicy};
//! use cato_runbook_core::ports::SystemClock;
//! use cato_runbook_core::{Error, ErrorKind};
//!
//! # tokio::runtime::Builder::new_current_thread().enable_time().start_paused(true).build().unwrap().block_on(async {
//! let clock = SystemClock;
//! let slow = call::timed(&clock, Duration::from_secs(1), "describe", "cato-shadow-self", async {
//!     call::sleep_forever().await;
//!     Ok::<_, Error>(())
//! });
//! assert_eq!(slow.await.unwrap_err().kind(), ErrorKind::Timeout);
//!
//! let mut tries = 0;
//! let policy = RetryPolicy::default().with_first_delay(Duration::from_millis(10));
//! let answer = call::retrying(&clock, &policy, "describe", || {
//!     tries += 1;
//!     let now = tries;
//!     async move {
//!         if now < 3 {
//!             Err(Failure::from(Error::new(ErrorKind::Unavailable, "describe", "503")))
//!         } else {
//!             Ok(now)
//!         }
//!     }
//! });
//! assert_eq!(answer.await?, 3);
//! # Ok::<(), Error>(())
//! # }).unwrap();
//! ```

use std::future::Future;
use std::pin::pin;
use std::time::Duration;

use backon::BackoffBuilder;
use futures::future::{Either, select};
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result, Retry};
use crate::ports::Clock;

/// Runs `call` for at most `limit` on `clock`: `None` when the time ran out (and `call` was
/// dropped).
///
/// # Cancel safety
///
/// As cancel safe as `call`.
pub async fn within<F: Future>(clock: &dyn Clock, limit: Duration, call: F) -> Option<F::Output> {
    match select(pin!(call), clock.sleep(limit)).await {
        Either::Left((output, _)) => Some(output),
        Either::Right(((), _)) => None,
    }
}

/// Runs `call` for at most `limit` on `clock`; running out of time is a
/// [`Timeout`](crate::ErrorKind::Timeout) error naming `operation` and `resource`.
///
/// # Errors
///
/// What `call` returns, or the timeout.
pub async fn timed<T>(
    clock: &dyn Clock,
    limit: Duration,
    operation: &'static str,
    resource: &str,
    call: impl Future<Output = Result<T>>,
) -> Result<T> {
    let started = clock.now();
    let result = match within(clock, limit, call).await {
        Some(result) => result,
        None => Err(Error::timeout(operation, limit).with_resource(resource.to_owned())),
    };
    let seconds = crate::time::elapsed(started, clock.now()).as_secs_f64();
    let port = operation.split('.').next().unwrap_or(operation);
    let outcome = match &result {
        Ok(_) => "ok".to_owned(),
        Err(err) => err.kind().to_string().replace(' ', "_"),
    };
    metrics::histogram!("cato_runbook_call_seconds", "port" => port, "operation" => operation, "outcome" => outcome)
        .record(seconds);
    result
}

/// A future that never completes: what a hung call looks like, for tests and doc examples.
pub async fn sleep_forever() {
    std::future::pending::<()>().await;
}

/// How a failed call is tried again: exponential back-off from `first_delay`, doubling, at
/// most `max_delay`, at most `attempts` tries in all. A throttled error waits twice as long as
/// a transient one. `jitter` adds a random part of each wait (off by default, so that a
/// schedule on a virtual clock is the same every run).
///
/// ```
/// use cato_runbook_core::call::RetryPolicy;
/// use std::time::Duration;
///
/// let policy = RetryPolicy::default();
/// assert_eq!(policy.attempts, 3);
/// assert_eq!(policy.delay(1, false), Duration::from_secs(30));
/// assert_eq!(policy.delay(2, false), Duration::from_secs(60));
/// assert_eq!(policy.delay(1, true), Duration::from_secs(60));
/// assert_eq!(policy.delay(9, true), Duration::from_secs(5 * 60));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
#[non_exhaustive]
pub struct RetryPolicy {
    /// Tries in all, the first included. Default 3; 1 never retries.
    pub attempts: u32,
    /// The wait after the first failed try. Default 30 s.
    #[serde(with = "humantime_serde")]
    pub first_delay: Duration,
    /// The longest wait (and the cap on a `Retry-After`). Default 5 min.
    #[serde(with = "humantime_serde")]
    pub max_delay: Duration,
    /// Whether each wait gets a random part (up to the wait itself). Default off.
    pub jitter: bool,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            attempts: 3,
            first_delay: Duration::from_secs(30),
            max_delay: Duration::from_secs(5 * 60),
            jitter: false,
        }
    }
}

impl RetryPolicy {
    /// Sets the tries in all (0 counts as 1).
    pub fn with_attempts(mut self, attempts: u32) -> Self {
        self.attempts = attempts.max(1);
        self
    }

    /// Sets the first wait.
    pub fn with_first_delay(mut self, delay: Duration) -> Self {
        self.first_delay = delay;
        self
    }

    /// Sets the longest wait.
    pub fn with_max_delay(mut self, delay: Duration) -> Self {
        self.max_delay = delay;
        self
    }

    /// Turns the random part of each wait on or off.
    pub fn with_jitter(mut self, jitter: bool) -> Self {
        self.jitter = jitter;
        self
    }

    /// The wait after the `failed`-th failed try (from 1): doubling from `first_delay` (twice
    /// that when throttled), at most `max_delay`.
    pub fn delay(&self, failed: u32, throttled: bool) -> Duration {
        let first = if throttled {
            self.first_delay.saturating_mul(2)
        } else {
            self.first_delay
        };
        let builder = backon::ExponentialBuilder::default()
            .with_min_delay(first.min(self.max_delay))
            .with_max_delay(self.max_delay)
            .with_factor(2.0)
            .without_max_times();
        let builder = if self.jitter {
            builder.with_jitter()
        } else {
            builder
        };
        builder
            .build()
            .nth(failed.saturating_sub(1) as usize)
            .map_or(self.max_delay, |delay| delay.min(self.max_delay))
    }
}

/// A failed try of [`retrying`]: the error, and how long the service asked to wait, if it did.
#[derive(Debug)]
pub struct Failure {
    /// What went wrong; its retry class decides whether to try again. Boxed, so that a
    /// `Result` carrying a failure stays small.
    pub error: Box<Error>,
    /// The service's `Retry-After`, if it sent one.
    pub retry_after: Option<Duration>,
}

impl From<Error> for Failure {
    fn from(error: Error) -> Self {
        Failure {
            error: Box::new(error),
            retry_after: None,
        }
    }
}

/// Runs `attempt` until it succeeds, fails in a way no retry helps, or `policy`'s tries run
/// out, waiting on `clock` between tries. `operation` names the call in the logs.
///
/// # Errors
///
/// The last try's error.
pub async fn retrying<T, F, Fut>(
    clock: &dyn Clock,
    policy: &RetryPolicy,
    operation: &str,
    mut attempt: F,
) -> Result<T>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = std::result::Result<T, Failure>>,
{
    let mut tries = 1u32;
    loop {
        let failed = match attempt().await {
            Ok(value) => return Ok(value),
            Err(failed) => failed,
        };
        if !failed.error.is_retryable() || tries >= policy.attempts {
            if failed.error.is_retryable() {
                tracing::warn!(operation, tries, error = %failed.error, "giving up");
            }
            return Err(*failed.error);
        }
        let throttled = failed.error.retry() == Retry::Throttled;
        let delay = failed
            .retry_after
            .unwrap_or_else(|| policy.delay(tries, throttled))
            .min(policy.max_delay);
        tracing::info!(
            operation,
            tries,
            delay_ms = u64::try_from(delay.as_millis()).unwrap_or(u64::MAX),
            error = %failed.error,
            "retrying"
        );
        clock.sleep(delay).await;
        tries += 1;
    }
}
