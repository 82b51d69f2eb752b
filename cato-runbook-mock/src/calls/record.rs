//! One call's record: what was called, with which arguments and key, and how it ended.

use std::fmt;

use cato_runbook_core::{Error, ErrorKind, IdempotencyKey, Retry, Timestamp};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::ops::Op;

/// How a call ended.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum CallOutcome {
    /// Still running (or hung).
    Pending,
    /// Succeeded and, for a mutating call, applied.
    Ok,
    /// A repeat of an earlier call with the same idempotency key: answered, not applied again.
    Deduplicated,
    /// Failed.
    Failed {
        /// The error's kind.
        kind: ErrorKind,
        /// Its retry class.
        retry: Retry,
        /// Its `Display`.
        message: String,
    },
}

impl CallOutcome {
    /// The outcome of a finished call.
    pub fn of<T>(result: &Result<T, Error>) -> Self {
        match result {
            Ok(_) => CallOutcome::Ok,
            Err(err) => CallOutcome::failed(err),
        }
    }

    /// The outcome of a call that failed with `err`.
    pub fn failed(err: &Error) -> Self {
        CallOutcome::Failed {
            kind: err.kind(),
            retry: err.retry(),
            message: err.to_string(),
        }
    }

    /// Whether the call failed.
    pub fn is_failure(&self) -> bool {
        matches!(self, CallOutcome::Failed { .. })
    }
}

/// One call.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CallRecord {
    /// Its position among all calls of the world, from 0.
    pub seq: u64,
    /// The operation.
    pub op: Op,
    /// The clock's time when the call was made.
    pub at: Timestamp,
    /// The arguments, by name (a JSON object).
    pub args: Value,
    /// The idempotency key, for mutating calls that take one.
    pub key: Option<IdempotencyKey>,
    /// How it ended.
    pub outcome: CallOutcome,
}

impl CallRecord {
    /// The argument `name`, if any.
    pub fn arg(&self, name: &str) -> Option<&Value> {
        self.args.get(name)
    }

    /// The argument `name` as an unsigned integer.
    pub fn arg_u64(&self, name: &str) -> Option<u64> {
        self.arg(name).and_then(Value::as_u64)
    }

    /// The argument `name` as a number.
    pub fn arg_f64(&self, name: &str) -> Option<f64> {
        self.arg(name).and_then(Value::as_f64)
    }

    /// The argument `name` as a string.
    pub fn arg_str(&self, name: &str) -> Option<&str> {
        self.arg(name).and_then(Value::as_str)
    }

    /// Whether the call changed something: it succeeded and was not a repeat.
    pub fn applied(&self) -> bool {
        self.outcome == CallOutcome::Ok
    }
}

impl fmt::Display for CallRecord {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "#{} {} {} {}",
            self.seq,
            self.at.format("%H:%M:%S"),
            self.op,
            self.args
        )?;
        if let Some(key) = &self.key {
            write!(f, " key={key}")?;
        }
        match &self.outcome {
            CallOutcome::Pending => f.write_str(" → pending"),
            CallOutcome::Ok => f.write_str(" → ok"),
            CallOutcome::Deduplicated => f.write_str(" → deduplicated"),
            CallOutcome::Failed { message, .. } => write!(f, " → {message}"),
        }
    }
}
