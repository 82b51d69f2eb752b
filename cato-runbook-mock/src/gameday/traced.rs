//! A game day recorded into a trace, or run on one.

use std::sync::Arc;

use cato_runbook_core::time;
use cato_runbook_core::trace::{Recorder, TraceSink, TraceStart};
use cato_runbook_core::{Error, Result};
use serde_json::Value;

use super::expect::Verdict;
use super::offset::Offset;
use super::scenario::{Action, OperatorAction, Scenario};
use crate::fakes::FakePorts;
use crate::replay::Replay;
use crate::world::World;

/// The replica a game day's engine runs as.
pub(super) const REPLICA: &str = "game-day";

/// A recorder into `sink` on the world's clock, the trace's first line written.
pub(super) fn recorder(sink: Arc<dyn TraceSink>, world: &World, scenario: &Scenario) -> Recorder {
    let recorder = Recorder::new(sink, world.clock_handle());
    recorder.start(&TraceStart {
        runbooks: scenario.runbooks.clone(),
        policy: scenario.policy.clone(),
        tick: scenario.tick,
        source: format!("game day: {}", scenario.name),
    });
    recorder
}

/// The engine's ports: the world's, or the trace's answers; recorded when asked.
pub(super) fn ports(
    world: &World,
    replay: Option<&Replay>,
    recorder: Option<&Recorder>,
) -> FakePorts {
    let ports = match replay {
        Some(replay) => replay.ports(world, REPLICA),
        None => world.ports(REPLICA),
    };
    match recorder {
        Some(recorder) => ports.traced(recorder),
        None => ports,
    }
}

/// The verdict of a run on a trace: every call was answered from it.
pub(super) fn answered(replay: &Replay) -> Verdict {
    let misses = replay.misses();
    let mut detail = if misses.is_empty() {
        "every call was in the trace".to_owned()
    } else {
        format!(
            "{} call(s) not in the trace: {}",
            misses.len(),
            misses.join("; ")
        )
    };
    if let Some(reason) = replay.stopped() {
        detail.push_str(&format!(" (the recording stopped early: {reason})"));
    }
    Verdict {
        expectation: "every port call answered from the trace".to_owned(),
        passed: misses.is_empty(),
        detail,
    }
}

/// The operator actions a trace can hold, as the scenario's `[[operator]]` kinds.
const ACTION_KINDS: [&str; 8] = [
    "acknowledge",
    "approve",
    "deny",
    "note",
    "resolve",
    "halt",
    "resume",
    "escalate_to_aws_tam",
];

/// What people did in the recording, as `[[operator]]` entries: each at its offset from the
/// trace's start, on the open incident of the runbook it was done on (so an incident id that
/// differs in the replay does not matter).
///
/// # Errors
///
/// [`ErrorKind::InvalidInput`](cato_runbook_core::ErrorKind::InvalidInput) for an action of a kind a scenario has not (naming it), or one
/// whose arguments are not the kind's.
pub fn recorded_actions(replay: &Replay) -> Result<Vec<OperatorAction>> {
    replay
        .operator()
        .iter()
        .map(|record| {
            if !ACTION_KINDS.contains(&record.op.as_str()) {
                return Err(Error::invalid_input(
                    "replay.operator",
                    format!(
                        "{}: unknown operator action `{}` (a replay does {})",
                        record.call(),
                        record.op,
                        ACTION_KINDS.join(", ")
                    ),
                )
                .with_resource(record.op.clone()));
            }
            let mut args = record.args.as_object().cloned().unwrap_or_default();
            let text = |v: Option<Value>| v.and_then(|v| v.as_str().map(str::to_owned));
            args.remove("incident");
            let runbook = text(args.remove("runbook"));
            let by = text(args.remove("by")).unwrap_or_else(|| "on-call".to_owned());
            args.insert("action".to_owned(), Value::String(record.op.clone()));
            let action: Action = serde_json::from_value(Value::Object(args)).map_err(|e| {
                Error::invalid_input(
                    "replay.operator",
                    format!("{}: not a `{}` action: {e}", record.call(), record.op),
                )
                .with_resource(record.op.clone())
            })?;
            Ok(OperatorAction {
                at: Offset::new(time::elapsed(replay.started_at(), record.time)),
                runbook,
                by,
                action,
            })
        })
        .collect()
}
