//! Call records: every call made on a fake, with its arguments, idempotency key and outcome.
//!
//! ```
//! use cato_runbook_core::IdempotencyKey;
//! use cato_runbook_core::ports::Workloads;
//! use cato_runbook_mock::{Op, World};
//!
//! # tokio::runtime::Builder::new_current_thread().enable_time().start_paused(true).build().unwrap().block_on(async {
//! let world = World::default();
//! let key = IdempotencyKey::new("INC-1:scale-orchestrator");
//! world.workloads().scale("cato", "cato-orchestrator", 12, &key).await?;
//! world.workloads().scale("cato", "cato-orchestrator", 12, &key).await?; // a retry
//!
//! let calls = world.calls();
//! assert_eq!(calls.count(Op::WorkloadsScale), 2);
//! assert_eq!(calls.applied(Op::WorkloadsScale).len(), 1); // scaled exactly once…
//! assert_eq!(calls.applied(Op::WorkloadsScale)[0].arg_u64("replicas"), Some(12)); // …to 12
//! # Ok::<(), cato_runbook_core::Error>(())
//! # }).unwrap();
//! ```

use std::fmt;
use std::sync::{Arc, Mutex, MutexGuard};

use cato_runbook_core::{Error, ErrorKind, IdempotencyKey, Retry, Timestamp};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::ops::{Op, OpMatch};

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

/// The shared, append-only log of calls. Cloning it gives another handle on the same log.
#[derive(Debug, Clone, Default)]
pub struct Calls {
    records: Arc<Mutex<Vec<CallRecord>>>,
}

/// The position of a call in a [`Calls`] log, to record its outcome later.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CallId(usize);

impl Calls {
    /// An empty log.
    pub fn new() -> Self {
        Self::default()
    }

    fn lock(&self) -> MutexGuard<'_, Vec<CallRecord>> {
        // Every write is one push or one field update: a poisoned lock holds consistent data.
        self.records
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Records the start of a call; its outcome is [`CallOutcome::Pending`] until
    /// [`Calls::finish`].
    pub fn begin(
        &self,
        op: Op,
        at: Timestamp,
        args: Value,
        key: Option<&IdempotencyKey>,
    ) -> CallId {
        let mut records = self.lock();
        let id = records.len();
        records.push(CallRecord {
            seq: id as u64,
            op,
            at,
            args,
            key: key.cloned(),
            outcome: CallOutcome::Pending,
        });
        CallId(id)
    }

    /// Records how the call `id` ended.
    pub fn finish(&self, id: CallId, outcome: CallOutcome) {
        if let Some(record) = self.lock().get_mut(id.0) {
            record.outcome = outcome;
        }
    }

    /// Every call, in order.
    pub fn all(&self) -> Vec<CallRecord> {
        self.lock().clone()
    }

    /// The calls of the selected operations, in order.
    pub fn of(&self, ops: impl Into<OpMatch>) -> Vec<CallRecord> {
        let ops = ops.into();
        self.lock()
            .iter()
            .filter(|r| ops.matches(r.op))
            .cloned()
            .collect()
    }

    /// How many calls of the selected operations were made (whatever their outcome).
    pub fn count(&self, ops: impl Into<OpMatch>) -> usize {
        let ops = ops.into();
        self.lock().iter().filter(|r| ops.matches(r.op)).count()
    }

    /// The calls of the selected operations that succeeded and were not repeats: the changes
    /// that were applied.
    pub fn applied(&self, ops: impl Into<OpMatch>) -> Vec<CallRecord> {
        let ops = ops.into();
        self.lock()
            .iter()
            .filter(|r| ops.matches(r.op) && r.applied())
            .cloned()
            .collect()
    }

    /// The calls of the selected operations that failed.
    pub fn failed(&self, ops: impl Into<OpMatch>) -> Vec<CallRecord> {
        let ops = ops.into();
        self.lock()
            .iter()
            .filter(|r| ops.matches(r.op) && r.outcome.is_failure())
            .cloned()
            .collect()
    }

    /// The last call of the selected operations.
    pub fn last(&self, ops: impl Into<OpMatch>) -> Option<CallRecord> {
        let ops = ops.into();
        self.lock()
            .iter()
            .rev()
            .find(|r| ops.matches(r.op))
            .cloned()
    }

    /// The operations called, in order (a quick way to assert a sequence of steps).
    pub fn sequence(&self) -> Vec<Op> {
        self.lock().iter().map(|r| r.op).collect()
    }

    /// Forgets every call.
    pub fn clear(&self) {
        self.lock().clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn begin_finish_and_query() {
        let calls = Calls::new();
        let t = chrono::DateTime::UNIX_EPOCH;
        let key = IdempotencyKey::new("k");
        let a = calls.begin(Op::WorkloadsScale, t, json!({"replicas": 12}), Some(&key));
        let b = calls.begin(Op::WorkloadsGet, t, json!({}), None);
        calls.finish(a, CallOutcome::Ok);
        calls.finish(
            b,
            CallOutcome::failed(&Error::new(ErrorKind::Unavailable, "x", "down")),
        );
        assert_eq!(calls.count(Op::WorkloadsScale), 1);
        assert_eq!(calls.count(OpMatch::port("workloads").unwrap()), 2);
        assert_eq!(calls.applied(OpMatch::Any).len(), 1);
        assert_eq!(calls.failed(OpMatch::Any)[0].op, Op::WorkloadsGet);
        let scaled = calls.last(Op::WorkloadsScale).unwrap();
        assert_eq!(scaled.arg_u64("replicas"), Some(12));
        assert_eq!(scaled.key, Some(key));
        assert!(scaled.to_string().contains("workloads.scale"));
        assert_eq!(calls.sequence(), vec![Op::WorkloadsScale, Op::WorkloadsGet]);
        calls.clear();
        assert!(calls.all().is_empty());
    }
}
