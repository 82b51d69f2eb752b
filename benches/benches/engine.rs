//! One engine tick over 10 … 10,000 healthy detectors reading in-memory signals: the engine's
//! own overhead per detector, and the allocations of a tick.
#![allow(missing_docs, clippy::print_stdout)]

use std::fmt;
use std::hint::black_box;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use async_trait::async_trait;
use cato_runbook_benches::GLOBAL;
use cato_runbook_core::engine::{Engine, Mode, Policy};
use cato_runbook_core::ports::{Chat, ChatMessage, Page, Pager, Posted, SystemClock};
use cato_runbook_core::runbook::{Detector, Observation, ObserveContext, Runbook, Symptom};
use cato_runbook_core::{Impact, Result};
use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use stats_alloc::Region;

/// p99 latency in milliseconds, as a host's in-process counter.
#[derive(Debug)]
struct P99 {
    resource: String,
    millis: Arc<AtomicU64>,
}

#[async_trait]
impl Detector for P99 {
    fn name(&self) -> &str {
        "p99-latency"
    }
    fn resource(&self) -> &str {
        &self.resource
    }
    async fn observe(&self, _ctx: &ObserveContext) -> Result<Observation> {
        let p99 = self.millis.load(Ordering::Relaxed);
        Ok(if p99 > 2000 {
            Observation::Symptom(Symptom::new(
                format!("p99 {p99} ms"),
                Impact::degraded(0.6)?,
            ))
        } else {
            Observation::Healthy
        })
    }
}

#[derive(Debug)]
struct Quiet;

impl fmt::Display for Quiet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("quiet")
    }
}

#[async_trait]
impl Pager for Quiet {
    async fn trigger(&self, _: &Page) -> Result<()> {
        Ok(())
    }
    async fn acknowledge(&self, _: &str, _: &str) -> Result<()> {
        Ok(())
    }
    async fn resolve(&self, _: &str, _: &str) -> Result<()> {
        Ok(())
    }
}

#[async_trait]
impl Chat for Quiet {
    async fn post(&self, m: &ChatMessage) -> Result<Posted> {
        Ok(Posted {
            channel: m.channel.clone(),
            thread: "1".into(),
        })
    }
}

fn engine(detectors: usize) -> Result<Engine> {
    engine_at(detectors, 300)
}

fn engine_at(detectors: usize, p99_millis: u64) -> Result<Engine> {
    let millis = Arc::new(AtomicU64::new(p99_millis));
    let mut runbook = Runbook::builder("high-latency", "High latency");
    for i in 0..detectors {
        runbook = runbook.detector(Arc::new(P99 {
            resource: format!("svc-{i}"),
            millis: millis.clone(),
        }));
    }
    Engine::builder()
        .runbook(runbook.build()?)
        .clock(Arc::new(SystemClock))
        .pager(Arc::new(Quiet))
        .chat(Arc::new(Quiet))
        .policy(Policy::with_mode(Mode::Auto))
        .alone()
        .build()
}

fn tick(c: &mut Criterion) {
    let Ok(rt) = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()
    else {
        return;
    };
    let mut group = c.benchmark_group("engine_tick_healthy");
    for n in [10usize, 100, 1_000, 10_000] {
        let Ok(engine) = engine(n) else { return };
        // Warm up (the first tick loads the store), then count one tick's allocations.
        let _ = rt.block_on(engine.tick());
        let region = Region::new(&GLOBAL);
        let report = rt.block_on(engine.tick());
        let stats = region.change();
        assert!(report.is_ok_and(|r| r.healthy == n));
        println!(
            "engine_tick_healthy/{n}: {} allocations per tick ({:.3} per detector), {} bytes",
            stats.allocations,
            stats.allocations as f64 / n as f64,
            stats.bytes_allocated
        );
        group.throughput(Throughput::Elements(n as u64));
        group.bench_with_input(BenchmarkId::from_parameter(n), &engine, |b, engine| {
            b.iter(|| black_box(rt.block_on(engine.tick()).map(|r| r.healthy)))
        });
    }
    group.finish();
}

/// A tick with N open incidents (every detector sees a symptom): detection, then one reconcile
/// task per incident, each with its act lane on a task of its own.
fn tick_open(c: &mut Criterion) {
    let Ok(rt) = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()
    else {
        return;
    };
    let mut group = c.benchmark_group("engine_tick_open_incidents");
    for n in [10usize, 100, 1_000] {
        let Ok(engine) = engine_at(n, 3_000) else {
            return;
        };
        // Two bad looks open every incident; the third tick is the steady state.
        for _ in 0..3 {
            let _ = rt.block_on(engine.tick());
        }
        let region = Region::new(&GLOBAL);
        let report = rt.block_on(engine.tick());
        let stats = region.change();
        assert!(report.is_ok_and(|r| r.open_incidents == n));
        println!(
            "engine_tick_open_incidents/{n}: {} allocations per tick ({:.1} per incident), {} bytes",
            stats.allocations,
            stats.allocations as f64 / n as f64,
            stats.bytes_allocated
        );
        group.throughput(Throughput::Elements(n as u64));
        group.bench_with_input(BenchmarkId::from_parameter(n), &engine, |b, engine| {
            b.iter(|| black_box(rt.block_on(engine.tick()).map(|r| r.open_incidents)))
        });
    }
    group.finish();
}

criterion_group!(benches, tick, tick_open);
criterion_main!(benches);
