//! One line of a trace, and the trace's own lines (start, tick, stopped).

use std::time::Duration;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::engine::Policy;
use crate::error::{Error, ErrorKind, Retry};
use crate::time::Timestamp;

/// The port name of a trace's own lines: `trace.start`, `trace.tick`, `trace.stopped`.
pub const TRACE_PORT: &str = "trace";

/// The port name of what people did through the engine's operator: `operator.approve`,
/// `operator.deny`, … (arguments: the incident and its runbook, who, and what the action
/// takes: the step, the reason, the text).
pub const OPERATOR_PORT: &str = "operator";

/// One line of a trace: `{time, port, op, args, answer | error}`. A line with another key, or
/// with both `answer` and `error`, or neither, is refused when read.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "Line")]
pub struct TraceRecord {
    /// When the call was made.
    pub time: Timestamp,
    /// The port, e.g. `endpoint` (`endpoint@us-west-2` for another region's), or
    /// [`TRACE_PORT`].
    pub port: String,
    /// The operation, e.g. `describe`.
    pub op: String,
    /// The arguments by name, e.g. `{"endpoint": "cato-shadow-self"}`.
    pub args: Value,
    /// What the provider answered.
    #[serde(flatten)]
    pub reply: Reply,
}

/// What a provider answered: a value or an error.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Reply {
    /// It failed.
    Error {
        /// How.
        error: TraceError,
    },
    /// It answered (`null` for an operation that answers nothing).
    Answer {
        /// The answer, as the port's type serializes.
        answer: Value,
    },
}

/// A line as it is read: every key named, no other (a flattened reply would take any).
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Line {
    time: Timestamp,
    port: String,
    op: String,
    args: Value,
    #[serde(default, deserialize_with = "present")]
    answer: Option<Value>,
    #[serde(default)]
    error: Option<TraceError>,
}

/// `Some` for a key that is there, even as `null` (an operation that answers nothing).
fn present<'de, D: serde::Deserializer<'de>>(value: D) -> Result<Option<Value>, D::Error> {
    Value::deserialize(value).map(Some)
}

impl TryFrom<Line> for TraceRecord {
    type Error = &'static str;

    fn try_from(line: Line) -> Result<Self, Self::Error> {
        let reply = match (line.answer, line.error) {
            (Some(answer), None) => Reply::Answer { answer },
            (None, Some(error)) => Reply::Error { error },
            (Some(_), Some(_)) => return Err("a record has `answer` or `error`, not both"),
            (None, None) => return Err("a record needs `answer` or `error`"),
        };
        Ok(TraceRecord {
            time: line.time,
            port: line.port,
            op: line.op,
            args: line.args,
            reply,
        })
    }
}

/// An error as a trace keeps it: enough to raise the same error again.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TraceError {
    /// What the caller can do.
    pub kind: ErrorKind,
    /// Whether trying again can help.
    pub retry: Retry,
    /// The failed operation, as the error names it.
    pub operation: String,
    /// The message.
    pub message: String,
    /// The provider, when the error names one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provider: Option<String>,
    /// The resource, when the error names one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resource: Option<String>,
}

impl TraceError {
    /// The trace's copy of `err`.
    pub fn of(err: &Error) -> Self {
        TraceError {
            kind: err.kind(),
            retry: err.retry(),
            operation: err.operation().to_owned(),
            message: err.message().to_owned(),
            provider: err.provider().map(str::to_owned),
            resource: err.resource().map(str::to_owned),
        }
    }

    /// The error again, as the provider raised it.
    pub fn to_error(&self) -> Error {
        let mut out = Error::new(self.kind, self.operation.clone(), self.message.clone())
            .with_retry(self.retry);
        if let Some(provider) = &self.provider {
            out = out.with_provider(provider.clone());
        }
        if let Some(resource) = &self.resource {
            out = out.with_resource(resource.clone());
        }
        out
    }
}

/// What a trace's first line says: what ran.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TraceStart {
    /// The runbooks the engine ran, by id.
    pub runbooks: Vec<String>,
    /// The policy it ran under.
    pub policy: Policy,
    /// Its tick interval.
    #[serde(with = "humantime_serde")]
    pub tick: Duration,
    /// Where the trace comes from, e.g. a game day's name or `run on orchestrator-0`.
    #[serde(default)]
    pub source: String,
}

impl TraceRecord {
    fn own(time: Timestamp, op: &str, args: Value) -> Self {
        TraceRecord {
            time,
            port: TRACE_PORT.to_owned(),
            op: op.to_owned(),
            args,
            reply: Reply::Answer {
                answer: Value::Null,
            },
        }
    }

    /// The first line: what ran.
    pub fn start(time: Timestamp, start: &TraceStart) -> Self {
        Self::own(
            time,
            "start",
            serde_json::to_value(start).unwrap_or(Value::Null),
        )
    }

