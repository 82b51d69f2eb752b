//! A scenario that runs on a recorded trace, and the file it is written to.

use std::path::PathBuf;
use std::time::Duration;

use cato_runbook_core::catalog::CatalogConfig;
use cato_runbook_core::engine::Policy;
use cato_runbook_core::time;
use cato_runbook_core::trace::TraceStart;
use cato_runbook_core::{Error, ErrorKind, Result};
use serde::Serialize;

use super::expect::Expectation;
use super::scenario::Scenario;
use crate::replay::Replay;

impl Scenario {
    /// A scenario that runs on the trace at `path` (read as `replay`): its runbooks, policy and
    /// tick are the recording's (or `fallback`'s, for a trace without its first line), it runs
    /// until a tick after the last recorded one, and it expects `expect`.
    pub fn replaying(
        name: impl Into<String>,
        path: PathBuf,
        replay: &Replay,
        fallback: &TraceStart,
        expect: Vec<Expectation>,
    ) -> Scenario {
        let start = replay.start().unwrap_or(fallback).clone();
        let last = replay
            .ticks()
            .last()
            .copied()
            .unwrap_or(replay.started_at());
        let duration = time::elapsed(replay.started_at(), last) + start.tick;
        Scenario {
            name: name.into(),
            description: format!(
                "Replays a recorded trace ({}): the decisions the runbooks took then are \
                 expected again.",
                start.source
            ),
            duration,
            tick: start.tick,
            seed: None,
            runbooks: start.runbooks,
            policy: start.policy,
            engine: Default::default(),
            world: Default::default(),
            events: Vec::new(),
            faults: Vec::new(),
            operator: Vec::new(),
            expect,
            catalog: None,
            trace: Some(path),
        }
    }

    /// The scenario as a TOML file: what a scenario on a trace needs (name, duration, tick,
    /// runbooks, policy, the trace, the catalog's settings when given, the expectations).
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Internal`] when a value does not serialize.
    pub fn to_replay_toml(&self) -> Result<String> {
        #[derive(Serialize)]
        struct File<'a> {
            name: &'a str,
            description: &'a str,
            #[serde(with = "humantime_serde")]
            duration: Duration,
            #[serde(with = "humantime_serde")]
            tick: Duration,
            runbooks: &'a [String],
            #[serde(skip_serializing_if = "Option::is_none")]
            trace: Option<&'a PathBuf>,
            policy: &'a Policy,
            #[serde(skip_serializing_if = "Option::is_none")]
            catalog: Option<&'a CatalogConfig>,
            expect: &'a [Expectation],
        }
        let file = File {
            name: &self.name,
            description: &self.description,
            duration: self.duration,
            tick: self.tick,
            runbooks: &self.runbooks,
            trace: self.trace.as_ref(),
            policy: &self.policy,
            catalog: self.catalog.as_ref(),
            expect: &self.expect,
        };
        toml::to_string(&file).map_err(|e| {
            Error::new(
                ErrorKind::Internal,
                "gameday.replay",
                format!("cannot write the scenario: {e}"),
            )
        })
    }
}
