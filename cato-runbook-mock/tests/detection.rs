//! A tick's looks: every detector at once under one deadline, on the virtual clock.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use async_trait::async_trait;
use cato_runbook_core::catalog::{self, CatalogConfig};
use cato_runbook_core::engine::TickEvent;
use cato_runbook_core::ports::Clock;
use cato_runbook_core::runbook::{Detector, Observation, ObserveContext, Runbook};
use cato_runbook_core::{Result, time};
use cato_runbook_mock::{Harness, OpMatch, World};

/// The engine's default look timeout.
const TIMEOUT: Duration = Duration::from_secs(10);

/// A look that answers healthy after `wait` on the clock (`None`: never), counting its looks.
#[derive(Debug)]
struct Slow {
    name: &'static str,
    wait: Option<Duration>,
    clock: Arc<dyn Clock>,
    looks: Arc<AtomicUsize>,
}

#[async_trait]
impl Detector for Slow {
    fn name(&self) -> &str {
        self.name
    }
    fn resource(&self) -> &str {
        "endpoint"
    }
    async fn observe(&self, _: &ObserveContext) -> Result<Observation> {
        self.looks.fetch_add(1, Ordering::SeqCst);
        match self.wait {
            Some(wait) if wait.is_zero() => {}
            Some(wait) => self.clock.sleep(wait).await,
            None => std::future::pending::<()>().await,
        }
        Ok(Observation::Healthy)
    }
}

fn harness(world: &World, detectors: &[(&'static str, Option<Duration>)]) -> Result<Harness> {
    let looks = Arc::new(AtomicUsize::new(0));
    let detectors: Vec<_> = detectors.to_vec();
    Harness::on(world)
        .runbooks(move |providers| {
            let mut builder = Runbook::builder("slow", "Slow looks");
            for (name, wait) in detectors {
                builder = builder.detector(Arc::new(Slow {
                    name,
                    wait,
                    clock: providers.clock.clone(),
                    looks: looks.clone(),
                }));
            }
            Ok(vec![builder.build()?])
        })
        .build()
}

#[tokio::test(start_paused = true)]
async fn a_look_still_running_at_the_deadline_is_unknown_and_the_others_keep_theirs() {
    let world = World::default();
    let harness = harness(
        &world,
        &[
            ("at-once", Some(Duration::ZERO)),
            ("nine-seconds", Some(Duration::from_secs(9))),
            ("never", None),
        ],
    )
    .unwrap();
    let start = world.now();
    let report = harness.engine().tick().await.unwrap();
    assert_eq!((report.healthy, report.unknown), (2, 1));
    let unknown: Vec<_> = report
        .events
        .iter()
        .filter_map(|event| match event {
            TickEvent::DetectorUnknown {
                detector, error, ..
            } => Some((detector.as_str(), error.as_str())),
            _ => None,
        })
        .collect();
    assert_eq!(unknown.len(), 1);
    assert_eq!(unknown[0].0, "never");
    assert!(
        unknown[0].1.contains("detector.observe"),
        "{}",
        unknown[0].1
    );
    // One deadline for every look, set before the first: the tick's looks take the timeout,
    // not the timeout after the slowest finished one.
    let looked = time::elapsed(start, world.now());
    assert!(
        looked >= TIMEOUT && looked < TIMEOUT + Duration::from_secs(1),
        "{looked:?}"
    );
}

#[tokio::test(start_paused = true)]
async fn looks_that_all_finish_take_the_slowest_ones_time() {
    let world = World::default();
    let harness = harness(
        &world,
        &[
            ("one-second", Some(Duration::from_secs(1))),
            ("three-seconds", Some(Duration::from_secs(3))),
            ("at-once", Some(Duration::ZERO)),
        ],
    )
    .unwrap();
    let start = world.now();
    let report = harness.engine().tick().await.unwrap();
    assert_eq!((report.healthy, report.unknown), (3, 0));
    let looked = time::elapsed(start, world.now());
    assert!(
        looked >= Duration::from_secs(3) && looked < Duration::from_secs(4),
        "{looked:?}"
    );
}

#[tokio::test(start_paused = true)]
async fn a_tick_waits_on_the_lease_then_on_its_slowest_read_not_on_their_sum() {
    // Every runbook of the catalog, every call of the world 20 ms.
    let latency = Duration::from_millis(20);
    let world = World::default();
    let ids: Vec<&str> = catalog::entries().iter().map(|entry| entry.id).collect();
    let harness = Harness::on(&world)
        .catalog(&ids, &CatalogConfig::default())
        .build()
        .unwrap();
    // The first tick loads the store; the next is a tick as a replica's ticks are.
    let next = time::add(world.now(), harness.tick_interval());
    harness.tick_then_wait(next).await.unwrap();
    world.faults().on(OpMatch::Any).latency(latency);
    world.calls().clear();
    let start = world.now();
    let report = harness.engine().tick().await.unwrap();
    assert_eq!((report.unknown, report.open_incidents), (0, 0));
    // The lease first (a standby looks at nothing), then the store's incidents, the
    // guardrails, the budget and the detectors' reads together: two calls deep.
    assert_eq!(time::elapsed(start, world.now()), 2 * latency);
    let calls = world.calls().of(OpMatch::Any);
    let (lease, rest): (Vec<_>, Vec<_>) = calls
        .iter()
        .partition(|call| call.op.to_string().starts_with("lease."));
    assert_eq!(lease.len(), 1);
    assert!(lease.iter().all(|call| call.at == start));
    let ops: std::collections::BTreeSet<String> =
        rest.iter().map(|call| call.op.to_string()).collect();
    for op in [
        "incident_store.open_versions",
        "incident_store.guardrails",
        "budget.status",
        "metrics.query",
    ] {
        assert!(ops.contains(op), "{op} missing from {ops:?}");
    }
    let after_lease = time::add(start, latency);
    assert!(
        rest.iter().all(|call| call.at == after_lease),
        "every other call began when the lease answered: {:?}",
        rest.iter()
            .map(|call| (call.op.to_string(), call.at))
            .collect::<Vec<_>>()
    );
}
