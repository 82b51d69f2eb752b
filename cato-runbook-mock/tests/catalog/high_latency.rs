//! High Latency: SEV2; scale Shadow Self, then the orchestrator, then point at the likelier
//! cause.

mod approvals_and_failures;
mod detect;
mod ladder;
mod no_data;
mod pricing;
mod related;
mod rollback;

use cato_runbook_core::Result;
use cato_runbook_core::catalog::Providers;
use cato_runbook_core::catalog::high_latency::{self, Config};
use cato_runbook_core::runbook::Runbook;
use cato_runbook_mock::config::{EndpointSpec, WorkloadSpec};
use cato_runbook_mock::{Op, World, WorldChange, WorldConfig};

use crate::world_engine::minutes;

const ID: &str = "high-latency";

fn runbook(config: Config) -> impl FnOnce(&Providers) -> Result<Vec<Runbook>> {
    move |p| Ok(vec![high_latency::runbook(p, &config)?])
}

/// A world whose Shadow Self runs `instances` and whose orchestrator runs `replicas` (with a
/// heavier per-request overhead when `busy_orchestrator`), and whose traffic rises to
/// `surge` requests a minute at T+1m.
fn world(instances: u32, replicas: u32, busy_orchestrator: bool, surge: f64) -> World {
    let world = World::new(WorldConfig {
        endpoints: vec![EndpointSpec {
            instances,
            ..EndpointSpec::default()
        }],
        workloads: vec![WorkloadSpec {
            replicas,
            overhead_ms: if busy_orchestrator { 50.0 } else { 30.0 },
            ..WorkloadSpec::default()
        }],
        ..WorldConfig::default()
    })
    .unwrap();
    world
        .schedule_in(
            minutes(1),
            WorldChange::RequestRate {
                requests_per_minute: surge,
            },
        )
        .unwrap();
    world
}

fn scaled(world: &World, op: Op, arg: &str) -> Vec<u64> {
    world
        .calls()
        .applied(op)
        .iter()
        .map(|c| c.arg_u64(arg).unwrap())
        .collect()
}

fn instances(world: &World) -> Vec<u64> {
    scaled(world, Op::EndpointSetInstanceCount, "count")
}

fn replicas(world: &World) -> Vec<u64> {
    scaled(world, Op::WorkloadsScale, "replicas")
}
