//! A fleet of 10, 100 and 1,000 monitored endpoints (each with its cache and its table), every
//! runbook's detectors on each, over one fake world: provider calls per tick by operation, the
//! time a tick waits on its calls with a fixed latency on every call, the engine's own CPU time
//! per tick, and the memory of an open incident.
//!
//! The runtime's clock is paused, as in the tests: the world's clock reads it, so the fleet runs
//! ten healthy minutes of virtual time before anything is counted (every window filled, as on a
//! replica that has been up a while), and a tick's wait on its calls (`LATENCY` each) is read off
//! the virtual clock — the critical path of its rounds of calls, whatever the machine. Criterion
//! times a tick's CPU in real time, between ticks a tick interval apart: once on the fakes as
//! they are (`fakes/N`, most of it the fakes synthesising series), once with metrics, logs and
//! cache counters answered from a memo (`canned/N`, see [`canned`]: the engine's own work), and the same with
//! the latency on every call, the clock still paused (`canned_at_20ms/N`: the work the waits
//! add, their timers and the fault rules, without the waits). Last, the canned
//! fleet's ticks in real time with the latency on every call (`wall_at_20ms/N`): the runtime's
//! clock runs for each tick and is paused between them.
#![allow(
    missing_docs,
    clippy::print_stdout,
    clippy::unwrap_used,
    clippy::expect_used
)]

use std::collections::BTreeMap;
use std::hint::black_box;
use std::sync::Arc;
use std::time::Duration;

use cato_runbook_benches::GLOBAL;
use cato_runbook_core::catalog::{self, CatalogConfig};
use cato_runbook_core::runbook::Runbook;
use cato_runbook_core::{Result, time};
use cato_runbook_mock::config::WorldConfig;
use cato_runbook_mock::{Harness, OpMatch, World, WorldChange};
use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use stats_alloc::Region;

mod canned;

/// The latency injected on every provider call.
const LATENCY: Duration = Duration::from_millis(20);

fn world(n: usize) -> World {
    let mut config = WorldConfig::default();
    let (endpoint, cache, table) = (
        config.endpoints[0].clone(),
        config.caches[0].clone(),
        config.tables[0].clone(),
    );
    config.endpoints = (0..n)
        .map(|i| {
            let mut e = endpoint.clone();
            e.name = format!("ep-{i}");
            e
        })
        .collect();
    config.caches = (0..n)
        .map(|i| {
            let mut c = cache.clone();
            c.id = format!("cache-{i}");
            c
        })
        .collect();
    config.tables = (0..n)
        .map(|i| {
            let mut t = table.clone();
            t.name = format!("table-{i}");
            t
        })
        .collect();
    World::new(config).unwrap()
}

/// The catalog's config watching endpoint `i`, its cache and its table.
fn watching(i: usize) -> CatalogConfig {
    let mut config = CatalogConfig::default();
    config.shadow_self_down.endpoint = format!("ep-{i}");
    config.high_latency.shadow_self.endpoint = format!("ep-{i}");
    config.cache_miss_spike.cache = format!("cache-{i}");
    config.dynamodb_hot_partition.table = format!("table-{i}");
    config
}

/// Every runbook of the catalog, its detectors built for each of the `n` endpoints (the
/// runbooks of one shared resource, the budget and the Bedrock model, once).
fn runbooks(providers: &catalog::Providers, n: usize) -> Result<Vec<Runbook>> {
    let shared = ["budget-exceeded", "bedrock-throttling"];
    let mut out = Vec::new();
    for entry in catalog::entries() {
        let first = (entry.build)(providers, &watching(0))?;
        let mut builder = Runbook::builder(entry.id, entry.title);
        let count = if shared.contains(&entry.id) { 1 } else { n };
        for i in 0..count {
            let built = if i == 0 {
                first.clone()
            } else {
                (entry.build)(providers, &watching(i))?
            };
            for detector in built.detectors() {
                builder = builder.detector(detector.clone());
            }
        }
        out.push(builder.build()?);
    }
    Ok(out)
}

fn harness(world: &World, n: usize) -> Harness {
    Harness::on(world)
        .runbooks(move |providers| runbooks(providers, n))
        .build()
        .unwrap()
}

/// As [`harness`], with the world's metrics and logs answered from a memo after their first
/// call, and its caches' counters carried on from their last readings.
fn canned_harness(world: &World, n: usize, freeze: &canned::Freeze) -> Harness {
    let mut ports = world.ports("replica-1");
    ports.metrics = Arc::new(canned::CannedMetrics::new(ports.metrics, freeze.clone()));
    let clock = world.clone();
    ports.cache_stats = Arc::new(canned::CannedCacheStats::new(
        ports.cache_stats,
        freeze.clone(),
    ));
    ports.logs = Arc::new(canned::CannedLogs::new(
        ports.logs,
        freeze.clone(),
        move || clock.now(),
    ));
    Harness::on(world)
        .ports(ports)
        .runbooks(move |providers| runbooks(providers, n))
        .build()
        .unwrap()
}