    /// An engine tick at `time`.
    pub fn tick(time: Timestamp) -> Self {
        Self::own(time, "tick", Value::Object(serde_json::Map::new()))
    }

    /// A person's action through the operator, at `time`: `op` is the action (`approve`, …).
    pub fn operator(time: Timestamp, op: &str, args: Value) -> Self {
        TraceRecord {
            port: OPERATOR_PORT.to_owned(),
            ..Self::own(time, op, args)
        }
    }

    /// Whether this is a person's action rather than a port call.
    pub fn is_operator(&self) -> bool {
        self.port == OPERATOR_PORT
    }

    /// The last line of a sink that stopped recording, and why.
    pub fn stopped(time: Timestamp, reason: &str) -> Self {
        Self::own(time, "stopped", serde_json::json!({ "reason": reason }))
    }

    /// Whether this is one of the trace's own lines rather than a port call.
    pub fn is_own(&self) -> bool {
        self.port == TRACE_PORT
    }

    /// `port.op(name=value, …)`, for messages.
    pub fn call(&self) -> String {
        call_name(&self.port, &self.op, &self.args)
    }
}

/// `port.op(name=value, …)`.
pub fn call_name(port: &str, op: &str, args: &Value) -> String {
    let shown = match args {
        Value::Object(map) => map
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join(", "),
        other => other.to_string(),
    };
    format!("{port}.{op}({shown})")
}

/// Records as JSON lines, one per line.
pub fn to_jsonl(records: &[TraceRecord]) -> String {
    let mut out = String::new();
    for record in records {
        if let Ok(line) = serde_json::to_string(record) {
            out.push_str(&line);
            out.push('\n');
        }
    }
    out
}

/// Parses JSON lines; `origin` names the text in errors, with the line number.
///
/// # Errors
///
/// [`ErrorKind::InvalidInput`] naming the line that is not a record.
pub fn parse_jsonl(origin: &str, text: &str) -> Result<Vec<TraceRecord>, Error> {
    text.lines()
        .enumerate()
        .filter(|(_, line)| !line.trim().is_empty())
        .map(|(i, line)| {
            serde_json::from_str(line).map_err(|e| {
                Error::invalid_input(
                    "trace.parse",
                    format!("{origin}:{}: not a trace record: {e}", i + 1),
                )
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_line_with_an_unknown_key_or_two_replies_is_refused() {
        let line = r#"{"time":"2026-03-10T00:00:00Z","port":"cache","op":"counters","args":{}"#;
        for (rest, says) in [
            (r#","answer":null,"unknown":1}"#, "unknown field `unknown`"),
            (
                r#","answer":1,"error":{"kind":"timeout","retry":"transient","operation":"o","message":"m"}}"#,
                "not both",
            ),
            ("}", "needs `answer` or `error`"),
        ] {
            let err = parse_jsonl("t.jsonl", &format!("{line}{rest}")).unwrap_err();
            assert!(err.message().starts_with("t.jsonl:1: "), "{err}");
            assert!(err.message().contains(says), "{says}: {err}");
        }
        let null = parse_jsonl("t.jsonl", &format!("{line},\"answer\":null}}")).unwrap();
        assert_eq!(
            null[0].reply,
            Reply::Answer {
                answer: Value::Null
            }
        );
    }

    #[test]
    fn a_record_round_trips_as_one_json_line() {
        let time = Timestamp::from_timestamp(1_773_100_800, 0).unwrap_or_default();
        let ok = TraceRecord {
            time,
            port: "endpoint".into(),
            op: "describe".into(),
            args: serde_json::json!({"endpoint": "cato-shadow-self"}),
            reply: Reply::Answer {
                answer: Value::Null,
            },
        };
        let err = Error::new(ErrorKind::Throttled, "endpoint.describe", "slow down")
            .with_provider("sagemaker")
            .with_resource("cato-shadow-self");
        let failed = TraceRecord {
            reply: Reply::Error {
                error: TraceError::of(&err),
            },
            ..ok.clone()
        };
        let text = to_jsonl(&[ok.clone(), failed.clone()]);
        assert!(
            text.lines()
                .nth(1)
                .unwrap()
                .contains(r#""retry":"throttled""#)
        );
        assert_eq!(parse_jsonl("t", &text).unwrap(), [ok, failed.clone()]);
        let Reply::Error { error } = &failed.reply else {
            panic!("an error")
        };
        let again = error.to_error();
        assert_eq!(again.kind(), ErrorKind::Throttled);
        assert_eq!(again.resource(), Some("cato-shadow-self"));
        let bad = parse_jsonl("t.jsonl", "\n{}\n").unwrap_err();
        assert!(bad.message().starts_with("t.jsonl:2: not a trace record"));
    }
}
