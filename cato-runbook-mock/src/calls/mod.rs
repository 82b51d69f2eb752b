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

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex, MutexGuard};

use cato_runbook_core::{IdempotencyKey, Timestamp};
use serde_json::Value;

use crate::ops::{Op, OpMatch};

mod record;

pub use record::{CallOutcome, CallRecord};

/// How many calls a [`Calls`] log keeps by default (the most recent ones).
pub const DEFAULT_KEPT: usize = 100_000;

/// The shared log of calls. Cloning it gives another handle on the same log.
///
/// It keeps the most recent calls ([`DEFAULT_KEPT`] by default, [`Calls::keep_last`] to change
/// it) and, exactly, how many calls of each operation were ever made and how each ended: the
/// counting queries ([`count`](Calls::count), [`count_applied`](Calls::count_applied),
/// [`count_failed`](Calls::count_failed), [`total`](Calls::total)) are exact however long the
/// world runs (two calls are two, as for the real service), while the queries that answer
/// records ([`all`](Calls::all), [`of`](Calls::of), [`applied`](Calls::applied), …) see the
/// calls still kept. A record's `seq` is its position among every call ever made.
#[derive(Debug, Clone, Default)]
pub struct Calls {
    log: Arc<Mutex<Log>>,
}

#[derive(Debug)]
struct Log {
    /// The calls kept, oldest first; the first is call number `first`.
    records: VecDeque<CallRecord>,
    first: u64,
    kept: usize,
    counts: HashMap<Op, Counts>,
    /// Calls let go of while still pending: their outcome is still counted when it comes.
    pending_dropped: HashMap<u64, Op>,
}

impl Default for Log {
    fn default() -> Self {
        Log {
            records: VecDeque::new(),
            first: 0,
            kept: DEFAULT_KEPT,
            counts: HashMap::new(),
            pending_dropped: HashMap::new(),
        }
    }
}

/// How many calls of one operation were made, by how they ended.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct Counts {
    made: u64,
    applied: u64,
    deduplicated: u64,
    failed: u64,
}

impl Counts {
    fn tally(&mut self, outcome: &CallOutcome, by: i8) {
        let slot = match outcome {
            CallOutcome::Pending => return,
            CallOutcome::Ok => &mut self.applied,
            CallOutcome::Deduplicated => &mut self.deduplicated,
            CallOutcome::Failed { .. } => &mut self.failed,
        };
        *slot = if by > 0 {
            slot.saturating_add(1)
        } else {
            slot.saturating_sub(1)
        };
    }
}

impl Log {
    fn next_seq(&self) -> u64 {
        self.first.saturating_add(self.records.len() as u64)
    }

    fn trim(&mut self) {
        while self.records.len() > self.kept {
            let Some(dropped) = self.records.pop_front() else {
                break;
            };
            self.first = self.first.saturating_add(1);
            if dropped.outcome == CallOutcome::Pending {
                self.pending_dropped.insert(dropped.seq, dropped.op);
            }
        }
    }

    fn sum(&self, ops: OpMatch, field: fn(&Counts) -> u64) -> usize {
        let total: u64 = self
            .counts
            .iter()
            .filter(|(op, _)| ops.matches(**op))
            .map(|(_, counts)| field(counts))
            .sum();
        usize::try_from(total).unwrap_or(usize::MAX)
    }
}

/// The position of a call in a [`Calls`] log, to record its outcome later.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CallId(u64);

impl Calls {
    /// An empty log that keeps the last [`DEFAULT_KEPT`] calls.
    pub fn new() -> Self {
        Self::default()
    }

    fn lock(&self) -> MutexGuard<'_, Log> {
        // Every write is one push or one field update: a poisoned lock holds consistent data.
        self.log
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Keeps the last `calls` calls (at least one) from now on, letting go of older ones at
    /// once; the counts stay exact.
    pub fn keep_last(&self, calls: usize) {
        let mut log = self.lock();
        log.kept = calls.max(1);
        log.trim();
    }

    /// How many calls the log keeps at most.
    pub fn kept(&self) -> usize {
        self.lock().kept
    }

    /// How many calls the log holds now (at most [`kept`](Self::kept)).
    pub fn len(&self) -> usize {
        self.lock().records.len()
    }

