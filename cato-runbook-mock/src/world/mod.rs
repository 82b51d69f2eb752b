//! A world: the shared state behind every fake, on one virtual clock.
//!
//! The fakes of one world interact the way the real services do: scaling the endpoint lowers
//! the latency the metrics fake reports, a cache miss spike sends more calls to the LLMs
//! (raising latency and spend), switching a table to on-demand stops its throttling, an
//! approved quota increase stops Bedrock's.
//!
//! State changes over virtual time without any task running: each read first brings the world
//! up to the clock (updates finish, requests get decided, spend accrues), and metrics and logs
//! of any past minute are computed from the state of that minute, with a seeded random source.
//! Two runs of the same test see the same numbers.
//!
//! ```
//! use std::time::Duration;
//! use cato_runbook_core::ports::{Clock, EndpointStatus, ModelEndpoint};
//! use cato_runbook_core::IdempotencyKey;
//! use cato_runbook_mock::{World, WorldChange};
//!
//! # tokio::runtime::Builder::new_current_thread().enable_time().start_paused(true).build().unwrap().block_on(async {
//! let world = World::default();
//! world.apply(WorldChange::EndpointLosesInstances {
//!     endpoint: "cato-shadow-self".into(),
//!     cause: cato_runbook_mock::config::CrashCause::Oom,
//! })?;
//! let endpoint = world.model_endpoint();
//! assert_eq!(endpoint.describe("cato-shadow-self").await?.current_instances(), 0);
//!
//! // The runbook's restart: update the endpoint to its own config.
//! let key = IdempotencyKey::new("INC-1:restart-endpoint");
//! endpoint.update_config("cato-shadow-self", "cato-shadow-self-config", &key).await?;
//! assert_eq!(endpoint.describe("cato-shadow-self").await?.status, EndpointStatus::Updating);
//!
//! world.clock().sleep(Duration::from_secs(10 * 60)).await; // instant: time is paused
//! let now = endpoint.describe("cato-shadow-self").await?;
//! assert_eq!(now.status, EndpointStatus::InService);
//! assert_eq!(now.current_instances(), 10);
//! # Ok::<(), cato_runbook_core::Error>(())
//! # }).unwrap();
//! ```

mod apply;
mod change;
mod history;
mod load;
mod models;
mod names;
mod records;
mod rollouts;
mod sim;
mod snapshot;
mod state;
mod views;

use std::fmt;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use cato_runbook_core::ports::{Clock, InMemoryIncidentStore};
use cato_runbook_core::time::{self, Timestamp};
use cato_runbook_core::{Error, IdempotencyKey, Result};
use serde_json::Value;

pub(crate) use apply::crash_lines;
pub use change::WorldChange;
pub(crate) use load::{node_memory_gib, queueing_ms};
pub(crate) use models::{EndpointOp, QuotaRequestModel};
pub use records::{Alert, AlertStatus, ChatRecord, MailRecord, PagerAction, PagerEvent};
pub(crate) use records::{LeaseRecord, PutDatapoint};
pub use sim::IDEMPOTENCY_WINDOW;
pub(crate) use sim::{Sim, Timer};
pub use snapshot::{
    BudgetSnapshot, CacheSnapshot, EndpointSnapshot, TableSnapshot, WorkloadSnapshot, WorldSnapshot,
};
pub(crate) use state::State;

use crate::calls::{CallOutcome, Calls};
use crate::clock::VirtualClock;
use crate::config::WorldConfig;
use crate::fault::{Faults, Garble};
use crate::ops::Op;

struct Shared {
    config: WorldConfig,
    clock: VirtualClock,
    clock_handle: Arc<dyn Clock>,
    faults: Faults,
    calls: Calls,
    sim: Mutex<Sim>,
    store: InMemoryIncidentStore,
}

/// Simulated services sharing state on one virtual clock. Cloning gives another handle on the
/// same world.
///
/// Make one inside the tokio runtime that runs the test (its clock starts there), preferably a
/// paused one (`#[tokio::test(start_paused = true)]`).
#[derive(Clone)]
pub struct World {
    shared: Arc<Shared>,
}

