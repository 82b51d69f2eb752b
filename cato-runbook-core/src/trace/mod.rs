//! Traces: what providers answered, call by call, so a real incident can be replayed.
//!
//! A [`Recorder`] writes one [`TraceRecord`] per port call to a [`TraceSink`]: when, which
//! port and operation, the arguments and the answer (or the error, with its kind and retry
//! class). [`Traced`] wraps any provider of any port in the table of [`traced_ports!`] and
//! records through a recorder; [`trace_providers`] wraps every catalog port of a
//! [`Providers`](crate::catalog::Providers) bundle at once. Core does no I/O: a sink is a trait
//! (the file sink lives in `cato-runbook-aws`, [`MemorySink`] here keeps records in memory).
//!
//! The mock crate's replay providers answer each call from a trace, in order per
//! `(port, operation, arguments)`, so the engine can be run again in virtual time against what
//! really happened. Besides port calls, a trace has a few lines of its own (port
//! [`TRACE_PORT`]): where it starts ([`TraceRecord::start`], with the runbooks and policy it
//! ran), every engine tick ([`TraceRecord::tick`]) and, when a sink stops, why
//! ([`TraceRecord::stopped`]). What people do through the engine's
//! [`Operator`](crate::engine::Operator) — acknowledge, approve, deny, note, resolve, halt,
//! resume, call in the AWS TAM — is recorded too, once it succeeded (port [`OPERATOR_PORT`],
//! [`TraceRecord::operator`]), so a replay does it again at the same time.
//!
//! Arguments are the port's own (names, counts, the step's idempotency key); no port takes a
//! credential, so no secret reaches a trace; nor does an operator action (incident, runbook,
//! who, step, reason or text).
//!
//! ```
//! use std::sync::Arc;
//! use cato_runbook_core::ports::SystemClock;
//! use cato_runbook_core::trace::{MemorySink, Recorder};
//!
//! let sink = Arc::new(MemorySink::default());
//! let recorder = Recorder::new(sink.clone(), Arc::new(SystemClock));
//! recorder.tick();
//! assert_eq!(sink.records()[0].op, "tick");
//! ```

mod bundle;
mod ports;
mod record;

use std::fmt;
use std::sync::{Arc, Mutex, PoisonError};

use crate::ports::Clock;

pub use bundle::trace_providers;
pub use ports::{Traceable, Traced, to_value};
pub use record::{
    OPERATOR_PORT, Reply, TRACE_PORT, TraceError, TraceRecord, TraceStart, call_name, parse_jsonl,
    to_jsonl,
};

/// Where trace records go. `record` is called on the engine's path: it must not block (a file
/// sink hands the record to a writer of its own).
pub trait TraceSink: Send + Sync {
    /// Takes one record.
    fn record(&self, record: TraceRecord);

    /// Whether records are still taken (a sink that has stopped says `false`, and the wrappers
    /// skip the work of making records).
    fn recording(&self) -> bool {
        true
    }
}

/// A sink that keeps every record in memory (tests, the game day's `--record`).
#[derive(Debug, Default)]
pub struct MemorySink {
    records: Mutex<Vec<TraceRecord>>,
}

impl MemorySink {
    /// Every record so far, in order.
    pub fn records(&self) -> Vec<TraceRecord> {
        self.records
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// The records as JSON lines.
    pub fn to_jsonl(&self) -> String {
        to_jsonl(&self.records())
    }
}

impl TraceSink for MemorySink {
    fn record(&self, record: TraceRecord) {
        self.records
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(record);
    }
}

/// Records port calls into a sink, timed by a clock. Cheap to clone.
#[derive(Clone)]
pub struct Recorder {
    sink: Arc<dyn TraceSink>,
    clock: Arc<dyn Clock>,
}

impl fmt::Debug for Recorder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Recorder")
            .field("recording", &self.recording())
            .finish_non_exhaustive()
    }
}

impl Recorder {
    /// A recorder into `sink`, on `clock`.
    pub fn new(sink: Arc<dyn TraceSink>, clock: Arc<dyn Clock>) -> Self {
        Recorder { sink, clock }
    }

    /// Whether the sink still takes records.
    pub fn recording(&self) -> bool {
        self.sink.recording()
    }

    /// The clock records are timed by.
    pub fn clock(&self) -> &Arc<dyn Clock> {
        &self.clock
    }

    /// Records `record` as is.
    pub fn record(&self, record: TraceRecord) {
        if self.recording() {
            self.sink.record(record);
        }
    }

    /// Records where the trace starts: the runbooks, the policy and the tick it runs with.
    pub fn start(&self, start: &TraceStart) {
        self.record(TraceRecord::start(self.clock.now(), start));
    }

    /// Records an engine tick at the clock's now (call it right before the tick).
    pub fn tick(&self) {
        self.record(TraceRecord::tick(self.clock.now()));
    }
}
