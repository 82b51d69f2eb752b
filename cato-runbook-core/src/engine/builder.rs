//! Wiring an [`Engine`].

use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;

use super::config::EngineConfig;
use super::contacts::Notifiers;
use super::names::KnownNames;
use super::policy::Policy;
use super::state::{BLIND_RUNBOOK, DetectorSlot, KeySlot, Table};
use super::{Engine, Inner};
use crate::error::{Error, Result};
use crate::incident::{DedupKey, RunbookId};
use crate::ports::{
    Alone, Budget, Chat, Clock, Guardrails, InMemoryIncidentStore, IncidentStore, Lease, Mail,
    Pager, Stored, SystemClock,
};
use crate::runbook::Runbook;

/// Wires runbooks, clock, store, notifiers, policy and the lease into an [`Engine`].
///
/// Required: the pager, the chat, and who acts — [`alone`](Self::alone) (one process owns the
/// store) or a shared [`lease`](Self::lease) (replicas). There is no silent single-process
/// default: an engine embedded on many replicas without a lease would act on every one. The
/// defaults: the [`SystemClock`], an [`InMemoryIncidentStore`], [`Policy::default`] (dry-run)
/// and [`EngineConfig::default`] (the runbook's thresholds and contacts).
#[derive(Debug, Default)]
#[must_use]
pub struct EngineBuilder {
    runbooks: Vec<Runbook>,
    clock: Option<Arc<dyn Clock>>,
    store: Option<Arc<dyn IncidentStore>>,
    pager: Option<Arc<dyn Pager>>,
    chat: Option<Arc<dyn Chat>>,
    mail: Option<Arc<dyn Mail>>,
    lease: Option<Arc<dyn Lease>>,
    policy: Option<Policy>,
    config: Option<EngineConfig>,
    budget: Option<Arc<dyn Budget>>,
    trace: Option<crate::trace::Recorder>,
    retention: Option<std::time::Duration>,
}

impl EngineBuilder {
    /// Adds a runbook.
    pub fn runbook(mut self, runbook: Runbook) -> Self {
        self.runbooks.push(runbook);
        self
    }

    /// Adds runbooks.
    pub fn runbooks(mut self, runbooks: impl IntoIterator<Item = Runbook>) -> Self {
        self.runbooks.extend(runbooks);
        self
    }