impl fmt::Debug for World {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("World")
            .field("clock", &self.shared.clock)
            .field("calls", &self.shared.calls.total())
            .finish_non_exhaustive()
    }
}

impl Default for World {
    /// The world of [`WorldConfig::default`]: the runbook's services, all healthy.
    fn default() -> Self {
        World::build(WorldConfig::default())
    }
}

/// What a call's body answers: its value, and whether it was a repeat of an earlier call with
/// the same idempotency key.
pub(crate) struct Reply<T> {
    pub value: T,
    pub deduplicated: bool,
}

impl<T> Reply<T> {
    pub(crate) fn new(value: T) -> Self {
        Reply {
            value,
            deduplicated: false,
        }
    }

    pub(crate) fn from_idempotent((value, deduplicated): (T, bool)) -> Self {
        Reply {
            value,
            deduplicated,
        }
    }
}

impl World {
    /// A world in the state `config` describes.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidInput`](cato_runbook_core::ErrorKind::InvalidInput) when the config
    /// does not validate ([`WorldConfig::validate`]).
    pub fn new(config: WorldConfig) -> Result<World> {
        config.validate()?;
        Ok(World::build(config))
    }

    fn build(config: WorldConfig) -> World {
        let clock = VirtualClock::starting_at(config.start);
        let clock_handle: Arc<dyn Clock> = Arc::new(clock);
        World {
            shared: Arc::new(Shared {
                sim: Mutex::new(Sim::new(config.clone())),
                config,
                clock,
                clock_handle: Arc::clone(&clock_handle),
                faults: Faults::new(clock_handle),
                calls: Calls::new(),
                store: InMemoryIncidentStore::new(),
            }),
        }
    }

    /// The config the world started from.
    pub fn config(&self) -> &WorldConfig {
        &self.shared.config
    }

    /// The world's clock.
    pub fn clock(&self) -> VirtualClock {
        self.shared.clock
    }

    /// The world's clock as the engine takes it.
    pub fn clock_handle(&self) -> Arc<dyn Clock> {
        Arc::clone(&self.shared.clock_handle)
    }

    /// The clock's time.
    pub fn now(&self) -> Timestamp {
        self.shared.clock.now()
    }

    /// The instant `offset` after the start (`T+offset`).
    pub fn at(&self, offset: Duration) -> Timestamp {
        self.shared.clock.at(offset)
    }

    /// The fault rules every fake of this world consults.
    pub fn faults(&self) -> &Faults {
        &self.shared.faults
    }

    /// Every call made on this world's fakes.
    pub fn calls(&self) -> &Calls {
        &self.shared.calls
    }

    /// Every incident in the store, as the engine left it: read past the injected faults (an
    /// observer's read, which no fault should hang or fail).
    ///
    /// # Errors
    ///
    /// None in practice: the in-memory store always answers.
    pub async fn incidents(&self) -> Result<Vec<cato_runbook_core::Incident>> {
        cato_runbook_core::ports::IncidentStore::all(self.store()).await
    }

    pub(crate) fn store(&self) -> &InMemoryIncidentStore {
        &self.shared.store
    }

    /// The fence of the leader lease's current holder (0 before anyone took it).
    pub(crate) fn lease_fence(&self) -> cato_runbook_core::ports::Fence {
        self.sim()
            .records
            .lease
            .as_ref()
            .map(|lease| lease.fence)
            .unwrap_or_default()
    }

    fn sim(&self) -> MutexGuard<'_, Sim> {
        // Each change to the simulation is committed in one step at its end: a panic half-way
        // leaves the last committed state, which is consistent.
        self.shared
            .sim
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Runs `read` on the simulation brought up to now (without recording a call).
    pub(crate) fn read<T>(&self, read: impl FnOnce(&mut Sim, Timestamp) -> T) -> T {
        let now = self.now();
        let mut sim = self.sim();
        sim.sync(now);
        read(&mut sim, now)
    }

