//! Runs a scenario: builds its world, drives the engine over virtual time, judges the outcome.

use std::collections::VecDeque;
use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use cato_runbook_core::catalog;
use cato_runbook_core::ports::Clock;
use cato_runbook_core::time::{self, Timestamp};
use cato_runbook_core::{Error, ErrorKind, Incident, Result};

use super::changes;
use super::engine_log::EngineLog;
use super::expect::Outcome;
use super::operator::{action_label, perform};
use super::registry::RunbookRegistry;
use super::report::{Line, Report};
use super::scenario::{OperatorAction, Scenario};
use super::traced;
use crate::fault::FaultRule;
use crate::harness::Harness;
use crate::replay::Replay;
use crate::world::World;
use cato_runbook_core::trace::TraceSink;

/// Called after every tick with the virtual time elapsed and the scenario's duration.
pub type Progress = Arc<dyn Fn(Duration, Duration) + Send + Sync>;

/// Runs game-day scenarios with the runbooks of a registry.
///
/// # Examples
///
/// ```
/// use cato_runbook_mock::gameday::{GameDay, RunbookRegistry, Scenario};
///
/// let scenario = Scenario::from_toml("inline.toml", r#"
///     name = "a quiet hour"
///     duration = "1h"
///     runbooks = ["nothing"]
///     [[expect]]
///     expect = "pages"
///     count = 0
/// "#)?;
/// let mut registry = RunbookRegistry::new();
/// registry.register("nothing", |_| cato_runbook_core::runbook::Runbook::builder("nothing", "Nothing").build());
/// let report = GameDay::new(registry).run_blocking(&scenario, Some(7))?;
/// assert!(report.passed, "{report}");
/// assert_eq!(report.ticks, 120);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone)]
pub struct GameDay {
    registry: RunbookRegistry,
    progress: Option<Progress>,
}

impl GameDay {
    /// A runner of the runbooks in `registry`.
    pub fn new(registry: RunbookRegistry) -> Self {
        GameDay {
            registry,
            progress: None,
        }
    }

    /// Reports progress after every tick.
    pub fn on_progress(
        mut self,
        progress: impl Fn(Duration, Duration) + Send + Sync + 'static,
    ) -> Self {
        self.progress = Some(Arc::new(progress));
        self
    }

    /// Runs `scenario` on a fresh current-thread runtime with paused time: the whole run takes
    /// milliseconds of real time. `seed` overrides the scenario's.
    ///
    /// # Errors
    ///
    /// As [`GameDay::run`], or when the runtime cannot be built.
    pub fn run_blocking(&self, scenario: &Scenario, seed: Option<u64>) -> Result<Report> {
        self.run_blocking_with(scenario, seed, None)
    }

    /// As [`GameDay::run_blocking`], recording every port call into `sink` when given.
    ///
    /// # Errors
    ///
    /// As [`GameDay::run_blocking`].
    pub fn run_blocking_with(
        &self,
        scenario: &Scenario,
        seed: Option<u64>,
        sink: Option<Arc<dyn TraceSink>>,
    ) -> Result<Report> {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_time()
            .start_paused(true)
            .build()
            .map_err(|e| {
                Error::new(
                    ErrorKind::Internal,
                    "gameday.runtime",
                    "cannot build a runtime",
                )
                .with_source(e)
            })?;
        runtime.block_on(self.run_with(scenario, seed, sink))
    }

    /// Runs `scenario`. Call it on a runtime whose time is paused (`start_paused = true`) so the
    /// scenario runs in virtual time; [`GameDay::run_blocking`] makes one.
    ///
    /// # Errors
    ///
    /// An unknown runbook, a world that cannot be built, or an engine that cannot be built or
    /// fails a tick. Failed expectations are not errors: they are in the report.
    pub async fn run(&self, scenario: &Scenario, seed: Option<u64>) -> Result<Report> {
        self.run_with(scenario, seed, None).await
    }

    /// As [`GameDay::run`], recording every port call of the run into `sink` (a trace a
    /// replay can run on).
    ///
    /// # Errors
    ///
    /// As [`GameDay::run`].
    pub async fn run_recorded(
        &self,
        scenario: &Scenario,
        seed: Option<u64>,
        sink: Arc<dyn TraceSink>,
    ) -> Result<Report> {
        self.run_with(scenario, seed, Some(sink)).await
    }

