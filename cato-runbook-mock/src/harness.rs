//! The one harness that runs an engine over a fake [`World`], ticked on the world's virtual
//! clock as a health loop would: the game-day runner, the catalog's tests and anyone testing
//! their own runbooks use it.
//!
//! ```
//! use std::time::Duration;
//! use cato_runbook_core::catalog::CatalogConfig;
//! use cato_runbook_core::engine::{Mode, Policy};
//! use cato_runbook_mock::{Harness, World, WorldChange};
//! use cato_runbook_mock::config::CrashCause;
//!
//! # tokio::runtime::Builder::new_current_thread().enable_time().start_paused(true).build().unwrap().block_on(async {
//! let world = World::default();
//! let harness = Harness::on(&world)
//!     .catalog(&["shadow-self-down"], &CatalogConfig::default())
//!     .policy(Policy::with_mode(Mode::Auto))
//!     .build()?;
//! world.apply(WorldChange::EndpointLosesInstances {
//!     endpoint: "cato-shadow-self".into(),
//!     cause: CrashCause::CrashLoop,
//! })?;
//! harness.run_until(Duration::from_secs(30 * 60)).await?;
//! let incidents = harness.incidents_of("shadow-self-down").await?;
//! assert_eq!(incidents.len(), 1);
//! # Ok::<(), cato_runbook_core::Error>(())
//! # }).unwrap();
//! ```

use std::fmt;
use std::time::Duration;

use cato_runbook_core::catalog::{self, CatalogConfig, Providers};
use cato_runbook_core::engine::{Engine, EngineConfig, Operator, Policy, TickReport};
use cato_runbook_core::ports::Clock;
use cato_runbook_core::runbook::Runbook;
use cato_runbook_core::{Incident, Result, Timestamp, time};

use crate::fakes::FakePorts;
use crate::world::World;

/// The tick interval a harness runs at unless told otherwise.
pub const TICK: Duration = Duration::from_secs(30);

/// What builds a harness's runbooks over the world's providers.
type MakeRunbooks<'a> = Box<dyn FnOnce(&Providers) -> Result<Vec<Runbook>> + 'a>;

/// Which runbooks a harness runs.
enum Runbooks<'a> {
    Catalog(Vec<String>, Box<CatalogConfig>),
    Made(MakeRunbooks<'a>),
}

/// Sets up a [`Harness`]: which runbooks, the replica, the policy, the engine settings.
pub struct HarnessBuilder<'a> {
    world: World,
    replica: String,
    policy: Policy,
    config: EngineConfig,
    runbooks: Runbooks<'a>,
    ports: Option<FakePorts>,
    trace: Option<cato_runbook_core::trace::Recorder>,
    retention: Option<Duration>,
}

impl fmt::Debug for HarnessBuilder<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HarnessBuilder")
            .field("replica", &self.replica)
            .field("policy", &self.policy)
            .finish_non_exhaustive()
    }
}

impl<'a> HarnessBuilder<'a> {
    /// The catalog's runbooks `ids`, built with `config`.
    pub fn catalog(mut self, ids: &[&str], config: &CatalogConfig) -> Self {
        let ids = ids.iter().map(|id| (*id).to_owned()).collect();
        self.runbooks = Runbooks::Catalog(ids, Box::new(config.clone()));
        self
    }

    /// The runbooks `make` builds over the world's providers.
    pub fn runbooks(mut self, make: impl FnOnce(&Providers) -> Result<Vec<Runbook>> + 'a) -> Self {
        self.runbooks = Runbooks::Made(Box::new(make));
        self
    }

    /// Runs as replica `replica` of the world (default `replica-1`).
    pub fn replica(mut self, replica: impl Into<String>) -> Self {
        self.replica = replica.into();
        self
    }

    /// The guardrails (default: the engine's, dry-run).
    pub fn policy(mut self, policy: Policy) -> Self {
        self.policy = policy;
        self
    }

    /// The engine's settings; their tick interval is the harness's tick (default [`TICK`]).
    pub fn config(mut self, config: EngineConfig) -> Self {
        self.config = config;
        self
    }

    /// The ports the engine and the runbooks use, in place of the world's own (the world's
    /// ports recorded into a trace, or a trace's replay providers).
    pub fn ports(mut self, ports: FakePorts) -> Self {
        self.ports = Some(ports);
        self
    }

    /// Marks every tick of the engine in `recorder`'s trace.
    pub fn trace(mut self, recorder: cato_runbook_core::trace::Recorder) -> Self {
        self.trace = Some(recorder);
        self
    }

    /// How long the store keeps a closed incident (default the engine's, 90 days).
    pub fn retention(mut self, retention: Duration) -> Self {
        self.retention = Some(retention);
        self
    }

    /// Ticks every `tick` (default [`TICK`]).
    pub fn tick(mut self, tick: Duration) -> Self {
        self.config.tick_interval = tick;
        self
    }

