//! Exit codes, and the failure that carries one.

use std::fmt;
use std::process::ExitCode;

/// What went wrong, and the exit code that says so.
#[derive(Debug)]
pub(crate) struct Failure {
    pub(crate) code: u8,
    pub(crate) message: String,
}

/// A game-day expectation failed.
pub(crate) const VERDICT_FAILED: u8 = 1;
/// Bad usage, configuration or input.
pub(crate) const USAGE: u8 = 2;
/// A provider or runtime failure.
pub(crate) const RUNTIME: u8 = 3;
/// A credential is missing, expired or refused: a person must act (log in, set or renew it).
pub(crate) const UNAUTHENTICATED: u8 = 4;
/// `check`: the file is fine, but a configured peer failed its live read.
pub(crate) const PEER_FAILED: u8 = 5;

impl Failure {
    pub(crate) fn usage(message: impl Into<String>) -> Self {
        Failure {
            code: USAGE,
            message: message.into(),
        }
    }

    pub(crate) fn runtime(message: impl Into<String>) -> Self {
        Failure {
            code: RUNTIME,
            message: message.into(),
        }
    }

    /// Names where the failure happened.
    pub(crate) fn prefixed(mut self, place: &str) -> Self {
        self.message = format!("{place}: {}", self.message);
        self
    }

    pub(crate) fn exit_code(&self) -> ExitCode {
        ExitCode::from(self.code)
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl From<cato_runbook_core::Error> for Failure {
    fn from(err: cato_runbook_core::Error) -> Self {
        match err.kind() {
            cato_runbook_core::ErrorKind::InvalidInput => Failure::usage(err.to_string()),
            cato_runbook_core::ErrorKind::Unauthenticated => Failure {
                code: UNAUTHENTICATED,
                message: err.to_string(),
            },
            _ => Failure::runtime(err.to_string()),
        }
    }
}

impl From<std::io::Error> for Failure {
    fn from(err: std::io::Error) -> Self {
        Failure::runtime(err.to_string())
    }
}

impl From<serde_json::Error> for Failure {
    fn from(err: serde_json::Error) -> Self {
        Failure::runtime(err.to_string())
    }
}