/// Criterion's time of a tick of `harness`, ticks a tick interval apart, as `label/n`.
fn bench_ticks(
    group: &mut criterion::BenchmarkGroup<'_, criterion::measurement::WallTime>,
    rt: &tokio::runtime::Runtime,
    label: &str,
    n: usize,
    harness: &Harness,
) {
    group.bench_with_input(BenchmarkId::new(label, n), harness, |b, harness| {
        b.iter(|| {
            let until = time::add(harness.world().now(), harness.tick_interval());
            black_box(
                rt.block_on(harness.tick_then_wait(until))
                    .map(|r| r.healthy),
            )
        })
    });
}

/// Criterion's time of a tick of the canned `harness` with [`LATENCY`] on every call and the
/// runtime's clock running for it: the waits and the work together, as a replica's tick takes
/// them, as `wall_at_20ms/n`. Between two ticks the clock is paused and moved a tick interval
/// on, as on a replica (ticked back to back, a detector of counters sees too few lookups since
/// its last look and turns unknown, and the fleet goes blind).
#[allow(clippy::disallowed_methods)] // The bench times real time, between paused stretches.
fn bench_wall(
    group: &mut criterion::BenchmarkGroup<'_, criterion::measurement::WallTime>,
    rt: &tokio::runtime::Runtime,
    n: usize,
    harness: &Harness,
    freeze: &canned::Freeze,
) {
    harness.world().faults().on(OpMatch::Any).latency(LATENCY);
    freeze.latency(LATENCY);
    let misses = freeze.misses();
    let mut last_start = harness.world().now();
    group.bench_with_input(
        BenchmarkId::new("wall_at_20ms", n),
        harness,
        |b, harness| {
            b.iter_custom(|iters| {
                let mut ticking = Duration::ZERO;
                for _ in 0..iters {
                    // The next tick a tick interval after the last one's start, as a
                    // replica's schedule has it (its windows as long as the last tick's).
                    let next = time::add(last_start, harness.tick_interval());
                    let wait = time::elapsed(harness.world().now(), next);
                    rt.block_on(tokio::time::advance(wait));
                    last_start = harness.world().now();
                    tokio::time::resume();
                    let start = std::time::Instant::now();
                    let report = rt.block_on(harness.engine().tick()).unwrap();
                    ticking += start.elapsed();
                    tokio::time::pause();
                    assert_eq!(report.unknown, 0, "a wall tick saw unknown detectors");
                }
                ticking
            })
        },
    );
    freeze.latency(Duration::ZERO);
    harness.world().faults().clear();
    println!(
        "fleet/{n}: {} of the wall ticks' reads went past the memo, to the fakes",
        freeze.misses() - misses
    );
}

fn calls_by_op(world: &World) -> BTreeMap<String, usize> {
    let mut by_op = BTreeMap::new();
    for call in world.calls().of(OpMatch::Any) {
        *by_op.entry(call.op.to_string()).or_default() += 1;
    }
    by_op
}

/// The queries of each `metrics.query` call of the call record (one `GetMetricData` each).
fn metric_reads(world: &World) -> Vec<usize> {
    world
        .calls()
        .of(OpMatch::Any)
        .iter()
        .filter(|call| call.op.to_string() == "metrics.query")
        .map(|call| call.args["queries"].as_array().map_or(0, Vec::len))
        .collect()
}

/// The fleet sizes measured: 10, 100 and 1,000, or those of `CATO_FLEET_SIZES` (e.g. `300,1000`).
fn sizes() -> Vec<usize> {
    std::env::var("CATO_FLEET_SIZES")
        .ok()
        .map(|list| {
            list.split(',')
                .filter_map(|n| n.trim().parse().ok())
                .collect()
        })
        .unwrap_or_else(|| vec![10, 100, 1_000])
}