    /// Whether no call is held.
    pub fn is_empty(&self) -> bool {
        self.lock().records.is_empty()
    }

    /// How many calls were ever made (since the last [`clear`](Self::clear)).
    pub fn total(&self) -> u64 {
        self.lock().next_seq()
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
        let mut log = self.lock();
        let seq = log.next_seq();
        log.records.push_back(CallRecord {
            seq,
            op,
            at,
            args,
            key: key.cloned(),
            outcome: CallOutcome::Pending,
        });
        let counts = log.counts.entry(op).or_default();
        counts.made = counts.made.saturating_add(1);
        log.trim();
        CallId(seq)
    }

    /// Records how the call `id` ended.
    pub fn finish(&self, id: CallId, outcome: CallOutcome) {
        let mut log = self.lock();
        let log = &mut *log;
        let held =
            id.0.checked_sub(log.first)
                .and_then(|at| usize::try_from(at).ok())
                .and_then(|at| log.records.get_mut(at));
        if let Some(record) = held {
            let counts = log.counts.entry(record.op).or_default();
            counts.tally(&record.outcome, -1);
            counts.tally(&outcome, 1);
            record.outcome = outcome;
        } else if let Some(op) = log.pending_dropped.remove(&id.0) {
            log.counts.entry(op).or_default().tally(&outcome, 1);
        }
    }

    /// Every call kept, in order.
    pub fn all(&self) -> Vec<CallRecord> {
        self.lock().records.iter().cloned().collect()
    }

    /// The kept calls of the selected operations, in order.
    pub fn of(&self, ops: impl Into<OpMatch>) -> Vec<CallRecord> {
        let ops = ops.into();
        self.lock()
            .records
            .iter()
            .filter(|r| ops.matches(r.op))
            .cloned()
            .collect()
    }

    /// How many calls of the selected operations were ever made (whatever their outcome).
    pub fn count(&self, ops: impl Into<OpMatch>) -> usize {
        self.lock().sum(ops.into(), |c| c.made)
    }

    /// How many calls of the selected operations ever succeeded and were not repeats.
    pub fn count_applied(&self, ops: impl Into<OpMatch>) -> usize {
        self.lock().sum(ops.into(), |c| c.applied)
    }

    /// How many calls of the selected operations ever failed.
    pub fn count_failed(&self, ops: impl Into<OpMatch>) -> usize {
        self.lock().sum(ops.into(), |c| c.failed)
    }

    /// How many calls of the selected operations were ever answered as repeats.
    pub fn count_deduplicated(&self, ops: impl Into<OpMatch>) -> usize {
        self.lock().sum(ops.into(), |c| c.deduplicated)
    }

    /// The kept calls of the selected operations that succeeded and were not repeats: the
    /// changes that were applied.
    pub fn applied(&self, ops: impl Into<OpMatch>) -> Vec<CallRecord> {
        let ops = ops.into();
        self.lock()
            .records
            .iter()
            .filter(|r| ops.matches(r.op) && r.applied())
            .cloned()
            .collect()
    }

    /// The kept calls of the selected operations that failed.
    pub fn failed(&self, ops: impl Into<OpMatch>) -> Vec<CallRecord> {
        let ops = ops.into();
        self.lock()
            .records
            .iter()
            .filter(|r| ops.matches(r.op) && r.outcome.is_failure())
            .cloned()
            .collect()
    }

    /// The last call of the selected operations, if it is still kept.
    pub fn last(&self, ops: impl Into<OpMatch>) -> Option<CallRecord> {
        let ops = ops.into();
        self.lock()
            .records
            .iter()
            .rev()
            .find(|r| ops.matches(r.op))
            .cloned()
    }

    /// The operations of the kept calls, in order (a quick way to assert a sequence of steps).
    pub fn sequence(&self) -> Vec<Op> {
        self.lock().records.iter().map(|r| r.op).collect()
    }

    /// Forgets every call and every count (the number of calls kept stays).
    pub fn clear(&self) {
        let mut log = self.lock();
        let kept = log.kept;
        *log = Log {
            kept,
            ..Log::default()
        };
    }
}

#[cfg(test)]
mod tests;