    /// The harness.
    ///
    /// # Errors
    ///
    /// A runbook or an engine that cannot be built.
    pub fn build(self) -> Result<Harness> {
        let ports = match self.ports {
            Some(ports) => ports,
            None => self.world.ports(&self.replica),
        };
        let providers = ports.providers(self.world.clock_handle());
        let runbooks = match self.runbooks {
            Runbooks::Catalog(ids, config) => ids
                .iter()
                .map(|id| catalog::build(id, &providers, &config))
                .collect::<Result<Vec<_>>>()?,
            Runbooks::Made(make) => make(&providers)?,
        };
        let tick = self.config.tick_interval;
        let mut config = self.config;
        // The lease must outlast a tick or two, whatever tick a test picks.
        config.lease_ttl = config.lease_ttl.max(tick * 3);
        let mut builder = self.world.engine_builder(&ports);
        if let Some(recorder) = self.trace {
            builder = builder.trace(recorder);
        }
        if let Some(retention) = self.retention {
            builder = builder.retention(retention);
        }
        let engine = builder
            .runbooks(runbooks)
            .policy(self.policy)
            .config(config)
            .build()?;
        Ok(Harness {
            world: self.world,
            ports,
            providers,
            engine,
            tick,
        })
    }
}

/// An engine over a fake world, ticked on its virtual clock.
#[derive(Debug, Clone)]
pub struct Harness {
    world: World,
    ports: FakePorts,
    providers: Providers,
    engine: Engine,
    tick: Duration,
}

impl Harness {
    /// Starts setting up an engine over `world` (no runbook yet, dry-run, [`TICK`]).
    pub fn on(world: &World) -> HarnessBuilder<'static> {
        let mut config = EngineConfig::default();
        config.tick_interval = TICK;
        HarnessBuilder {
            world: world.clone(),
            replica: "replica-1".to_owned(),
            policy: Policy::default(),
            config,
            runbooks: Runbooks::Catalog(Vec::new(), Box::default()),
            ports: None,
            trace: None,
            retention: None,
        }
    }

    /// The world.
    pub fn world(&self) -> &World {
        &self.world
    }

    /// The world's ports, as this replica sees them.
    pub fn ports(&self) -> &FakePorts {
        &self.ports
    }

    /// The catalog's providers over the world.
    pub fn providers(&self) -> &Providers {
        &self.providers
    }

    /// The engine.
    pub fn engine(&self) -> &Engine {
        &self.engine
    }

    /// The operator's handle.
    pub fn operator(&self) -> Operator {
        self.engine.operator()
    }

    /// The tick interval.
    pub fn tick_interval(&self) -> Duration {
        self.tick
    }

    /// Ticks once, then waits until the next tick is due: one tick interval later, sooner when
    /// the engine has something due (an escalation, a verification, a retry), never past
    /// `until`. The game-day runner and [`run_until`](Self::run_until) are this in a loop.
    ///
    /// # Errors
    ///
    /// When the tick fails (the store cannot be read on the first tick).
    pub async fn tick_then_wait(&self, until: Timestamp) -> Result<TickReport> {
        let clock = self.world.clock();
        let now = clock.now();
        let report = self.engine.tick().await?;
        let mut next = time::add(now, self.tick);
        if let Some(due) = report.next_due.filter(|due| *due > now) {
            next = next.min(due);
        }
        clock.sleep_until(next.min(until)).await;
        Ok(report)
    }

    /// Ticks as a health loop would until `offset` after the world's start; returns the ticks.
    ///
    /// # Errors
    ///
    /// When a tick fails.
    pub async fn run_until(&self, offset: Duration) -> Result<u64> {
        self.run_until_with(offset, |_| {}).await
    }

    /// As [`run_until`](Self::run_until), calling `before_tick` (the host's own work, e.g.
    /// feeding a circuit breaker) before every tick.
    ///
    /// # Errors
    ///
    /// When a tick fails.
    pub async fn run_until_with(
        &self,
        offset: Duration,
        mut before_tick: impl FnMut(&World),
    ) -> Result<u64> {
        let end = self.world.at(offset);
        let mut ticks = 0;
        while self.world.now() < end {
            before_tick(&self.world);
            self.tick_then_wait(end).await?;
            ticks += 1;
        }
        Ok(ticks)
    }

    /// Ticks for `d` from now.
    ///
    /// # Errors
    ///
    /// When a tick fails.
    pub async fn run_for(&self, d: Duration) -> Result<u64> {
        let offset = time::elapsed(self.world.at(Duration::ZERO), self.world.now()) + d;
        self.run_until(offset).await
    }

    /// Every incident in the world's store, oldest first, read past the faults injected on
    /// the store (an observer's read, no part of the run).
    ///
    /// # Errors
    ///
    /// When the store cannot be read.
    pub async fn incidents(&self) -> Result<Vec<Incident>> {
        let mut all = self.world.incidents().await?;
        all.sort_by(|a, b| {
            a.detected_at()
                .cmp(&b.detected_at())
                .then_with(|| a.id().cmp(b.id()))
        });
        Ok(all)
    }

    /// Every incident of `runbook`, oldest first.
    ///
    /// # Errors
    ///
    /// When the store cannot be read.
    pub async fn incidents_of(&self, runbook: &str) -> Result<Vec<Incident>> {
        let mut all = self.incidents().await?;
        all.retain(|i| i.runbook().as_str() == runbook);
        Ok(all)
    }
}