    /// Applies `change` now.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::NotFound`](cato_runbook_core::ErrorKind::NotFound) for a resource the world
    /// does not have, [`ErrorKind::InvalidInput`](cato_runbook_core::ErrorKind::InvalidInput)
    /// for a value out of range.
    pub fn apply(&self, change: WorldChange) -> Result<()> {
        self.read(|sim, now| sim.apply_change(now, &change))
    }

    /// Applies `change` when the clock reads `at`.
    ///
    /// # Errors
    ///
    /// As [`World::apply`], checked now; and
    /// [`ErrorKind::InvalidInput`](cato_runbook_core::ErrorKind::InvalidInput) for a time in
    /// the past.
    pub fn schedule(&self, at: Timestamp, change: WorldChange) -> Result<()> {
        self.read(|sim, now| {
            if at < now {
                return Err(Error::invalid_input(
                    "world.schedule",
                    format!(
                        "{change} at {} is in the past (now {})",
                        at.format("%Y-%m-%dT%H:%M:%SZ"),
                        now.format("%Y-%m-%dT%H:%M:%SZ")
                    ),
                ));
            }
            sim.state().check_change(&change)?;
            sim.schedule(at, Timer::Change(change));
            Ok(())
        })
    }

    /// Applies `change` `delay` from now.
    ///
    /// # Errors
    ///
    /// As [`World::apply`], checked now.
    pub fn schedule_in(&self, delay: Duration, change: WorldChange) -> Result<()> {
        self.schedule(time::add(self.now(), delay), change)
    }

    /// Every alert the pager fake holds, in the order they opened.
    pub fn alerts(&self) -> Vec<Alert> {
        self.read(|sim, _| sim.records.alerts.clone())
    }

    /// Every event the pager fake accepted, in order.
    pub fn pager_events(&self) -> Vec<PagerEvent> {
        self.read(|sim, _| sim.records.pager_events.clone())
    }

    /// Every chat message, in the order they were posted.
    pub fn chat_messages(&self) -> Vec<ChatRecord> {
        self.read(|sim, _| sim.records.chat.clone())
    }

    /// Every email sent, in order.
    pub fn mails(&self) -> Vec<MailRecord> {
        self.read(|sim, _| sim.records.mail.clone())
    }

    /// The messages of one chat thread, in order.
    pub fn chat_thread(&self, thread: &str) -> Vec<ChatRecord> {
        self.read(|sim, _| {
            sim.records
                .chat
                .iter()
                .filter(|m| m.thread == thread)
                .cloned()
                .collect()
        })
    }

    /// Runs one call of a fake: records it, injects the faults the rules pick, then runs
    /// `body` on the simulation brought up to the clock, and records the outcome.
    /// A `garbage` fault lets the call act, then spoils its answer; a `lost` one lets it act
    /// (its record shows what it did), then fails the caller as if the answer never came.
    pub(crate) async fn call<T: Garble>(
        &self,
        op: Op,
        provider: &'static str,
        args: Value,
        key: Option<&IdempotencyKey>,
        body: impl FnOnce(&mut Sim, Timestamp) -> Result<Reply<T>>,
    ) -> Result<T> {
        let calls = &self.shared.calls;
        let id = calls.begin(op, self.now(), args, key);
        tracing::trace!(%op, provider, "call");
        let injected = match self.shared.faults.inject(op).await {
            Ok(injected) => injected,
            Err(err) => {
                let err = err.with_provider(provider);
                calls.finish(id, CallOutcome::failed(&err));
                return Err(err);
            }
        };
        let lost = matches!(injected, crate::fault::Injected::Lost { .. });
        let result = self
            .read(|sim, now| sim.answering(lost, |sim| body(sim, now)))
            .map_err(|err| err.with_provider(provider));
        let outcome = match &result {
            Ok(reply) if reply.deduplicated => CallOutcome::Deduplicated,
            Ok(_) => CallOutcome::Ok,
            Err(err) => CallOutcome::failed(err),
        };
        calls.finish(id, outcome);
        result.and_then(|reply| {
            injected
                .apply(reply.value)
                .map_err(|err| err.with_provider(provider))
        })
    }
}
