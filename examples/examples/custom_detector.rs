//! A runbook of one's own: a detector of the runbook's "p99 latency > 2 seconds" reading a value
//! the host keeps up to date, a diagnosis, and a one-step ladder — run by the engine.
//!
//! `cargo run -p cato-runbook-examples --example custom_detector`

#![allow(clippy::print_stdout)] // An example program prints what it sees.

use std::sync::Arc;
use std::sync::atomic::{AtomicU32, AtomicU64, Ordering};
use std::time::Duration;

use async_trait::async_trait;
use cato_runbook_core::engine::{Engine, Mode, Policy};
use cato_runbook_core::runbook::{
    Detector, DiagnoseContext, Diagnosis, DiagnosisReport, FactKey, Finding, Mitigation,
    Observation, ObserveContext, Plan, Quantity, Risk, Runbook, StepContext, Symptom, Verification,
};
use cato_runbook_core::{Impact, Result};
use cato_runbook_mock::World;
use serde::{Deserialize, Serialize};

/// What the host measures and controls (in a real service: its metrics registry and its
/// worker pool).
#[derive(Debug, Default)]
struct Host {
    p99_millis: AtomicU64,
    workers: AtomicU32,
}

/// Fires when the host's p99 latency is above a threshold.
#[derive(Debug)]
struct P99Above {
    host: Arc<Host>,
    threshold_millis: u64,
}

#[async_trait]
impl Detector for P99Above {
    fn name(&self) -> &str {
        "p99-latency"
    }

    fn resource(&self) -> &str {
        "cato-orchestrator"
    }

    async fn observe(&self, _ctx: &ObserveContext) -> Result<Observation> {
        let p99 = self.host.p99_millis.load(Ordering::Relaxed);
        if p99 <= self.threshold_millis {
            return Ok(Observation::Healthy);
        }
        Ok(Observation::Symptom(
            Symptom::new(
                format!("p99 {p99} ms > {} ms", self.threshold_millis),
                Impact::degraded(0.6)?,
            )
            .with_evidence(format!("p99={p99}ms")),
        ))
    }
}

/// The fact the diagnosis records: the size of the worker pool. A key names a fact once, with
/// the type of its value; a step's precondition reads it back with `findings.get(WORKERS)`.
const WORKERS: FactKey<u32> = FactKey::new("workers");

/// Records how many workers there are.
#[derive(Debug)]
struct Workers(Arc<Host>);

#[async_trait]
impl Diagnosis for Workers {
    fn name(&self) -> &str {
        "worker-pool"
    }

    async fn diagnose(&self, _ctx: &DiagnoseContext) -> Result<DiagnosisReport> {
        let workers = self.0.workers.load(Ordering::Relaxed);
        Ok(DiagnosisReport::finding(
            Finding::new(self.name(), format!("{workers} workers")).with(WORKERS, workers),
        ))
    }
}

/// Doubles the worker pool; the host's latency falls with it.
#[derive(Debug)]
struct DoubleWorkers(Arc<Host>);

/// What the step keeps between plan, apply and revert: absolute targets, so applying the plan
/// twice (a retry, another replica after a crash) doubles the pool once.
#[derive(Serialize, Deserialize)]
struct Resize {
    before: u32,
    after: u32,
}

#[async_trait]
impl Mitigation for DoubleWorkers {
    fn name(&self) -> &str {
        "double-workers"
    }

    /// Everything the engine needs is decided here, in the plan: risk, reversibility, when to
    /// verify, and the absolute target.
    async fn plan(&self, ctx: &StepContext) -> Result<Plan> {
        let now = self.0.workers.load(Ordering::Relaxed);
        let after = now.saturating_mul(2).max(1);
        Plan::new(
            self,
            ctx,
            Risk::Medium,
            format!("double the worker pool to {after}"),
        )
        .change("worker pool", now, after)
        .quantity(Quantity::Replicas(after))
        .reversible()
        .verify_after(Duration::from_secs(120))
        .with_memo(&Resize { before: now, after })
    }

    async fn apply(&self, _ctx: &StepContext, plan: &Plan) -> Result<String> {
        let Resize { after, .. } = plan.memo()?;
        self.0.workers.store(after, Ordering::Relaxed);
        self.0.p99_millis.store(600, Ordering::Relaxed); // More workers, shorter queues.
        Ok(format!("{after} workers"))
    }

    async fn verify(&self, _ctx: &StepContext, _plan: &Plan) -> Result<Verification> {
        let p99 = self.0.p99_millis.load(Ordering::Relaxed);
        Ok(if p99 <= 2000 {
            Verification::Passed(format!("p99 {p99} ms"))
        } else {
            Verification::Failed(format!("p99 still {p99} ms"))
        })
    }

    async fn revert(&self, _ctx: &StepContext, plan: &Plan) -> Result<String> {
        let Resize { before, .. } = plan.memo()?;
        self.0.workers.store(before, Ordering::Relaxed);
        Ok(format!("back to {before} workers"))
    }
}

#[tokio::main(flavor = "current_thread", start_paused = true)]
async fn main() -> Result<()> {
    let host = Arc::new(Host::default());
    host.workers.store(8, Ordering::Relaxed);
    host.p99_millis.store(2400, Ordering::Relaxed);

    let runbook = Runbook::builder("worker-latency", "Worker pool latency")
        .detector(Arc::new(P99Above {
            host: host.clone(),
            threshold_millis: 2000,
        }))
        .diagnosis(Arc::new(Workers(host.clone())))
        .step(Arc::new(DoubleWorkers(host.clone())))
        .prevention("Autoscale the worker pool on queue depth")
        .build()?;

    // A fake world gives the pager, chat and clock; a host would pass its real ones.
    let world = World::default();
    let ports = world.ports("example");
    let engine = Engine::builder()
        .runbook(runbook)
        .clock(world.clock_handle())
        .pager(ports.pager.clone())
        .chat(ports.chat.clone())
        .store(ports.store.clone())
        .policy(Policy::with_mode(Mode::Auto))
        .alone() // one process; replicas share a lease instead
        .build()?;

    for _ in 0..12 {
        engine.tick().await?;
        world
            .clock()
            .sleep_until(world.at(world.clock().elapsed() + Duration::from_secs(30)))
            .await;
    }
    let incidents = ports.store.all().await?;
    for incident in &incidents {
        println!(
            "{} {} {}",
            incident.id(),
            incident.severity(),
            incident.status()
        );
        for entry in incident.timeline() {
            println!("  {entry}");
        }
    }
    println!("workers now: {}", host.workers.load(Ordering::Relaxed));
    Ok(())
}
