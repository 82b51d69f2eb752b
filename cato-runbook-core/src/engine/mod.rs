//! The health loop: from symptom to verified mitigation, behind guardrails, escalated on time.
//!
//! An [`Engine`] is what a service embeds, on each of its replicas. It is wired once by an
//! [`EngineBuilder`] — [`Runbook`]s, a [`Clock`], an [`IncidentStore`], the notifiers, a
//! [`Policy`] and a [`Lease`] shared by the replicas (or `alone()`) — and then either ticked
//! by the host ([`Engine::tick`]) or left to tick on its own until shutdown ([`Engine::run`]).
//!
//! # One tick
//!
//! A replica that leads, its lease running, renews the lease while its detectors look; then it
//! reads the store's open incidents, the guardrails and the budget together while the looks
//! finish. So a leader's tick waits on two calls' time, not on five, and the detectors' own
//! work goes on during the renewal. A replica that does not lead asks the lease first, and a
//! standby looks at nothing; a leader that hears from the lease that another replica leads
//! drops its looks unread.
//!
//! 1. **Detection.** Every detector looks at once, each under a timeout. A detector that fails or
//!    does not answer is *unknown*, never healthy. Observations fold into one signal per
//!    runbook + resource: an incident opens after `open_after` bad ticks in a row (default 2)
//!    and resolves after `resolve_after` good ones (default 3), so a flapping signal does not
//!    page. A worse impact raises the open incident's severity. A detector that fails
//!    `blind_after` ticks in a row opens a "monitoring is blind" incident of its own (one per
//!    runbook and resource), except in ticks where another of the runbook's detectors sees
//!    its symptom on that resource.
//! 2. **On open.** The chat channel hears of every incident (a thread per incident); the
//!    on-call engineer is paged for SEV1 and SEV2 — each saved in the incident's outbox first
//!    and retried with back-off until its provider takes it; the runbook's diagnoses run concurrently and
//!    their findings and ranked root causes go on the incident. A failed diagnosis is a finding.
//! 3. **Mitigation.** The ladder's next step whose precondition holds is planned — the
//!    [`Plan`](crate::runbook::Plan) carries everything the engine runs it by: risk, an
//!    approval the step always asks for, verification delay, how long it lasts, whether it can
//!    be undone, absolute targets — and passes the guardrails (kill switch, [`Mode`], caps,
//!    cooldown, hourly limit of destructive actions, approval, the lease), its intent is saved
//!    under the leader's fence (*applying*), then it is applied and, after its verification
//!    delay, verified.
//!    Pass: the incident resolves once the symptom stays away. Fail: the step is reverted where
//!    possible and the next one runs. No step left: the incident is escalated and stays open
//!    for people. A temporary step is reverted when the incident resolves, or when its time
//!    runs out while the incident is still open.
//! 4. **Escalation.** While nobody acknowledges, the Engineering Lead is told at 15 minutes and
//!    the VP Engineering at 30 minutes (SEV1 only), from [`EngineConfig::escalation`]; the
//!    severity's response time is watched and a breach is recorded.
//!
//! # Each incident on its own
//!
//! As kube-runtime's controller runs one reconcile per object, the tick reconciles each open
//! incident on its own task, in two lanes that each run one reconcile at a time: *watch*
//! (severity, announcement, escalation, the SLA: notifications only) and *act* (diagnosis,
//! resolution, temporary steps, the ladder: the provider calls). The tick waits for them at
//! most one [`EngineConfig::tick_interval`]; a reconcile held up by a slow or hung call goes on
//! in the background, keeps only its own lane busy and is reported by a later tick. So a hung
//! `update-endpoint` delays only the incident that made it: another incident opens on time, and
//! the same incident's escalation and SLA breach are recorded on time. No incident or table lock
//! is held across a provider or store call (only the tick itself, one at a time, and an
//! incident's own saves, one at a time, span calls).
//!
//! # Errors from steps
//!
//! A step's plan, apply, verify or revert that fails with an error a retry may help
//! (transient, throttled) is tried again on the same rung after a back-off on the clock, at
//! most [`RetryPolicy::attempts`](crate::call::RetryPolicy::attempts) tries, each recorded on the timeline (`step_retried`); a
//! permanent error, or the last try, moves the ladder on (a failed verification, for verify).
//! An apply that timed out is *unknown*, not failed (`mitigation_unknown`): the step's
//! verification reads the resource before the engine decides, and a change that did not help
//! is reverted before the next step runs. Plans carry absolute targets, so applying one again
//! is safe.
//!
//! Every decision, skip and outcome lands on the incident's timeline, and the incident is saved
//! after every change, with what the engine needs to carry on (chat thread, escalations, the
//! ladder's position, the step in flight, a retry, see
//! [`Automation`](crate::incident::Automation)): a restarted engine, or another replica, loads
//! the open incidents and continues them. After a failed verification the diagnoses run again,
//! so that the next step's precondition reads fresh findings. The [`TickReport`] says what the
//! tick saw and did.
//!
//! # Replicas and crashes
//!
//! | guarantee | how |
//! | --- | --- |
//! | one actor at a time | only the holder of the [`Lease`] ticks; standbys run no detector, so 50 replicas cost the provider calls of one |
//! | a deposed leader cannot write | every write carries the holder's [`Fence`](crate::ports::Fence); a new leader writes its fence to the store before it acts, and the store refuses older ones |
//! | no lost update | every save names the version its copy was read at; a conflict re-reads the record and applies the change again on it |
//! | one incident per symptom | create-if-absent on the dedup key; an incident opened in memory while the store was down is created later, or merged into the one another replica opened |
//! | a crash never repeats a change | before a step's call its intent is saved (*applying*); whoever finds it so asks [`Mitigation::landed`](crate::runbook::Mitigation::landed) and records it applied, applies the same plan again, or verifies — never plans again |
//! | a lost answer never repeats a change | an apply's error may come after the service applied it: its retry first asks [`Mitigation::landed`](crate::runbook::Mitigation::landed) (in place: recorded applied, verified), and a retry refused because the resource is busy changing ([`ErrorKind::Conflict`](crate::ErrorKind::Conflict), retryable) is verified, not applied again |
//! | a page is never lost | the outbox: saved before it is sent, retried until accepted (a duplicate beats a miss) |
//! | guardrails hold across replicas | the kill switch, cooldowns and the hourly count are the store's [`Guardrails`], under compare-and-swap |
//!
//! A store or lease that cannot answer is loud — a [`TickEvent`], a metric (see the table in
//! `telemetry.rs`: `cato_runbook_store_unavailable_total`, `cato_runbook_lease_unavailable_total`,
//! `cato_runbook_leader`, `cato_runbook_fenced_total`) and a log at error level — and never
//! quietly stops an incident from opening: notifications fail open, steps fail closed. A tick's
//! store calls share one call timeout of store time; once a call has timed out, the tick's other
//! store calls fail at once (`Unavailable`), so neither a hung nor a slow store can stretch a
//! tick; what was not written is written by a later tick. The
//! leader reads the open incidents from the store at every tick, so a person acting through
//! another replica's [`Operator`] is seen at the next tick.
//!
//! People act through the [`Operator`] handle: list, acknowledge, approve or deny a step, note,
//! resolve, halt and resume automation, call in the AWS TAM.
//!
//! # Examples
//!
//! ```
//! use std::sync::Arc;
//! use async_trait::async_trait;
//! use cato_runbook_core::engine::{Engine, Mode, Policy};
//! use cato_runbook_core::ports::{Chat, ChatMessage, Page, Pager, Posted, SystemClock};
//! use cato_runbook_core::runbook::{Detector, Observation, ObserveContext, Runbook};
//! use cato_runbook_core::Result;
//!
//! #[derive(Debug)]
//! struct Quiet; // A pager and a chat that deliver nowhere.
//! impl std::fmt::Display for Quiet {
//!     fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result { f.write_str("quiet") }
//! }
//! #[async_trait]
//! impl Pager for Quiet {
//!     async fn trigger(&self, _: &Page) -> Result<()> { Ok(()) }
//!     async fn acknowledge(&self, _: &str, _: &str) -> Result<()> { Ok(()) }
//!     async fn resolve(&self, _: &str, _: &str) -> Result<()> { Ok(()) }
//! }
//! #[async_trait]
//! impl Chat for Quiet {
//!     async fn post(&self, m: &ChatMessage) -> Result<Posted> {
//!         Ok(Posted { channel: m.channel.clone(), thread: "1".into() })
//!     }
//! }
//!
//! #[derive(Debug)]
//! struct EndpointUp;
//! #[async_trait]
//! impl Detector for EndpointUp {
//!     fn name(&self) -> &str { "endpoint-5xx" }
//!     fn resource(&self) -> &str { "cato-shadow-self" }
//!     async fn observe(&self, _: &ObserveContext) -> Result<Observation> {
//!         Ok(Observation::Healthy)
//!     }
//! }
//!
//! # tokio::runtime::Builder::new_current_thread().enable_time().build().unwrap().block_on(async {
//! let runbook = Runbook::builder("shadow-self-down", "Shadow Self endpoint down")
//!     .detector(Arc::new(EndpointUp))
//!     .build()?;
//! let engine = Engine::builder()
//!     .runbook(runbook)
//!     .clock(Arc::new(SystemClock))
//!     .pager(Arc::new(Quiet))
//!     .chat(Arc::new(Quiet))
//!     .policy(Policy::with_mode(Mode::Auto))
//!     .alone() // or `.lease(..)` on replicas
//!     .build()?;
//!
//! let report = engine.tick().await?;
//! assert_eq!((report.detectors, report.healthy), (1, 1));
//! assert!(engine.operator().open_incidents().await?.is_empty());
//! # Ok::<(), cato_runbook_core::Error>(())
//! # }).unwrap();
//! ```

