//! A game day recorded into a trace, or run on one.

use std::sync::Arc;

use cato_runbook_core::trace::{Recorder, TraceSink, TraceStart};

use super::expect::Verdict;
use super::scenario::Scenario;
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
