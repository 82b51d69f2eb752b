//! Preflight (feature `preflight`): before anything runs, one light read of every peer the
//! configuration names — the AWS credentials (STS `GetCallerIdentity`), the store, Redis,
//! Kubernetes, the Cato admin API, PagerDuty, Slack, SendGrid, CloudWatch and SageMaker — each
//! with its own timeout, all at once, each saying `ok` or what failed and what to do.
//!
//! ```no_run
//! # async fn check() -> Result<(), Box<dyn std::error::Error>> {
//! use cato_runbook_aws::config::Config;
//! use cato_runbook_aws::preflight;
//!
//! let config = Config::load("cato.toml")?;
//! let probes = preflight::probes(&config).await;
//! let outcomes = preflight::run(probes, &cato_runbook_aws::SystemClock, preflight::DEFAULT_TIMEOUT).await;
//! for o in &outcomes {
//!     println!("{}", o.line());
//! }
//! # Ok(()) }
//! ```
//!
//! No probe changes anything: the reads are the ones the runbooks make first (SQLite is opened
//! as `run` opens it, which creates a missing file).

mod aws;
mod peers;

use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

use cato_runbook_core::ports::Clock;
use cato_runbook_core::{Error, ErrorKind, call};
use serde::Serialize;

pub use peers::probes;

/// How long one probe may take unless the caller says otherwise: 15 seconds.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(15);

type Check = Pin<Box<dyn Future<Output = Result<String, String>> + Send>>;

/// One peer's light read, not yet run.
pub struct Probe {
    peer: String,
    read: &'static str,
    check: Check,
}

impl std::fmt::Debug for Probe {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Probe")
            .field("peer", &self.peer)
            .field("read", &self.read)
            .finish_non_exhaustive()
    }
}

impl Probe {
    /// A probe of `peer` by `read`; `check` answers what it saw, or why it failed and what to
    /// do.
    pub(crate) fn new(
        peer: impl Into<String>,
        read: &'static str,
        check: impl Future<Output = Result<String, String>> + Send + 'static,
    ) -> Self {
        Probe {
            peer: peer.into(),
            read,
            check: Box::pin(check),
        }
    }

    /// The peer it reads (`aws credentials`, `slack`, `store (SQLite cato.db)`, …).
    pub fn peer(&self) -> &str {
        &self.peer
    }
}

/// What one probe found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Outcome {
    /// The peer read.
    pub peer: String,
    /// The read made (`STS GetCallerIdentity`, `auth.test`, …).
    pub read: &'static str,
    /// Whether the peer answered as it should.
    pub ok: bool,
    /// What it answered, or why it failed and what to do.
    pub detail: String,
}

impl Outcome {
    /// One line: `peer (read): ok — detail` or `peer (read): FAILED: why, what to do`.
    pub fn line(&self) -> String {
        if self.ok {
            format!("{} ({}): ok — {}", self.peer, self.read, self.detail)
        } else {
            format!("{} ({}): FAILED: {}", self.peer, self.read, self.detail)
        }
    }
}

/// Runs every probe at once, each within `timeout` on `clock` (the wall clock for real
/// peers), and reports them in the order given.
pub async fn run(probes: Vec<Probe>, clock: &dyn Clock, timeout: Duration) -> Vec<Outcome> {
    let runs = probes.into_iter().map(|probe| async move {
        let answer = call::within(clock, timeout, probe.check).await;
        let (ok, detail) = match answer {
            Some(Ok(seen)) => (true, seen),
            Some(Err(why)) => (false, why),
            None => (
                false,
                format!(
                    "no answer within {}: check that it is up and reachable from here",
                    cato_runbook_core::time::HumanDuration(timeout)
                ),
            ),
        };
        Outcome {
            peer: probe.peer,
            read: probe.read,
            ok,
            detail,
        }
    });
    futures::future::join_all(runs).await
}

/// A failed read as a line: the error, and what to do about it where its kind says (`table`
/// names the configuration's table of the peer).
pub(crate) fn failed(err: &Error, table: &str) -> String {
    let todo = match err.kind() {
        // The message names the credential and what to set.
        ErrorKind::Unauthenticated => None,
        ErrorKind::PermissionDenied => Some(format!(
            "grant the credential of {table} the access it lacks (`cato-runbook iam-policy` \
             lists the AWS actions)"
        )),
        ErrorKind::NotFound => Some(format!("check the name in the configuration ({table})")),
        ErrorKind::Unavailable | ErrorKind::Timeout | ErrorKind::MalformedResponse => Some(
            format!("check the address in {table} and that the service is up and reachable"),
        ),
        ErrorKind::Throttled => Some("try again in a minute".to_owned()),
        _ => None,
    };
    match todo {
        Some(todo) => format!("{err}; {todo}"),
        None => err.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_say_ok_or_what_failed() {
        let ok = Outcome {
            peer: "slack".into(),
            read: "auth.test",
            ok: true,
            detail: "T1/cato".into(),
        };
        assert_eq!(ok.line(), "slack (auth.test): ok — T1/cato");
        let err = Error::new(ErrorKind::Unavailable, "auth.test", "could not connect")
            .with_provider("slack");
        let why = failed(&err, "[providers.slack]");
        assert!(why.contains("could not connect"), "{why}");
        assert!(why.contains("[providers.slack]"), "{why}");
    }

    #[tokio::test(start_paused = true)]
    async fn a_probe_that_never_answers_times_out_and_the_rest_still_report() {
        let clock = cato_runbook_mock::VirtualClock::default();
        let probes = vec![
            Probe::new("fast", "read", async { Ok("fine".to_owned()) }),
            Probe::new("stuck", "read", std::future::pending()),
        ];
        let outcomes = run(probes, &clock, Duration::from_secs(15)).await;
        assert!(outcomes[0].ok);
        assert!(!outcomes[1].ok);
        assert!(
            outcomes[1].detail.contains("no answer within"),
            "{:?}",
            outcomes[1]
        );
    }
}