    /// The clock every timestamp and timer comes from.
    pub fn clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = Some(clock);
        self
    }

    /// Where incidents are saved.
    pub fn store(mut self, store: Arc<dyn IncidentStore>) -> Self {
        self.store = Some(store);
        self
    }

    /// The pager (on-call, and phone calls).
    pub fn pager(mut self, pager: Arc<dyn Pager>) -> Self {
        self.pager = Some(pager);
        self
    }

    /// The chat.
    pub fn chat(mut self, chat: Arc<dyn Chat>) -> Self {
        self.chat = Some(chat);
        self
    }

    /// The mail port, for contacts reached by email (the AWS TAM).
    pub fn mail(mut self, mail: Arc<dyn Mail>) -> Self {
        self.mail = Some(mail);
        self
    }

    /// All notifiers at once (the same set a [`ContactStep`](super::ContactStep) uses).
    pub fn notifiers(mut self, notifiers: Notifiers) -> Self {
        self.pager = Some(notifiers.pager);
        self.chat = Some(notifiers.chat);
        self.mail = notifiers.mail;
        self
    }

    /// The lease this replica shares with the others: only its holder ticks, and every write
    /// carries the holder's fence.
    pub fn lease(mut self, lease: Arc<dyn Lease>) -> Self {
        self.lease = Some(lease);
        self
    }

    /// This engine runs alone: one process owns the store, and nobody else acts on it.
    pub fn alone(mut self) -> Self {
        self.lease = Some(Arc::new(Alone::default()));
        self
    }

    /// The guardrails.
    pub fn policy(mut self, policy: Policy) -> Self {
        self.policy = Some(policy);
        self
    }

    /// The budget whose mode the engine reads once a tick: while it is `EMERGENCY` (or cannot
    /// be read), a step that adds spend waits for an operator's approval, even in auto mode.
    /// Without one, spend is not gated on the budget.
    pub fn budget(mut self, budget: Arc<dyn Budget>) -> Self {
        self.budget = Some(budget);
        self
    }

    /// Marks every tick in `recorder`'s trace (see [`crate::trace`]); the providers' calls
    /// are recorded by wrapping them ([`crate::trace::Traced`]).
    pub fn trace(mut self, recorder: crate::trace::Recorder) -> Self {
        self.trace = Some(recorder);
        self
    }

    /// How long a closed incident is kept in the store (default
    /// [`DEFAULT_RETENTION`](super::DEFAULT_RETENTION), 90 days; from 1 to 3650 days): the
    /// leader deletes older ones hourly (see [`IncidentStore::delete_closed`]).
    pub fn retention(mut self, retention: std::time::Duration) -> Self {
        self.retention = Some(retention);
        self
    }

    /// The settings.
    pub fn config(mut self, config: EngineConfig) -> Self {
        self.config = Some(config);
        self
    }

    /// Checks the wiring and returns the engine.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidInput`](crate::ErrorKind::InvalidInput) without a pager or a chat,
    /// without [`alone`](Self::alone) or a [`lease`](Self::lease), with two runbooks of the
    /// same id, with settings that do not hold ([`EngineConfig::validate`]: a threshold or a
    /// duration of zero, a lease that does not outlast two ticks), with a policy whose numbers
    /// do not hold or whose keys name a runbook or step that is neither the catalog's nor
    /// one of these runbooks' ([`Policy::validate`], [`KnownNames`]), or with
    /// prices the policy's `prices` cannot make a table of (see
    /// [`PriceTable::new`](crate::catalog::prices::PriceTable::new)).
    pub fn build(self) -> Result<Engine> {
        let invalid = |message: &str| Err(Error::invalid_input("engine.build", message));
        let (Some(pager), Some(chat)) = (self.pager, self.chat) else {
            return invalid("an engine needs a pager and a chat");
        };
        let Some(lease) = self.lease else {
            return invalid(
                "say who acts: `alone()` for one process that owns its store, or `lease(..)` shared by the replicas",
            );
        };
        let config = self.config.unwrap_or_default();
        let retention = self.retention.unwrap_or(super::DEFAULT_RETENTION);
        super::check_retention("retention", retention)?;
        let policy = self.policy.unwrap_or_default();
        policy.validate(&KnownNames::catalog().with(&self.runbooks))?;
        let prices = crate::catalog::prices::PriceTable::new(&policy.prices)?;
        config.validate()?;
        let mut ids = BTreeSet::new();
        for runbook in &self.runbooks {
            if !ids.insert(runbook.id.as_str())
                || runbook.id.as_str() == BLIND_RUNBOOK
                || runbook.id.as_str() == super::declare::MANUAL_RUNBOOK
            {
                return invalid(&format!("runbook id {} is taken", runbook.id));
            }
        }

        let mut keys: Vec<KeySlot> = Vec::new();
        let mut key_index: HashMap<DedupKey, usize> = HashMap::new();
        let mut key_of = |slot: KeySlot| -> usize {
            *key_index.entry(slot.dedup.clone()).or_insert_with(|| {
                keys.push(slot);
                keys.len() - 1
            })
        };
        let mut detectors = Vec::new();
        for (index, runbook) in self.runbooks.iter().enumerate() {
            for detector in &runbook.detectors {
                let resource = detector.resource().to_owned();
                let key = key_of(KeySlot {
                    runbook: Some(index),
                    blinds: None,
                    dedup: DedupKey::of(&runbook.id, &resource),
                    title: runbook.title.clone(),
                    resource,
                    open_after: runbook.open_after.unwrap_or(config.open_after),
                    resolve_after: runbook.resolve_after.unwrap_or(config.resolve_after),
                });
                // One "monitoring is blind" key per runbook and resource, whatever the number
                // of its detectors that cannot look.
                let watched = format!("{}/{}", runbook.id, detector.resource());
                let blind = key_of(KeySlot {
                    runbook: None,
                    blinds: Some(index),
                    dedup: DedupKey::of(&RunbookId::new(BLIND_RUNBOOK), &watched),
                    title: format!(
                        "Monitoring is blind: {} cannot look at {}",
                        runbook.id,
                        detector.resource()
                    ),
                    resource: watched,
                    open_after: config.blind_after,
                    resolve_after: config.resolve_after,
                });
                detectors.push(DetectorSlot {
                    runbook: index,
                    detector: detector.clone(),
                    key,
                    blind,
                });
            }
        }

        let notifiers = Notifiers {
            pager,
            chat,
            mail: self.mail,
        };
        Ok(Engine {
            inner: Arc::new(Inner {
                trace: self.trace,
                runbooks: self.runbooks,
                detectors,
                keys,
                key_index,
                clock: self.clock.unwrap_or_else(|| Arc::new(SystemClock)),
                store: self
                    .store
                    .unwrap_or_else(|| Arc::new(InMemoryIncidentStore::new())),
                store_gate: Default::default(),
                notifiers,
                lease,
                term: std::sync::Mutex::new(Default::default()),
                policy,
                config,
                budget: self.budget,
                budget_reading: std::sync::Mutex::new(super::BudgetReading::Unwatched),
                prices,
                guardrails: std::sync::Mutex::new(Stored {
                    value: Guardrails::default(),
                    version: 0,
                }),
                halted_here: std::sync::atomic::AtomicBool::new(false),
                ticks: std::sync::atomic::AtomicU64::new(0),
                ticked: tokio::sync::Notify::new(),
                ticking: tokio::sync::Mutex::new(()),
                table: tokio::sync::Mutex::new(Table::default()),
                stragglers: std::sync::Mutex::new(Vec::new()),
                tasks: std::sync::Mutex::new(Vec::new()),
                postmortems: std::sync::Mutex::new(Default::default()),
                blips: std::sync::Mutex::new(Vec::new()),
                retention,
                last_retention_sweep: std::sync::Mutex::new(None),
            }),
        })
    }
}
