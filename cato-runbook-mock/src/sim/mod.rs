//! A deterministic simulation of replicas: N engines over one world — one store, one lease —
//! on its virtual clock, under a seeded schedule of crashes (an engine stopped at whatever
//! await point it is at, and started again), pauses (a replica that stops ticking while its
//! lease lapses, then comes back), partitions (one replica's store and lease calls fail), and
//! store conflicts (a person on another replica writing an open incident amid the ticks).
//! One seed is one schedule: a failing seed replays exactly.
//!
//! After every step the [invariants](Violation) are checked: each change of a mitigation step
//! applied at most once (counting every call that reached the fake, repeats it deduplicated
//! included), no two open incidents on one dedup key; at the end, after a calm spell, every
//! SEV1 incident paged and every expected runbook's incident in the store.
//!
//! ```
//! use std::time::Duration;
//! use cato_runbook_core::catalog::CatalogConfig;
//! use cato_runbook_mock::sim::Simulation;
//! use cato_runbook_mock::{World, WorldChange};
//! use cato_runbook_mock::config::CrashCause;
//!
//! # tokio::runtime::Builder::new_current_thread().enable_time().start_paused(true).build().unwrap().block_on(async {
//! let world = World::default();
//! world.apply(WorldChange::EndpointLosesInstances {
//!     endpoint: "cato-shadow-self".into(),
//!     cause: CrashCause::CrashLoop,
//! })?;
//! let report = Simulation::on(&world, 7)
//!     .catalog(&["shadow-self-down"], &CatalogConfig::default())
//!     .replicas(3)
//!     .expect_incident("shadow-self-down")
//!     .run()
//!     .await?;
//! assert!(report.violations.is_empty(), "{report}");
//! # Ok::<(), cato_runbook_core::Error>(())
//! # }).unwrap();
//! ```

mod invariants;
mod replica;

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use cato_runbook_core::catalog::{self, CatalogConfig, Providers};
use cato_runbook_core::engine::{EngineConfig, Mode, Policy};
use cato_runbook_core::ports::Clock;
use cato_runbook_core::runbook::Runbook;
use cato_runbook_core::{Result, time};
use rand::rngs::Xoshiro256PlusPlus;
use rand::{RngExt, SeedableRng};

pub use invariants::Violation;
use replica::Replica;

use crate::ops::{Op, OpMatch};
use crate::world::World;

/// Builds a replica's runbooks over its providers; called again at every restart.
pub type MakeRunbooks = Arc<dyn Fn(&Providers) -> Result<Vec<Runbook>> + Send + Sync>;

/// How often each thing happens, per replica and step (one tick interval).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Chaos {
    /// A running replica crashes during its tick.
    pub crash: f64,
    /// A crashed replica starts again.
    pub restart: f64,
    /// A running replica stops ticking for a few steps (its lease lapses meanwhile).
    pub pause: f64,
    /// A replica's store and lease calls start failing (or heal).
    pub partition: f64,
    /// Per step: a person on another replica writes an open incident (a note), so that the
    /// leader's next save of it finds a newer version.
    pub conflict: f64,
}

impl Default for Chaos {
    fn default() -> Self {
        Chaos {
            crash: 0.05,
            restart: 0.5,
            pause: 0.03,
            partition: 0.04,
            conflict: 0.2,
        }
    }
}

/// Sets up and runs one schedule.
pub struct Simulation {
    world: World,
    seed: u64,
    replicas: usize,
    make: MakeRunbooks,
    policy: Policy,
    config: EngineConfig,
    chaos: Chaos,
    steps: u32,
    calm: u32,
    expected: Vec<String>,
    shared_lease: bool,
}

impl fmt::Debug for Simulation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Simulation")
            .field("seed", &self.seed)
            .field("replicas", &self.replicas)
            .field("chaos", &self.chaos)
            .field("steps", &self.steps)
            .finish_non_exhaustive()
    }
}

/// What a schedule did, and what it broke.
#[derive(Debug, Clone, Default)]
pub struct SimReport {
    /// The seed (replays the same schedule).
    pub seed: u64,
    /// Replica crashes.
    pub crashes: u32,
    /// Pauses.
    pub pauses: u32,
    /// Partitions started.
    pub partitions: u32,
    /// Writes by another writer racing the leader's.
    pub conflicts: u32,
    /// Ticks that took the lease for a new term.
    pub terms: u32,
    /// Step calls that reached a provider (applies and reverts).
    pub step_calls: u32,
    /// Every invariant broken, in the order seen.
    pub violations: Vec<Violation>,
}

impl fmt::Display for SimReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "seed {}: {} crashes, {} pauses, {} partitions, {} conflicts, {} terms, {} step calls",
            self.seed,
            self.crashes,
            self.pauses,
            self.partitions,
            self.conflicts,
            self.terms,
            self.step_calls
        )?;
        for violation in &self.violations {
            write!(f, "\n  {violation}")?;
        }
        Ok(())
    }
}