mod alerts;
mod budget;
mod builder;
mod config;
mod contacts;
mod declare;
mod detection;
mod guardrails;
mod health_loop;
mod job;
mod kill_switch;
mod lead;
mod names;
mod opening;
mod operator;
mod persist;
mod policy;
mod reconcile;
mod recorded;
mod reminders;
mod report;
mod retention;
mod standing;
mod state;
mod steps;
mod store_calls;
mod sync;
mod telemetry;

use std::collections::HashMap;
use std::fmt;
use std::sync::Arc;

use tracing::Instrument;

pub use alerts::{
    AlertsConfig, CUSTOM_METRICS_RUNBOOK, Comparison, CustomMetric, CustomMetricDetector,
    custom_metrics_runbook,
};
pub use budget::BudgetReading;
pub use builder::EngineBuilder;
pub use config::{EngineConfig, Timeouts};
pub use contacts::{Contact, Escalation, EscalationLevel, Message, Notifiers, Reach};
pub use declare::{Declaration, Declared, MANUAL_RUNBOOK};
pub use names::KnownNames;
pub(crate) use names::step_name_clash;
pub use operator::Operator;
pub use policy::{ApprovalPolicy, Caps, Mode, Policy};
pub use reminders::PostmortemDeadline;
pub use report::{TickEvent, TickReport};
pub use retention::{
    DEFAULT_RETENTION, MAX_RETENTION, MIN_RETENTION, RETENTION_SWEEP_EVERY, check_retention,
};
pub use standing::Standing;
pub use steps::ContactStep;

