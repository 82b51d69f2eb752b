//! An engine over a fake world, ticked on virtual time as a health loop would.

use std::time::Duration;

use cato_runbook_core::catalog::Providers;
use cato_runbook_core::engine::{Engine, EngineConfig, Mode, Policy};
use cato_runbook_core::ports::Clock;
use cato_runbook_core::runbook::Runbook;
use cato_runbook_core::time;
use cato_runbook_core::{EntryKind, Incident, Result};
use cato_runbook_mock::gameday::providers;
use cato_runbook_mock::{FakePorts, World};

/// The tick interval.
pub(crate) const TICK: Duration = Duration::from_secs(30);

/// `n` minutes.
pub(crate) fn minutes(n: u64) -> Duration {
    Duration::from_secs(n * 60)
}

/// A world, the catalog's providers over it, and an engine running some of its runbooks.
pub(crate) struct Rig {
    pub(crate) world: World,
    pub(crate) engine: Engine,
}

impl Rig {
    /// An engine as replica `replica` of `world`, in `policy`, with the runbooks `make` builds.
    pub(crate) fn replica(
        world: &World,
        replica: &str,
        policy: Policy,
        make: impl FnOnce(&Providers) -> Result<Vec<Runbook>>,
    ) -> Rig {
        Rig::replica_with(world, replica, policy, EngineConfig::default(), make)
    }

    /// As [`Rig::replica`], with engine settings (its tick interval is [`TICK`]).
    pub(crate) fn replica_with(
        world: &World,
        replica: &str,
        policy: Policy,
        mut config: EngineConfig,
        make: impl FnOnce(&Providers) -> Result<Vec<Runbook>>,
    ) -> Rig {
        let ports: FakePorts = world.ports(replica);
        let runbooks = make(&providers(world, &ports)).unwrap();
        config.tick_interval = TICK;
        let engine = world
            .engine_builder(&ports)
            .runbooks(runbooks)
            .policy(policy)
            .config(config)
            .build()
            .unwrap();
        Rig {
            world: world.clone(),
            engine,
        }
    }

    /// An engine in auto mode over `world`.
    pub(crate) fn auto(
        world: &World,
        make: impl FnOnce(&Providers) -> Result<Vec<Runbook>>,
    ) -> Rig {
        Rig::replica(world, "replica-1", Policy::with_mode(Mode::Auto), make)
    }

    /// Ticks every [`TICK`] (sooner when something is due) until `T+offset`.
    pub(crate) async fn run_until(&self, offset: Duration) {
        self.run_until_with(offset, |_| {}).await;
    }

    /// As [`Rig::run_until`], calling `before_tick` (the host's own work) before every tick.
    pub(crate) async fn run_until_with(
        &self,
        offset: Duration,
        mut before_tick: impl FnMut(&World),
    ) {
        let clock = self.world.clock();
        let end = self.world.at(offset);
        loop {
            let now = clock.now();
            if now >= end {
                return;
            }
            before_tick(&self.world);
            let report = self.engine.tick().await.unwrap();
            let mut next = time::add(now, TICK);
            if let Some(due) = report.next_due.filter(|due| *due > now) {
                next = next.min(due);
            }
            clock.sleep_until(next.min(end)).await;
        }
    }

    /// Every incident of `runbook`, oldest first.
    pub(crate) async fn incidents(&self, runbook: &str) -> Vec<Incident> {
        let mut all = self.world.ports("reader").store.all().await.unwrap();
        all.retain(|i| i.runbook().as_str() == runbook);
        all.sort_by_key(|i| i.detected_at());
        all
    }

    /// The one incident of `runbook`.
    pub(crate) async fn incident(&self, runbook: &str) -> Incident {
        let all = self.incidents(runbook).await;
        assert_eq!(all.len(), 1, "one {runbook} incident: {all:#?}");
        all.into_iter().next().unwrap()
    }
}

/// The steps applied, in order.
pub(crate) fn applied(incident: &Incident) -> Vec<String> {
    incident
        .timeline()
        .iter()
        .filter_map(|e| match &e.kind {
            EntryKind::MitigationApplied { step } => Some(step.clone()),
            _ => None,
        })
        .collect()
}

/// Why `step` was skipped, every time it was.
pub(crate) fn skipped(incident: &Incident, step: &str) -> Vec<String> {
    incident
        .timeline()
        .iter()
        .filter_map(|e| match &e.kind {
            EntryKind::MitigationSkipped { step: s, reason } if s == step => Some(reason.clone()),
            _ => None,
        })
        .collect()
}

/// The details of the entries labelled `label` (for `step`, when given).
pub(crate) fn entries(incident: &Incident, label: &str, step: Option<&str>) -> Vec<String> {
    incident
        .timeline()
        .iter()
        .filter(|e| e.kind.label() == label && step.is_none_or(|s| e.kind.step() == Some(s)))
        .map(|e| e.detail.clone())
        .collect()
}

/// The roles escalated to, with the offset from T+0 when they were.
pub(crate) fn escalations(world: &World, incident: &Incident) -> Vec<(String, Duration)> {
    incident
        .timeline()
        .iter()
        .filter_map(|e| match &e.kind {
            EntryKind::Escalated { role, .. } => {
                Some((role.clone(), time::elapsed(world.at(Duration::ZERO), e.at)))
            }
            _ => None,
        })
        .collect()
}
