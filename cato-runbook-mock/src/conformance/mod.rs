//! The conformance suite: the behaviour runbooks rely on, port by port, as plain async checks
//! that every provider runs — the fakes here, the AWS/Redis/Kubernetes/HTTP providers against
//! their test peers, and every wrapper (fault injection, timeouts, retries) around either.
//!
//! Each port has a module with a fixture — the state the harness seeded before the checks
//! (names, counts, log lines) and how to wait for a change to show ([`Settle`]) — one
//! `pub async fn check(port: &dyn Port, fixture: &Fixture) -> CheckResult` per behaviour, and
//! `run_all`, which runs them in an order that leaves the provider as it found it where the
//! service allows.
//!
//! A check fails with a [`Failure`] that names it; when the port itself failed, the port's
//! error is kept ([`Failure::port_error`]), so a harness can tell "the provider disagrees" from
//! "the provider was down" (a transient fault surfaces as a retryable port error).
//!
//! ```
//! use cato_runbook_mock::{World, conformance};
//!
//! # tokio::runtime::Builder::new_current_thread().enable_time().start_paused(true).build().unwrap().block_on(async {
//! let world = World::default();
//! let fixtures = world.conformance_fixtures()?;
//! conformance::workloads::run_all(&world.workloads(), &fixtures.workloads).await?;
//! conformance::pager::run_all(&world.pager(), &fixtures.pager).await?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! # }).unwrap();
//! ```

pub mod alarms;
pub mod budget;
pub mod cache;
pub mod changes;
pub mod chat;
pub mod clock;
pub mod endpoint;
mod fixtures;
pub mod lease;
pub mod logs;
pub mod mail;
pub mod metrics;
pub mod pager;
pub mod quotas;
pub mod store;
pub mod tables;
pub mod traffic;
pub mod workloads;

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use cato_runbook_core::ports::Clock;
use cato_runbook_core::time::{self, HumanDuration};
use cato_runbook_core::{Error, ErrorKind};

pub use fixtures::Fixtures;

/// Why a check failed.
#[derive(Debug)]
pub struct Failure {
    check: &'static str,
    message: String,
    error: Option<Box<Error>>,
}

impl Failure {
    /// The check `check` saw something the port must not do.
    pub fn new(check: &'static str, message: impl Into<String>) -> Self {
        Failure {
            check,
            message: message.into(),
            error: None,
        }
    }

    /// The port failed during `check`.
    pub fn port(check: &'static str, error: Error) -> Self {
        Failure {
            check,
            message: "the port failed".into(),
            error: Some(Box::new(error)),
        }
    }

    /// The check's name.
    pub fn check(&self) -> &'static str {
        self.check
    }

    /// What went wrong.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// The port's error, when the port failed rather than disagreed.
    pub fn port_error(&self) -> Option<&Error> {
        self.error.as_deref()
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "conformance check {} failed: {}",
            self.check, self.message
        )?;
        if let Some(err) = &self.error {
            write!(f, " ({err})")?;
        }
        Ok(())
    }
}

impl std::error::Error for Failure {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.error
            .as_deref()
            .map(|e| e as &(dyn std::error::Error + 'static))
    }
}

/// What a check answers.
pub type CheckResult = Result<(), Failure>;

/// Turns a port's error into a [`Failure`] of the check.
pub(crate) trait During<T> {
    fn during(self, check: &'static str) -> Result<T, Failure>;
}

impl<T> During<T> for Result<T, Error> {
    fn during(self, check: &'static str) -> Result<T, Failure> {
        self.map_err(|err| Failure::port(check, err))
    }
}

/// Fails `check` with `message` unless `condition` holds.
pub(crate) fn ensure(
    condition: bool,
    check: &'static str,
    message: impl FnOnce() -> String,
) -> CheckResult {
    if condition {
        Ok(())
    } else {
        Err(Failure::new(check, message()))
    }
}

/// Expects the port to refuse with one of `kinds` (and as not retryable).
pub(crate) fn refused<T: fmt::Debug>(
    result: Result<T, Error>,
    check: &'static str,
    kinds: &[ErrorKind],
) -> CheckResult {
    match result {
        Ok(value) => Err(Failure::new(
            check,
            format!("expected a {kinds:?} error, got {value:?}"),
        )),
        Err(err) if kinds.contains(&err.kind()) && !err.is_retryable() => Ok(()),
        Err(err) if err.is_retryable() => Err(Failure::port(check, err)),
        Err(err) => Err(Failure::new(
            check,
            format!(
                "expected a permanent {kinds:?} error, got {} ({})",
                err.kind(),
                err
            ),
        )),
    }
}

/// How long to wait for a change to show (an update to finish, a write to be visible), and how
/// often to look. Waits on the fixture's clock: a virtual one makes them instant.
#[derive(Debug, Clone)]
pub struct Settle {
    /// The clock to wait on (and to read "now" from).
    pub clock: Arc<dyn Clock>,
    /// The longest wait for one change.
    pub timeout: Duration,
    /// The gap between two looks.
    pub poll: Duration,
}

impl Settle {
    /// Waits up to `timeout`, looking every `poll`, on `clock`.
    pub fn new(clock: Arc<dyn Clock>, timeout: Duration, poll: Duration) -> Self {
        Settle {
            clock,
            timeout,
            poll,
        }
    }

    /// Looks with `probe` until it answers `Some`, or fails `check` after the timeout.
    pub(crate) async fn until<T>(
        &self,
        check: &'static str,
        what: &str,
        mut probe: impl AsyncFnMut() -> Result<Option<T>, Failure>,
    ) -> Result<T, Failure> {
        let deadline = time::add(self.clock.now(), self.timeout);
        loop {
            if let Some(value) = probe().await? {
                return Ok(value);
            }
            if self.clock.now() >= deadline {
                return Err(Failure::new(
                    check,
                    format!(
                        "{what} did not happen within {}",
                        HumanDuration(self.timeout)
                    ),
                ));
            }
            self.clock.sleep(self.poll).await;
        }
    }
}

/// Runs each named check in order, stopping at the first failure.
macro_rules! run_checks {
    ($port:expr, $fixture:expr; $($check:ident),+ $(,)?) => {{
        $( $check($port, $fixture).await?; )+
        Ok(())
    }};
}
pub(crate) use run_checks;
