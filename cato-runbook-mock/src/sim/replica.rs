//! One simulated replica: its own handles on the world's fakes, with a fault registry of its
//! own on its store and lease (a partition), and an engine that crashes and starts again.

use std::sync::Arc;
use std::time::Duration;

use cato_runbook_core::Result;
use cato_runbook_core::engine::{Engine, EngineConfig, Policy, TickEvent};
use cato_runbook_core::ports::{Alone, Clock};
use rand::RngExt;
use rand::rngs::Xoshiro256PlusPlus;

use super::{Chaos, MakeRunbooks, SimReport};
use crate::fakes::FakePorts;
use crate::fault::{FaultInjecting, Faults};
use crate::ops::OpMatch;
use crate::world::World;

/// What one replica's tick came to.
pub(super) struct TickOutcome {
    /// Whether it took the lease for a new term.
    pub(super) terms: u32,
    /// Whether it crashed during the tick.
    pub(super) crashed: bool,
}

pub(super) struct Replica {
    world: World,
    name: String,
    faults: Faults,
    engine: Option<Engine>,
    /// Steps left to sit out (a pause).
    paused: u32,
    /// When in the coming tick it crashes.
    crash_at: Option<Duration>,
    partitioned: bool,
    shared_lease: bool,
}

impl Replica {
    pub(super) fn new(world: &World, name: String, shared_lease: bool) -> Self {
        Replica {
            shared_lease,
            world: world.clone(),
            faults: Faults::new(world.clock_handle()),
            name,
            engine: None,
            paused: 0,
            crash_at: None,
            partitioned: false,
        }
    }

    fn ports(&self) -> FakePorts {
        let mut ports = self.world.ports(&self.name);
        ports.store = Arc::new(FaultInjecting::new(
            ports.store.clone(),
            self.faults.clone(),
        ));
        ports.incidents = Arc::new(FaultInjecting::new(
            ports.incidents.clone(),
            self.faults.clone(),
        ));
        ports.lease = if self.shared_lease {
            Arc::new(FaultInjecting::new(
                ports.lease.clone(),
                self.faults.clone(),
            ))
        } else {
            Arc::new(Alone::new(self.name.clone()))
        };
        ports
    }

    /// Starts (or restarts) the engine, with nothing in memory.
    pub(super) fn start(
        &mut self,
        make: &MakeRunbooks,
        policy: &Policy,
        config: &EngineConfig,
    ) -> Result<()> {
        if self.engine.is_some() {
            return Ok(());
        }
        let ports = self.ports();
        let runbooks = make(&ports.providers(self.world.clock_handle()))?;
        let engine = self
            .world
            .engine_builder(&ports)
            .runbooks(runbooks)
            .policy(policy.clone())
            .config(config.clone())
            .build()?;
        self.engine = Some(engine);
        Ok(())
    }

    pub(super) fn is_down(&self) -> bool {
        self.engine.is_none()
    }

    pub(super) fn is_paused(&self) -> bool {
        self.paused > 0
    }

    pub(super) fn resume(&mut self) {
        self.paused = 0;
    }

    /// Heals a partition.
    pub(super) fn heal(&mut self) {
        if self.partitioned {
            self.faults.clear();
            self.partitioned = false;
        }
    }

    /// Draws what happens to this replica in the coming step.
    pub(super) fn decide(
        &mut self,
        rng: &mut Xoshiro256PlusPlus,
        chaos: &Chaos,
        tick: Duration,
        report: &mut SimReport,
    ) {
        if rng.random_bool(chaos.partition) {
            if self.partitioned {
                self.heal();
            } else {
                for port in ["incident_store", "lease"] {
                    if let Ok(ops) = OpMatch::port(port) {
                        self.faults.on(ops).transient();
                    }
                }
                self.partitioned = true;
                report.partitions += 1;
            }
        }
        if self.paused > 0 {
            self.paused -= 1;
            return;
        }
        if self.engine.is_none() {
            return;
        }
        if rng.random_bool(chaos.pause) {
            self.paused = rng.random_range(2..8);
            report.pauses += 1;
            return;
        }
        if rng.random_bool(chaos.crash) {
            let millis = rng.random_range(0..tick.as_millis().max(1) as u64);
            self.crash_at = Some(Duration::from_millis(millis));
            report.crashes += 1;
        }
    }

    /// Ticks once, unless down or paused; crashes at its crash time if one was drawn.
    pub(super) async fn tick(&self) -> TickOutcome {
        let mut outcome = TickOutcome {
            terms: 0,
            crashed: false,
        };
        let Some(engine) = &self.engine else {
            return outcome;
        };
        if self.paused > 0 {
            return outcome;
        }
        let ticked = match self.crash_at {
            None => Some(engine.tick().await),
            Some(at) => {
                let clock = self.world.clock_handle();
                tokio::select! {
                    ticked = engine.tick() => Some(ticked),
                    () = clock.sleep(at) => None,
                }
            }
        };
        match ticked {
            None => outcome.crashed = true,
            Some(Ok(report)) => {
                outcome.terms = report
                    .events
                    .iter()
                    .filter(|e| matches!(e, TickEvent::Leading { .. }))
                    .count() as u32;
                // Crash drawn, but the tick finished first: the crash comes right after.
                outcome.crashed = self.crash_at.is_some();
            }
            Some(Err(_)) => outcome.crashed = self.crash_at.is_some(),
        }
        outcome
    }

    /// Kills the engine where it is: every reconcile in flight stops at its await point.
    pub(super) fn crash(&mut self) {
        if let Some(engine) = self.engine.take() {
            engine.crash();
        }
        self.crash_at = None;
    }

    /// Stops the engine at the end of the run.
    pub(super) fn stop(&self) {
        if let Some(engine) = &self.engine {
            engine.crash();
        }
    }
}