    async fn run_with(
        &self,
        scenario: &Scenario,
        seed: Option<u64>,
        sink: Option<Arc<dyn TraceSink>>,
    ) -> Result<Report> {
        let mut config = scenario.world.clone();
        if let Some(seed) = seed.or(scenario.seed) {
            config.seed = seed;
        }
        let seed = config.seed;
        let replay = match &scenario.trace {
            Some(path) => Some(Replay::load(path)?),
            None => None,
        };
        if let Some(replay) = &replay {
            config.start = replay.started_at();
        }
        let recorded = match &replay {
            Some(replay) => traced::recorded_actions(replay)?,
            None => Vec::new(),
        };
        let world = World::new(config)?;
        let recorder = sink.map(|sink| traced::recorder(sink, &world, scenario));
        let ports = traced::ports(&world, replay.as_ref(), recorder.as_ref());
        let mut replay_ticks = replay.as_ref().map(|r| VecDeque::from(r.ticks().to_vec()));
        let start = world.now();
        let mut lines = Vec::new();

        for event in &scenario.events {
            world.schedule(world.at(event.at.as_duration()), event.change.clone())?;
            lines.push(line(
                event.at.as_duration(),
                "world",
                "game day",
                event.change.to_string(),
                "",
            ));
        }
        for fault in &scenario.faults {
            let mut rule = FaultRule::new(fault.op, fault.fault.clone());
            rule.times = fault.times;
            rule.skip = fault.skip;
            rule.from = Some(world.at(fault.at.as_duration()));
            rule.until = fault.until.map(|u| world.at(u.as_duration()));
            world.faults().add(rule);
            lines.push(line(
                fault.at.as_duration(),
                "world",
                "game day",
                format!("fault on {}", fault.op),
                fault.fault.to_string(),
            ));
        }

        let mut engine_config = scenario.engine.clone();
        engine_config.tick_interval = scenario.tick;
        let registry = &self.registry;
        let mut harness = Harness::on(&world).replica(traced::REPLICA).ports(ports);
        if let Some(recorder) = &recorder {
            harness = harness.trace(recorder.clone());
        }
        let harness = harness
            .runbooks(|providers| {
                scenario
                    .runbooks
                    .iter()
                    .map(|id| match &scenario.catalog {
                        // The scenario's own settings for the catalog's runbooks.
                        Some(settings) if catalog::entry(id).is_ok() => {
                            catalog::build(id, providers, settings)
                        }
                        _ => registry.build(id, providers),
                    })
                    .collect()
            })
            .policy(scenario.policy.clone())
            .config(engine_config)
            .build()?;
        let prevention = harness
            .engine()
            .runbooks()
            .iter()
            .map(|r| (r.id().to_string(), r.prevention().to_vec()))
            .collect();
        let operator = harness.operator();

        let clock = world.clock();
        let end = time::add(start, scenario.duration);
        let mut actions: VecDeque<OperatorAction> = {
            let mut sorted = scenario.operator.clone();
            // On a trace, what people did then is done again, at the same times.
            sorted.extend(recorded);
            sorted.sort_by_key(|a| a.at);
            sorted.into()
        };
        let mut ticks = 0u64;
        // On a trace the engine ticks when the recording did, not on the interval.
        let mut engine_log = EngineLog::new(match replay {
            Some(_) => Duration::MAX,
            None => scenario.tick,
        });
        loop {
            let now = clock.now();
            while let Some(action) = actions.pop_front_if(|a| world.at(a.at.as_duration()) <= now) {
                let result = perform(&operator, &action).await;
                lines.push(line(
                    time::elapsed(start, now),
                    "operator",
                    &action.by,
                    action_label(&action.action),
                    result,
                ));
            }
            if now >= end {
                break;
            }
            let until = actions.front().map_or(end, |action| {
                world.at(action.at.as_duration()).max(now).min(end)
            });
            let report = match replay_ticks.as_mut() {
                None => harness.tick_then_wait(until).await?,
                // On a trace, the engine ticks when the recording did.
                Some(due) => match due.front().copied() {
                    Some(at) if at <= now => {
                        due.pop_front();
                        harness.engine().tick().await?
                    }
                    next => {
                        clock
                            .sleep_until(next.map_or(until, |at| at.min(until)))
                            .await;
                        continue;
                    }
                },
            };
            engine_log.tick(time::elapsed(start, now), &report, &mut lines);
            ticks += 1;
            if let Some(progress) = &self.progress {
                progress(time::elapsed(start, now), scenario.duration);
            }
        }

        // What the engine left, read past the faults: the report is no part of the run.
        let mut incidents = world.incidents().await?;
        incidents.sort_by(|a, b| {
            a.detected_at()
                .cmp(&b.detected_at())
                .then_with(|| a.id().cmp(b.id()))
        });
        let pages = world.pager_events();
        let calls = world.calls().all();
        let outcome = Outcome {
            start,
            incidents: &incidents,
            pager: &pages,
            calls: &calls,
        };
        let mut verdicts: Vec<_> = scenario.expect.iter().map(|e| e.judge(&outcome)).collect();
        if let Some(replay) = &replay {
            verdicts.push(traced::answered(replay));
        }
        let repeated_changes = changes::repeated(&calls);
        verdicts.extend(changes::verdict(&repeated_changes));
        verdicts.extend(engine_log.verdict());
        lines.extend(incident_lines(start, &incidents));
        lines.sort_by_key(|l| l.offset);
        Ok(Report {
            scenario: scenario.name.clone(),
            seed,
            duration: scenario.duration,
            ticks,
            passed: verdicts.iter().all(|v| v.passed),
            verdicts,
            timeline: lines,
            incidents,
            pages,
            prevention,
            calls: changes::per_op(&calls),
            repeated_changes,
        })
    }
}

impl fmt::Debug for GameDay {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("GameDay")
            .field("registry", &self.registry)
            .finish_non_exhaustive()
    }
}

fn line(
    offset: Duration,
    source: &str,
    actor: &str,
    what: impl Into<String>,
    detail: impl Into<String>,
) -> Line {
    Line {
        offset,
        source: source.to_owned(),
        actor: actor.to_owned(),
        what: what.into(),
        detail: detail.into(),
    }
}

fn incident_lines(start: Timestamp, incidents: &[Incident]) -> Vec<Line> {
    incidents
        .iter()
        .flat_map(|inc| {
            inc.timeline().iter().map(move |e| {
                let what = match e.kind.step() {
                    Some(step) => format!("{} {step}", e.kind.label()),
                    None => e.kind.label().to_owned(),
                };
                line(
                    time::elapsed(start, e.at),
                    inc.id().as_str(),
                    &e.actor.to_string(),
                    what,
                    e.detail.clone(),
                )
            })
        })
        .collect()
}