use crate::error::Result;
use crate::incident::DedupKey;
use crate::ports::{Clock, Guardrails, IncidentStore, Lease, Stored};
use crate::runbook::Runbook;
use crate::time::Timestamp;
use state::{DetectorSlot, KeySlot, Table};

/// The health-loop engine. Cheap to clone: clones share everything.
///
/// See the [module docs](self) for what a tick does.
#[derive(Clone)]
pub struct Engine {
    inner: Arc<Inner>,
}

pub(crate) struct Inner {
    /// Where each tick is marked in the trace of the providers' answers, when recording.
    trace: Option<crate::trace::Recorder>,
    runbooks: Vec<Runbook>,
    detectors: Vec<DetectorSlot>,
    keys: Vec<KeySlot>,
    key_index: HashMap<DedupKey, usize>,
    clock: Arc<dyn Clock>,
    store: Arc<dyn IncidentStore>,
    /// Whether a store call of this tick timed out (see `store_calls.rs`).
    store_gate: store_calls::StoreGate,
    notifiers: Notifiers,
    lease: Arc<dyn Lease>,
    /// This replica's view of the lease.
    term: std::sync::Mutex<lead::Term>,
    policy: Policy,
    config: EngineConfig,
    /// The budget whose mode gates steps that add spend, if one is wired.
    budget: Option<Arc<dyn crate::ports::Budget>>,
    /// Its mode as the last tick read it (see `budget.rs`).
    budget_reading: std::sync::Mutex<BudgetReading>,
    /// The prices a step's added spend is estimated at.
    prices: crate::catalog::prices::PriceTable,
    /// The copy of the guardrail state the store keeps (see `guardrails.rs`).
    guardrails: std::sync::Mutex<Stored<Guardrails>>,
    /// Ticks finished so far.
    ticks: std::sync::atomic::AtomicU64,
    /// Woken at the end of every tick.
    ticked: tokio::sync::Notify,
    /// The kill switch pulled on this replica while the store could not keep it.
    halted_here: std::sync::atomic::AtomicBool,
    /// Held for a whole tick: one tick at a time, whoever calls it.
    ticking: tokio::sync::Mutex<()>,
    table: tokio::sync::Mutex<Table>,
    /// Reconciles that outlived the tick that started them (a slow or hung call); a later tick
    /// reports what they did.
    stragglers: std::sync::Mutex<Vec<tokio::task::JoinHandle<job::Outcome>>>,
    /// Every reconcile task still running, for [`Engine::crash`].
    tasks: std::sync::Mutex<Vec<tokio::task::AbortHandle>>,
    /// The resolved incidents awaiting their postmortem (see `reminders.rs`).
    postmortems: std::sync::Mutex<reminders::Watch>,
    /// Each detector's bad looks that opened no incident yet (see `alerts/`).
    blips: std::sync::Mutex<Vec<alerts::Blip>>,
    /// How long a closed incident is kept in the store (see `retention.rs`).
    retention: std::time::Duration,
    /// When the closed incidents past the retention were last deleted.
    last_retention_sweep: std::sync::Mutex<Option<Timestamp>>,
}

