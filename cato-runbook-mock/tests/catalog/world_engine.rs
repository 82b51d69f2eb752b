//! An engine over a fake world, ticked on virtual time as a health loop would.

use std::time::Duration;

use cato_runbook_core::catalog::Providers;
use cato_runbook_core::engine::{Engine, EngineConfig, Mode, Policy};
use cato_runbook_core::runbook::Runbook;
use cato_runbook_core::time;
use cato_runbook_core::{EntryKind, Incident, Result};
use cato_runbook_mock::{Harness, World};

/// The tick interval.
pub(crate) const TICK: Duration = Duration::from_secs(30);

/// `n` minutes.
pub(crate) fn minutes(n: u64) -> Duration {
    Duration::from_secs(n * 60)
}

/// A world, the catalog's providers over it, and an engine running some of its runbooks: the
/// mock crate's [`Harness`], with the shorthands these tests use.
pub(crate) struct Rig {
    pub(crate) engine: Engine,
    harness: Harness,
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
        config: EngineConfig,
        make: impl FnOnce(&Providers) -> Result<Vec<Runbook>>,
    ) -> Rig {
        let harness = Harness::on(world)
            .replica(replica)
            .policy(policy)
            .config(config)
            .tick(TICK)
            .runbooks(make)
            .build()
            .unwrap();
        Rig {
            engine: harness.engine().clone(),
            harness,
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
        self.harness.run_until(offset).await.unwrap();
    }

    /// As [`Rig::run_until`], calling `before_tick` (the host's own work) before every tick.
    pub(crate) async fn run_until_with(&self, offset: Duration, before_tick: impl FnMut(&World)) {
        self.harness
            .run_until_with(offset, before_tick)
            .await
            .unwrap();
    }

    /// Every incident of `runbook`, oldest first.
    pub(crate) async fn incidents(&self, runbook: &str) -> Vec<Incident> {
        self.harness.incidents_of(runbook).await.unwrap()
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
