//! Writing a detector of one's own: the runbook's "p99 latency > 2 seconds", reading a value the
//! host keeps up to date, observed as the engine would.
//!
//! `cargo run -p cato-runbook-examples --example custom_detector`

#![allow(clippy::print_stdout)] // An example program prints what it sees.

use std::sync::atomic::{AtomicU64, Ordering};

use async_trait::async_trait;
use cato_runbook_core::runbook::{Detector, Observation, ObserveContext, Symptom};
use cato_runbook_core::{Impact, Result, Severity};

/// Fires when the host's p99 latency is above a threshold.
struct P99Above {
    p99_millis: AtomicU64,
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
        let p99 = self.p99_millis.load(Ordering::Relaxed);
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

#[tokio::main(flavor = "current_thread")]
async fn main() -> anyhow::Result<()> {
    let detector = P99Above {
        p99_millis: AtomicU64::new(450),
        threshold_millis: 2000,
    };
    let ctx = ObserveContext::new(chrono::DateTime::UNIX_EPOCH);
    for p99 in [450, 2400, 900] {
        detector.p99_millis.store(p99, Ordering::Relaxed);
        match detector.observe(&ctx).await? {
            Observation::Healthy => println!("p99 {p99} ms: healthy"),
            Observation::Symptom(symptom) => println!(
                "p99 {p99} ms: {} → {}",
                symptom.summary,
                Severity::assess(&symptom.impact)
            ),
        }
    }
    Ok(())
}
