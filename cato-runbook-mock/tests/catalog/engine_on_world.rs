//! An engine running catalog runbooks over a fake world, ticked in virtual time.

use std::time::Duration;

use cato_runbook_core::catalog::CatalogConfig;
use cato_runbook_core::engine::{Engine, Mode, Operator, Policy};
use cato_runbook_core::{EntryKind, Incident};
use cato_runbook_mock::{FakePorts, Harness, World, WorldConfig};

/// The engine's tick, as a health loop would run it.
pub(crate) const TICK: Duration = Duration::from_secs(30);

/// A world, the engine over its ports, and the catalog's runbooks `ids`: the mock crate's
/// [`Harness`], with the shorthands these tests use.
pub(crate) struct OnWorld {
    pub(crate) world: World,
    pub(crate) ports: FakePorts,
    pub(crate) engine: Engine,
    harness: Harness,
}

impl OnWorld {
    /// The runbooks `ids` with `catalog`, in auto mode, over a world built from `config`.
    pub(crate) fn new(config: WorldConfig, ids: &[&str], catalog: &CatalogConfig) -> OnWorld {
        OnWorld::with_policy(config, ids, catalog, Policy::with_mode(Mode::Auto))
    }

    /// As [`OnWorld::new`], with a policy.
    pub(crate) fn with_policy(
        config: WorldConfig,
        ids: &[&str],
        catalog: &CatalogConfig,
        policy: Policy,
    ) -> OnWorld {
        let world = World::new(config).unwrap();
        let harness = Harness::on(&world)
            .catalog(ids, catalog)
            .policy(policy)
            .tick(TICK)
            .build()
            .unwrap();
        OnWorld {
            world,
            ports: harness.ports().clone(),
            engine: harness.engine().clone(),
            harness,
        }
    }

    pub(crate) fn operator(&self) -> Operator {
        self.engine.operator()
    }

    /// Ticks every [`TICK`] (sooner when something is due) until `offset` after the world's
    /// start.
    pub(crate) async fn run_until(&self, offset: Duration) {
        self.harness.run_until(offset).await.unwrap();
    }

    /// Every incident, oldest first.
    pub(crate) async fn incidents(&self) -> Vec<Incident> {
        self.harness.incidents().await.unwrap()
    }

    /// The first incident of `runbook`.
    pub(crate) async fn incident(&self, runbook: &str) -> Incident {
        self.incidents()
            .await
            .into_iter()
            .find(|i| i.runbook().as_str() == runbook)
            .unwrap_or_else(|| panic!("no {runbook} incident"))
    }

    /// The open incident of `runbook`.
    pub(crate) async fn open(&self, runbook: &str) -> Incident {
        self.operator()
            .open_incidents()
            .await
            .unwrap()
            .into_iter()
            .find(|i| i.runbook().as_str() == runbook)
            .unwrap_or_else(|| panic!("no open {runbook} incident"))
    }

    /// Minutes since the start.
    pub(crate) fn minutes(&self, at: cato_runbook_core::Timestamp) -> f64 {
        cato_runbook_core::time::elapsed(self.world.clock().start(), at).as_secs_f64() / 60.0
    }
}

/// `label step` of every ladder entry (planned, applied, verified, reverted, skipped…).
pub(crate) fn ladder(incident: &Incident) -> Vec<String> {
    incident
        .timeline()
        .iter()
        .filter_map(|e| e.kind.step().map(|s| format!("{} {s}", e.kind.label())))
        .collect()
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

/// The detail of the first entry labelled `label` (for `step`).
pub(crate) fn detail(incident: &Incident, label: &str, step: &str) -> String {
    incident
        .timeline()
        .iter()
        .find(|e| e.kind.label() == label && e.kind.step() == Some(step))
        .map(|e| e.detail.clone())
        .unwrap_or_else(|| panic!("no {label} {step} entry"))
}

/// The whole timeline, one line per entry, for failure messages.
pub(crate) fn shown(incident: &Incident) -> String {
    incident
        .timeline()
        .iter()
        .map(|e| {
            format!(
                "{} {} {}: {}",
                e.at.format("%H:%M:%S"),
                e.kind.label(),
                e.kind.step().unwrap_or(""),
                e.detail
            )
        })
        .collect::<Vec<_>>()
        .join("\n")
}