impl Simulation {
    /// A schedule from `seed` over `world` (5 replicas, auto mode, 60 steps then 20 calm).
    pub fn on(world: &World, seed: u64) -> Self {
        let mut config = EngineConfig::default();
        config.tick_interval = crate::harness::TICK;
        config.lease_ttl = crate::harness::TICK * 3;
        Simulation {
            world: world.clone(),
            seed,
            replicas: 5,
            make: Arc::new(|_| Ok(Vec::new())),
            policy: Policy::with_mode(Mode::Auto),
            config,
            chaos: Chaos::default(),
            steps: 60,
            calm: 20,
            expected: Vec::new(),
            shared_lease: true,
        }
    }

    /// Every replica believes it is alone (no shared lease): what the simulator must catch —
    /// for proving that it does.
    pub fn without_shared_lease(mut self) -> Self {
        self.shared_lease = false;
        self
    }

    /// The catalog's runbooks `ids`, built with `config`.
    pub fn catalog(mut self, ids: &[&str], config: &CatalogConfig) -> Self {
        let ids: Vec<String> = ids.iter().map(|id| (*id).to_owned()).collect();
        let config = config.clone();
        self.make = Arc::new(move |providers| {
            ids.iter()
                .map(|id| catalog::build(id, providers, &config))
                .collect()
        });
        self
    }

    /// Your own runbooks, built by `make` over each replica's providers.
    pub fn runbooks(
        mut self,
        make: impl Fn(&Providers) -> Result<Vec<Runbook>> + Send + Sync + 'static,
    ) -> Self {
        self.make = Arc::new(make);
        self
    }

    /// How many replicas (at least 1).
    pub fn replicas(mut self, replicas: usize) -> Self {
        self.replicas = replicas.max(1);
        self
    }

    /// The guardrails (auto mode by default, so steps apply).
    pub fn policy(mut self, policy: Policy) -> Self {
        self.policy = policy;
        self
    }

    /// How often things go wrong.
    pub fn chaos(mut self, chaos: Chaos) -> Self {
        self.chaos = chaos;
        self
    }

    /// `steps` ticks under chaos, then `calm` ticks with every replica up and healed.
    pub fn steps(mut self, steps: u32, calm: u32) -> Self {
        self.steps = steps;
        self.calm = calm;
        self
    }

    /// The runbook `id` must have an incident in the store at the end.
    pub fn expect_incident(mut self, id: &str) -> Self {
        self.expected.push(id.to_owned());
        self
    }

    /// Runs the schedule.
    ///
    /// # Errors
    ///
    /// Runbooks or an engine that cannot be built (a broken invariant is a violation in the
    /// report, not an error).
    pub async fn run(self) -> Result<SimReport> {
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(self.seed);
        let mut report = SimReport {
            seed: self.seed,
            ..SimReport::default()
        };
        // Every port answers after its own latency, so a tick spans virtual time and a crash
        // lands between two of its awaits.
        for port in Op::ports() {
            let latency = Duration::from_millis(rng.random_range(0..400));
            if let Ok(ops) = OpMatch::port(port) {
                self.world.faults().on(ops).latency(latency);
            }
        }
        let mut replicas = (0..self.replicas)
            .map(|n| Replica::new(&self.world, format!("replica-{n}"), self.shared_lease))
            .collect::<Vec<_>>();
        for replica in &mut replicas {
            replica.start(&self.make, &self.policy, &self.config)?;
        }
        let tick = self.config.tick_interval;
        let clock = self.world.clock();
        for step in 0..(self.steps + self.calm) {
            let calm = step >= self.steps;
            let started = self.world.now();
            let rng_delay = rng.random_range(0..tick.as_millis().max(1) as u64);
            for replica in &mut replicas {
                if calm {
                    replica.heal();
                    if replica.is_down() || replica.is_paused() {
                        replica.resume();
                        replica.start(&self.make, &self.policy, &self.config)?;
                    }
                } else {
                    replica.decide(&mut rng, &self.chaos, tick, &mut report);
                    if replica.is_down() && rng.random_bool(self.chaos.restart) {
                        replica.start(&self.make, &self.policy, &self.config)?;
                    }
                }
            }
            let conflict = !calm && rng.random_bool(self.chaos.conflict);
            let ticks = futures::future::join_all(replicas.iter().map(Replica::tick));
            let (outcomes, wrote) = futures::join!(ticks, async {
                if !conflict {
                    return false;
                }
                // Lands amid the replicas' ticks, at a point the seed picks.
                let at = Duration::from_millis(rng_delay);
                self.world.clock_handle().sleep(at).await;
                invariants::foreign_write(&self.world).await
            });
            report.conflicts += u32::from(wrote);
            for (replica, outcome) in replicas.iter_mut().zip(outcomes) {
                report.terms += outcome.terms;
                if outcome.crashed {
                    replica.crash();
                }
            }
            invariants::during(&self.world, &mut report).await;
            clock.sleep_until(time::add(started, tick)).await;
        }
        invariants::at_end(&self.world, &self.expected, &mut report).await;
        for replica in &replicas {
            replica.stop();
        }
        Ok(report)
    }
}
