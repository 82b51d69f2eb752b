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
async fn a_leaders_tick_looks_while_it_renews_the_lease_and_reads_the_rest_together() {
    // Every runbook of the catalog, every call of the world 20 ms.
    let latency = Duration::from_millis(20);
    let world = World::default();
    let ids: Vec<&str> = catalog::entries().iter().map(|entry| entry.id).collect();
    let harness = Harness::on(&world)
        .catalog(&ids, &CatalogConfig::default())
        .build()
        .unwrap();
    // The first tick takes the lease and loads the store; the next is a leader's tick.
    let next = time::add(world.now(), harness.tick_interval());
    harness.tick_then_wait(next).await.unwrap();
    world.faults().on(OpMatch::Any).latency(latency);
    world.calls().clear();
    let start = world.now();
    let report = harness.engine().tick().await.unwrap();
    assert_eq!((report.unknown, report.open_incidents), (0, 0));
    // Two calls deep: the lease and the detectors' reads at once, then the store's incidents,
    // the guardrails and the budget together while the looks finish.
    assert_eq!(time::elapsed(start, world.now()), 2 * latency);
    let mut by_start: std::collections::BTreeMap<_, std::collections::BTreeSet<String>> =
        Default::default();
    for call in world.calls().of(OpMatch::Any) {
        by_start
            .entry(call.at)
            .or_default()
            .insert(call.op.to_string());
    }
    let after_lease = time::add(start, latency);
    assert_eq!(
        by_start.keys().copied().collect::<Vec<_>>(),
        [start, after_lease],
        "{by_start:?}"
    );
    for op in [
        "lease.acquire",
        "metrics.query",
        "endpoint.describe",
        "logs.filter",
    ] {
        assert!(by_start[&start].contains(op), "{op}: {by_start:?}");
    }
    let after: Vec<&str> = by_start[&after_lease].iter().map(String::as_str).collect();
    assert_eq!(
        after,
        [
            "budget.status",
            "incident_store.guardrails",
            "incident_store.open_versions"
        ]
    );
}

#[tokio::test(start_paused = true)]
async fn a_replica_that_does_not_lead_asks_the_lease_before_it_looks() {
    let latency = Duration::from_millis(20);
    let world = World::default();
    let harness = Harness::on(&world)
        .catalog(&["shadow-self-down"], &CatalogConfig::default())
        .build()
        .unwrap();
    world.faults().on(OpMatch::Any).latency(latency);
    let start = world.now();
    let report = harness.engine().tick().await.unwrap();
    assert_eq!(report.unknown, 0);
    let calls = world.calls().of(OpMatch::Any);
    assert_eq!(calls[0].op.to_string(), "lease.acquire");
    assert!(
        calls
            .iter()
            .skip(1)
            .all(|call| call.at >= time::add(start, latency)),
        "no call before the lease answered"
    );
}