impl fmt::Debug for Engine {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let inner = &self.inner;
        f.debug_struct("Engine")
            .field("runbooks", &inner.runbooks)
            .field("detectors", &inner.detectors.len())
            .field("clock", &inner.clock)
            .field("store", &format_args!("{}", inner.store))
            .field("lease", &format_args!("{}", inner.lease))
            .field("policy", &inner.policy)
            .field("halted", &inner.is_halted())
            .finish_non_exhaustive()
    }
}

impl Engine {
    /// Starts wiring an engine.
    pub fn builder() -> EngineBuilder {
        EngineBuilder::default()
    }

    /// The handle people act through.
    pub fn operator(&self) -> Operator {
        Operator::new(self.inner.clone())
    }

    /// The runbooks, in the order they were added.
    pub fn runbooks(&self) -> &[Runbook] {
        &self.inner.runbooks
    }

    /// The settings.
    pub fn config(&self) -> &EngineConfig {
        &self.inner.config
    }

    /// The guardrails.
    pub fn policy(&self) -> &Policy {
        &self.inner.policy
    }

    /// One pass: detect, open and resolve incidents, diagnose, mitigate, escalate.
    ///
    /// Detection runs first, every detector at once under its timeout. Then each open incident
    /// is reconciled on its own task, in two lanes (watch: severity, escalation, the SLA; act:
    /// diagnosis, resolution, the ladder), each lane one reconcile at a time. The tick waits for
    /// its reconciles at most one [`EngineConfig::tick_interval`]: a reconcile held up by a slow
    /// or hung call goes on in the background and keeps only its own lane busy, so that every
    /// other incident, and the same incident's escalation, keeps its time; a later tick reports
    /// what it did.
    ///
    /// Ticks never overlap: a second caller waits for the tick in progress. A failing provider
    /// never fails the tick: it is an unknown signal, a recorded finding or a recorded failure.
    /// Incidents that could not be saved stay in memory and are saved with their next change.
    ///
    /// # Errors
    ///
    /// None so far. A store that cannot list the open incidents is a
    /// [`TickEvent::StoreUnavailable`]: detection goes on, an incident opens in memory and is
    /// created (or merged into the one another replica opened) once the store answers; the
    /// next tick loads again. The `Result` leaves room for a host-visible failure.
    ///
    /// # Cancel safety
    ///
    /// Dropping the future stops detection and the wait, not the reconciles it started: they
    /// run to their end on their own tasks, so a step is never left applied but unrecorded.
    pub async fn tick(&self) -> Result<TickReport> {
        Inner::tick(&self.inner)
            .instrument(self.inner.tick_span())
            .await
    }
}

impl Inner {
    /// The span of one tick: the replica, and the fence of its term.
    fn tick_span(&self) -> tracing::Span {
        tracing::info_span!("tick", replica = %self.lease.replica(), fence = self.own_fence().0)
    }

    pub(super) fn now(&self) -> Timestamp {
        self.clock.now()
    }
}
