//! An engine wired to the doubles, and timeline helpers.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use cato_runbook_core::engine::{Engine, EngineConfig, Policy};
use cato_runbook_core::ports::{Clock, InMemoryIncidentStore, IncidentStore, Lease};
use cato_runbook_core::runbook::Runbook;
use cato_runbook_core::{Incident, Timestamp};

use super::clock::TestClock;
use super::ports::{RecordingChat, RecordingMail, RecordingPager};

/// An engine on doubles.
pub struct Harness {
    pub engine: Engine,
    pub clock: Arc<TestClock>,
    pub store: Arc<InMemoryIncidentStore>,
    pub pager: Arc<RecordingPager>,
    pub chat: Arc<RecordingChat>,
    pub mail: Arc<RecordingMail>,
}

pub struct Setup {
    pub runbooks: Vec<Runbook>,
    pub policy: Policy,
    pub config: EngineConfig,
    pub store: Arc<InMemoryIncidentStore>,
    pub other_store: Option<Arc<dyn IncidentStore>>,
    /// `None`: alone.
    pub lease: Option<Arc<dyn Lease>>,
    pub mail: bool,
    /// The budget whose mode gates steps that add spend; `None`: not wired.
    pub budget: Option<Arc<dyn cato_runbook_core::ports::Budget>>,
    /// The clock of an earlier harness (an engine restarted on the same store and time).
    pub clock: Option<Arc<TestClock>>,
}

impl Setup {
    pub fn new(runbook: Runbook, policy: Policy) -> Self {
        Setup {
            runbooks: vec![runbook],
            policy,
            config: EngineConfig::default(),
            store: Arc::new(InMemoryIncidentStore::new()),
            other_store: None,
            lease: None,
            mail: true,
            budget: None,
            clock: None,
        }
    }

    pub fn build(self) -> Harness {
        let clock = self.clock.unwrap_or_else(|| Arc::new(TestClock::new()));
        let pager = Arc::new(RecordingPager::default());
        let chat = Arc::new(RecordingChat::default());
        let mail = Arc::new(RecordingMail::default());
        let mut builder = Engine::builder()
            .runbooks(self.runbooks)
            .clock(clock.clone())
            .store(self.other_store.unwrap_or_else(|| self.store.clone()))
            .pager(pager.clone())
            .chat(chat.clone())
            .policy(self.policy)
            .config({
                let mut config = self.config;
                // The lease must outlast two ticks, whatever tick a test picks.
                config.lease_ttl = config.lease_ttl.max(config.tick_interval * 3);
                config
            });
        if self.mail {
            builder = builder.mail(mail.clone());
        }
        if let Some(budget) = self.budget {
            builder = builder.budget(budget);
        }
        builder = match self.lease {
            Some(lease) => builder.lease(lease),
            None => builder.alone(),
        };
        Harness {
            engine: builder.build().unwrap(),
            clock,
            store: self.store,
            pager,
            chat,
            mail,
        }
    }
}

impl Harness {
    /// Ticks once.
    pub async fn tick(&self) -> cato_runbook_core::engine::TickReport {
        self.engine.tick().await.unwrap()
    }

    /// Waits `wait` of virtual time, then ticks.
    #[allow(clippy::disallowed_methods)] // a test drives tokio's time itself
    pub async fn tick_after(&self, wait: Duration) -> cato_runbook_core::engine::TickReport {
        tokio::time::sleep(wait).await;
        self.tick().await
    }

    /// Every incident in the store.
    pub async fn incidents(&self) -> Vec<Incident> {
        self.store.all().await.unwrap()
    }

    /// The only incident in the store.
    pub async fn only(&self) -> Incident {
        let all = self.incidents().await;
        assert_eq!(all.len(), 1, "expected one incident, got {}", all.len());
        all.into_iter().next().unwrap()
    }

    pub fn now(&self) -> Timestamp {
        self.clock.now()
    }
}

/// The timeline's labels, in order.
pub fn labels(incident: &Incident) -> Vec<&'static str> {
    incident.timeline().iter().map(|e| e.kind.label()).collect()
}

/// Details of the entries with `label`.
pub fn details(incident: &Incident, label: &str) -> Vec<String> {
    incident
        .timeline()
        .with_label(label)
        .map(|e| e.detail.clone())
        .collect()
}

/// Skip reasons on the timeline, as `step: reason`.
pub fn skips(incident: &Incident) -> Vec<String> {
    incident
        .timeline()
        .iter()
        .filter_map(|e| match &e.kind {
            cato_runbook_core::EntryKind::MitigationSkipped { step, reason } => {
                Some(format!("{step}: {reason}"))
            }
            _ => None,
        })
        .collect()
}

pub fn fact_map(pairs: &[(&str, i64)]) -> BTreeMap<String, i64> {
    pairs.iter().map(|(k, v)| (k.to_string(), *v)).collect()
}
