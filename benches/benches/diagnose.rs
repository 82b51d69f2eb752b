//! Every runbook of the catalog diagnosed at once (`runbook::diagnose_all`, what
//! `cato-runbook diagnose --all` runs) on the fakes, every call delayed by the same latency: the
//! wall time beside its critical path (the longest chain of dependent calls × the latency) and
//! the sum of all calls (calls × the latency).
//!
//! The fakes' clock is tokio's time: on a paused runtime the latency is virtual (the elapsed
//! virtual time of one diagnosis is its critical path), on a running one it is real (the wall
//! time).
#![allow(missing_docs, clippy::print_stdout)]

// The benches' allocator (`cato_runbook_benches::GLOBAL`).
use cato_runbook_benches as _;
use std::hint::black_box;
use std::time::Duration;

use cato_runbook_core::IncidentId;
use cato_runbook_core::catalog::{self, CatalogConfig};
use cato_runbook_core::ports::{Clock, SystemClock};
use cato_runbook_core::runbook::{Runbook, diagnose_all};
use cato_runbook_mock::{OpMatch, World};
use criterion::{Criterion, criterion_group, criterion_main};

/// What every call of the fakes waits before it answers.
const LATENCY: Duration = Duration::from_millis(20);

/// Diagnosis runs the summary line's wall-time median is taken over.
const RUNS: usize = 21;

/// A world whose every call waits `latency` (none when zero), and the six runbooks on its
/// ports with their resources. Made inside the runtime whose time the world's clock reads.
fn slow_world(latency: Duration) -> Option<(World, Vec<(Runbook, String)>)> {
    let world = World::default();
    if !latency.is_zero() {
        world.faults().on(OpMatch::Any).latency(latency);
    }
    let providers = world.ports("bench").providers(world.clock_handle());
    let runbooks = catalog::all(&providers, &CatalogConfig::default()).ok()?;
    let targets = runbooks
        .into_iter()
        .map(|r| {
            let resource = r
                .detectors()
                .first()
                .map_or_else(|| r.id().to_string(), |d| d.resource().to_owned());
            (r, resource)
        })
        .collect();
    Some((world, targets))
}

/// One diagnosis of every runbook at once; returns how many diagnoses failed.
async fn diagnose(world: &World, targets: &[(Runbook, String)]) -> usize {
    let targets: Vec<(&Runbook, &str)> = targets.iter().map(|(r, s)| (r, s.as_str())).collect();
    let clock = world.clock();
    let found = diagnose_all(
        &clock,
        Duration::from_secs(60),
        &IncidentId::new("BENCH-1"),
        &targets,
    )
    .await;
    found.iter().map(|d| d.failures.len()).sum()
}

fn runtime(paused: bool) -> Option<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .start_paused(paused)
        .build()
        .ok()
}

/// The critical path and the sum of calls, counted on a paused runtime: the virtual time one
/// diagnosis takes, and its calls.
fn on_virtual_time() -> Option<(Duration, usize)> {
    let rt = runtime(true)?;
    rt.block_on(async {
        let (world, targets) = slow_world(LATENCY)?;
        let clock = world.clock();
        let started = clock.elapsed();
        let failed = diagnose(&world, &targets).await;
        let took = clock.elapsed() - started;
        (failed == 0).then(|| (took, world.calls().count(OpMatch::Any)))
    })
}

/// The median wall time of [`RUNS`] diagnoses on a running runtime, read on the system clock.
fn wall_median(
    rt: &tokio::runtime::Runtime,
    world: &World,
    targets: &[(Runbook, String)],
) -> Duration {
    let mut walls: Vec<Duration> = (0..RUNS)
        .map(|_| {
            let started = SystemClock.now();
            let _ = rt.block_on(diagnose(world, targets));
            (SystemClock.now() - started).to_std().unwrap_or_default()
        })
        .collect();
    walls.sort();
    walls.get(RUNS / 2).copied().unwrap_or_default()
}

fn millis(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn diagnose_all_six(c: &mut Criterion) {
    let Some((critical, calls)) = on_virtual_time() else {
        println!("diagnose_all: a diagnosis failed on the fakes");
        return;
    };
    let Some(rt) = runtime(false) else { return };
    let _guard = rt.enter();
    let Some((world, targets)) = slow_world(LATENCY) else {
        return;
    };
    let Some((quick_world, quick_targets)) = slow_world(Duration::ZERO) else {
        return;
    };

    let mut group = c.benchmark_group("diagnose_all_six_runbooks");
    group
        .sample_size(20)
        .measurement_time(Duration::from_secs(4));
    group.bench_function("latency_20ms", |b| {
        b.iter(|| black_box(rt.block_on(diagnose(&world, &targets))))
    });
    group.bench_function("no_latency", |b| {
        b.iter(|| black_box(rt.block_on(diagnose(&quick_world, &quick_targets))))
    });
    group.finish();

    let wall = wall_median(&rt, &world, &targets);
    let cpu = wall_median(&rt, &quick_world, &quick_targets);
    let chain = critical.as_millis() / LATENCY.as_millis().max(1);
    let sum = LATENCY * u32::try_from(calls).unwrap_or(u32::MAX);
    println!(
        "diagnose_all/six_runbooks: wall {:.1} ms (median of {RUNS}), critical path {:.0} ms \
         ({chain} calls × {} ms), sum of calls {:.0} ms ({calls} calls × {} ms); \
         wall / critical path = {:.2} (target ≤ 1.20); with no latency {:.1} ms",
        millis(wall),
        millis(critical),
        LATENCY.as_millis(),
        millis(sum),
        LATENCY.as_millis(),
        wall.as_secs_f64() / critical.as_secs_f64().max(f64::EPSILON),
        millis(cpu),
    );
}

criterion_group!(benches, diagnose_all_six);
criterion_main!(benches);