fn fleet(c: &mut Criterion) {
    let mut group = c.benchmark_group("fleet_tick");
    group.sample_size(10);
    group.measurement_time(Duration::from_secs(5));
    for n in sizes() {
        // A runtime of each size's own: its paused clock starts anew (the wall-time bench
        // runs it for real a while).
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_time()
            .start_paused(true)
            .build()
            .unwrap();
        // The world's clock reads the runtime's: the world is made inside it.
        let _runtime = rt.enter();
        let world = world(n);
        let harness = harness(&world, n);
        // Ten healthy minutes first: the store loaded, every window filled.
        rt.block_on(harness.run_for(Duration::from_secs(600)))
            .unwrap();
        let next = || time::add(world.now(), harness.tick_interval());
        world.calls().clear();
        let report = rt.block_on(harness.tick_then_wait(next())).unwrap();
        assert_eq!(report.open_incidents, 0, "a healthy fleet opened incidents");
        println!(
            "fleet/{n}: {} detectors on {}, calls per tick: {:?}",
            report.detectors,
            cato_runbook_benches::ALLOCATOR,
            calls_by_op(&world)
        );
        let reads = metric_reads(&world);
        let series: usize = reads.iter().sum();
        println!(
            "fleet/{n}: {series} series in {} GetMetricData calls ({reads:?} queries; ⌈series / 500⌉ = {})",
            reads.len(),
            series.div_ceil(500)
        );
        world.faults().on(OpMatch::Any).latency(LATENCY);
        let start = world.now();
        rt.block_on(harness.engine().tick()).unwrap();
        println!(
            "fleet/{n}: one tick with {LATENCY:?} a call waited {:?} on its calls",
            time::elapsed(start, world.now())
        );
        world.faults().clear();
        rt.block_on(harness.tick_then_wait(next())).unwrap();
        bench_ticks(&mut group, &rt, "fakes", n, &harness);
        // The same fleet on a world of its own, metrics, logs and cache counters canned once
        // warm.
        let canned_world = self::world(n);
        let freeze = canned::Freeze::new(canned_world.clock_handle());
        let canned = canned_harness(&canned_world, n, &freeze);
        rt.block_on(canned.run_for(Duration::from_secs(600)))
            .unwrap();
        freeze.freeze();
        let report = rt
            .block_on(canned.tick_then_wait(time::add(canned_world.now(), canned.tick_interval())))
            .unwrap();
        assert_eq!(report.open_incidents, 0, "a canned fleet opened incidents");
        let region = Region::new(&GLOBAL);
        rt.block_on(canned.tick_then_wait(time::add(canned_world.now(), canned.tick_interval())))
            .unwrap();
        let stats = region.change();
        println!(
            "fleet/{n}: a canned tick allocates {} times ({} reallocations, {} bytes)",
            stats.allocations, stats.reallocations, stats.bytes_allocated
        );
        bench_ticks(&mut group, &rt, "canned", n, &canned);
        assert_eq!(freeze.misses(), 0, "a canned tick's read went to the fakes");
        // The same ticks with the latency on every call, the clock still paused: the work the
        // waits add (their timers, the fault rules), without the waits.
        canned.world().faults().on(OpMatch::Any).latency(LATENCY);
        freeze.latency(LATENCY);
        bench_ticks(&mut group, &rt, "canned_at_20ms", n, &canned);
        freeze.latency(Duration::ZERO);
        canned.world().faults().clear();
        bench_wall(&mut group, &rt, n, &canned, &freeze);
        // The rounds on a running clock: a tick of the fakes a tick interval on, 20 ms a call.
        world.faults().on(OpMatch::Any).latency(LATENCY);
        rt.block_on(tokio::time::advance(harness.tick_interval()));
        world.calls().clear();
        tokio::time::resume();
        let report = rt.block_on(harness.engine().tick()).unwrap();
        tokio::time::pause();
        world.faults().clear();
        let reads = metric_reads(&world);
        let series: usize = reads.iter().sum();
        println!(
            "fleet/{n}: on a running clock, {} unknown, {series} series in {} GetMetricData calls ({reads:?})",
            report.unknown,
            reads.len()
        );
        assert_eq!(
            report.unknown, 0,
            "a tick on a running clock saw unknown detectors"
        );
        assert_eq!(
            reads.len(),
            series.div_ceil(500),
            "calls per tick on a running clock"
        );
        // Every endpoint down: one incident each once the hysteresis has seen enough.
        for i in 0..n {
            world
                .apply(WorldChange::EndpointLosesInstances {
                    endpoint: format!("ep-{i}"),
                    cause: cato_runbook_mock::config::CrashCause::CrashLoop,
                })
                .unwrap();
        }
        // The fakes' call record keeps one call from here on, so that what the region holds is
        // the incidents' (the engine's, the store's, the world's), not the record's.
        world.calls().keep_last(1);
        let region = Region::new(&GLOBAL);
        let mut open = 0;
        for _ in 0..6 {
            open = rt
                .block_on(harness.tick_then_wait(next()))
                .unwrap()
                .open_incidents;
        }
        let stats = region.change();
        let held = stats
            .bytes_allocated
            .saturating_sub(stats.bytes_deallocated);
        println!(
            "fleet/{n}: {open} open incidents, {held} bytes held after opening them ({:.0} per incident)",
            held as f64 / open.max(1) as f64
        );
    }
    group.finish();
}

criterion_group!(benches, fleet);
criterion_main!(benches);
