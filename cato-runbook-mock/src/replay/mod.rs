//! Replay: providers that answer from a recorded trace, so the engine can run an incident
//! again in virtual time against what the providers really said.
//!
//! A [`Replay`] reads a trace (JSON lines of [`TraceRecord`]s, written by
//! `cato_runbook_core::trace`) and keeps, for each `(port, operation, arguments)`, the answers
//! in the order they were given. Its providers ([`Replay::ports`]) answer each call with the
//! next one; a call the trace does not hold — a runbook that now asks something it did not ask
//! then — fails with a permanent error naming the call, and is kept as a finding
//! ([`Replay::misses`]). Nothing panics on a trace, however it was cut.
//!
//! The trace's own lines say when the engine ticked ([`Replay::ticks`]) and what ran
//! ([`Replay::start`]), so the replay ticks at the very times the recording did. What people
//! did through the operator is kept in order ([`Replay::operator`]): a game day on the trace
//! does it again at the recorded times.

mod ports;
mod record;

use std::collections::{BTreeMap, VecDeque};
use std::fmt;
use std::path::Path;
use std::sync::{Arc, Mutex, PoisonError};

use cato_runbook_core::trace::{Reply, TraceRecord, TraceStart, call_name, parse_jsonl};
use cato_runbook_core::{Error, ErrorKind, Result, Timestamp};
use serde_json::Value;

pub use ports::ReplayPort;

type Key = (String, String, String);

#[derive(Debug, Default)]
struct Answers {
    /// Answers not given yet, per call.
    left: BTreeMap<Key, VecDeque<Reply>>,
    /// How many answers each call had in the trace.
    recorded: BTreeMap<Key, usize>,
    /// Calls the trace could not answer, in words.
    misses: Vec<String>,
}

/// A recorded trace, answering calls in order.
#[derive(Clone)]
pub struct Replay {
    start: Option<TraceStart>,
    started_at: Timestamp,
    ticks: Vec<Timestamp>,
    stopped: Option<String>,
    operator: Vec<TraceRecord>,
    answers: Arc<Mutex<Answers>>,
}

impl fmt::Debug for Replay {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Replay")
            .field("started_at", &self.started_at)
            .field("ticks", &self.ticks.len())
            .finish_non_exhaustive()
    }
}

impl Replay {
    /// A replay of `records`.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidInput`] for an empty trace, or a `trace.start` record whose
    /// arguments are not what ran (naming the record).
    pub fn new(records: Vec<TraceRecord>) -> Result<Self> {
        let Some(first) = records.first() else {
            return Err(Error::invalid_input("replay", "the trace is empty"));
        };
        let started_at = first.time;
        let mut start = None;
        let mut ticks = Vec::new();
        let mut stopped = None;
        let mut operator = Vec::new();
        let mut answers = Answers::default();
        for (i, record) in records.into_iter().enumerate() {
            if record.is_own() {
                match record.op.as_str() {
                    "start" if start.is_none() => {
                        let read = serde_json::from_value(record.args.clone()).map_err(|e| {
                            Error::invalid_input(
                                "replay",
                                format!("record {}: `trace.start` is not what ran: {e}", i + 1),
                            )
                        })?;
                        start = Some(read);
                    }
                    "tick" => ticks.push(record.time),
                    "stopped" => {
                        stopped = record.args["reason"].as_str().map(str::to_owned);
                    }
                    _ => {}
                }
                continue;
            }
            if record.is_operator() {
                operator.push(record);
                continue;
            }
            let key = key(&record.port, &record.op, &record.args);
            *answers.recorded.entry(key.clone()).or_default() += 1;
            answers.left.entry(key).or_default().push_back(record.reply);
        }
        Ok(Replay {
            start,
            started_at,
            ticks,
            stopped,
            operator,
            answers: Arc::new(Mutex::new(answers)),
        })
    }

    /// Parses JSON lines; `origin` names them in errors.
    ///
    /// # Errors
    ///
    /// A line that is not a record (naming it), or an empty trace.
    pub fn parse(origin: &str, text: &str) -> Result<Self> {
        Self::new(parse_jsonl(origin, text)?)
    }

    /// Reads a trace file.
    ///
    /// # Errors
    ///
    /// A file that cannot be read, or as [`Replay::parse`].
    pub fn load(path: impl AsRef<Path>) -> Result<Self> {
        let path = path.as_ref();
        let text = std::fs::read_to_string(path).map_err(|e| {
            Error::invalid_input(
                "replay",
                format!("cannot read the trace {}: {e}", path.display()),
            )
        })?;
        Self::parse(&path.display().to_string(), &text)
    }

    /// What ran, when the trace says.
    pub fn start(&self) -> Option<&TraceStart> {
        self.start.as_ref()
    }

    /// When the trace starts (its first line).
    pub fn started_at(&self) -> Timestamp {
        self.started_at
    }

    /// When the recorded engine ticked.
    pub fn ticks(&self) -> &[Timestamp] {
        &self.ticks
    }

    /// Why the recording stopped early, when it did (its size bound).
    pub fn stopped(&self) -> Option<&str> {
        self.stopped.as_deref()
    }

    /// What people did through the operator, in the order they did it.
    pub fn operator(&self) -> &[TraceRecord] {
        &self.operator
    }

    /// The calls the trace could not answer so far, in words.
    pub fn misses(&self) -> Vec<String> {
        self.lock().misses.clone()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Answers> {
        self.answers.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The next recorded answer to `port.op(args)`.
    pub(crate) fn answer(&self, port: &str, op: &str, args: &Value) -> Result<Value> {
        let key = key(port, op, args);
        let mut answers = self.lock();
        let next = answers.left.get_mut(&key).and_then(VecDeque::pop_front);
        match next {
            Some(Reply::Answer { answer }) => Ok(answer),
            Some(Reply::Error { error }) => Err(error.to_error()),
            None => {
                let call = call_name(port, op, args);
                let message = match answers.recorded.get(&key) {
                    Some(n) => format!(
                        "{call} is not in the trace: it was answered {n} time(s) there, and this is one more"
                    ),
                    None => format!("{call} is not in the trace"),
                };
                tracing::warn!(%call, "replay: a call the trace does not hold");
                answers.misses.push(message.clone());
                Err(Error::new(ErrorKind::NotFound, "replay", message)
                    .with_provider("replay")
                    .with_resource(port.to_owned()))
            }
        }
    }
}

fn key(port: &str, op: &str, args: &Value) -> Key {
    (port.to_owned(), op.to_owned(), args.to_string())
}
