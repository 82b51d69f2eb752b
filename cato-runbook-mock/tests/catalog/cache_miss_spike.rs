//! Cache Miss Spike on the fakes: the hit-rate window, SEV3, root causes from the evidence, the
//! review rung, the node-type change behind approval (granted, denied, lapsed).

mod config_and_ports;
mod node_type;
mod review;
mod window;

use std::time::Duration;

use cato_runbook_core::Incident;
use cato_runbook_core::catalog::CatalogConfig;
use cato_runbook_core::engine::{Engine, Mode, Operator, Policy};
use cato_runbook_mock::{FakePorts, Harness, Op, World, WorldChange, WorldConfig};

const ID: &str = "cache-miss-spike";
const MIN: Duration = Duration::from_secs(60);
const TICK: Duration = Duration::from_secs(30);

/// The mock crate's [`Harness`] on the cache runbook, with the shorthands these tests use.
struct Rig {
    world: World,
    ports: FakePorts,
    engine: Engine,
    harness: Harness,
}

impl Rig {
    fn new(config: WorldConfig, catalog: CatalogConfig) -> Rig {
        let world = World::new(config).unwrap();
        let harness = Harness::on(&world)
            .catalog(&[ID], &catalog)
            .policy(Policy::with_mode(Mode::Auto))
            .tick(TICK)
            .build()
            .unwrap();
        Rig {
            world,
            ports: harness.ports().clone(),
            engine: harness.engine().clone(),
            harness,
        }
    }

    fn default() -> Rig {
        Rig::new(WorldConfig::default(), CatalogConfig::default())
    }

    fn operator(&self) -> Operator {
        self.engine.operator()
    }

    /// Ticks every 30 s (sooner when something is due) for `d`.
    async fn run_for(&self, d: Duration) {
        self.harness.run_for(d).await.unwrap();
    }

    fn change(&self, change: WorldChange) {
        self.world.apply(change).unwrap();
    }

    async fn incident(&self) -> Incident {
        let all = self.ports.store.all().await.unwrap();
        let mut ours: Vec<_> = all
            .into_iter()
            .filter(|i| i.runbook().as_str() == ID)
            .collect();
        assert_eq!(ours.len(), 1, "one {ID} incident: {ours:?}");
        ours.remove(0)
    }

    async fn no_incident(&self) {
        let all = self.ports.store.all().await.unwrap();
        assert!(all.iter().all(|i| i.runbook().as_str() != ID), "{all:?}");
    }

    fn modifications(&self) -> usize {
        self.world
            .calls()
            .applied(Op::CacheClusterModifyNodeType)
            .len()
    }
}

fn steps(incident: &Incident, label: &str) -> Vec<String> {
    incident
        .timeline()
        .with_label(label)
        .filter_map(|e| e.kind.step().map(str::to_owned))
        .collect()
}

fn top_cause(incident: &Incident) -> String {
    incident.root_causes()[0].cause.clone()
}

fn undersized() -> WorldChange {
    WorldChange::CacheWorkingSet {
        cache: "cato-cache".into(),
        gib: 16.0,
    }
}

fn learning_update() -> WorldChange {
    WorldChange::Deploy {
        service: "cato-learning".into(),
        version: "v42".into(),
        author: Some("learning-pipeline".into()),
        description: "domain update: medicine, law".into(),
        source: None,
    }
}

fn invalidations(per_minute: f64) -> WorldChange {
    WorldChange::CacheInvalidations {
        cache: "cato-cache".into(),
        per_minute,
    }
}

fn hit_ratio(ratio: f64) -> WorldChange {
    WorldChange::CacheHitRatio {
        cache: "cato-cache".into(),
        ratio,
    }
}
