//! Your own runbook through the replica simulator: 5 engines over one store and one lease, under
//! 200 seeded schedules of crashes, pauses and partitions, with every invariant checked after
//! each step — a change applied at most once, one open incident per key, every SEV1 paged.
//!
//! The runbook here is a small one of our own: the endpoint's instances below a floor is an
//! outage, and the step sets the instance count back to the floor (an absolute target, so
//! applying it twice equals once), reading the endpoint back after a crash.
//!
//! `cargo run -p cato-runbook-examples --example simulate_replicas`

#![allow(clippy::print_stdout)] // An example program prints what it sees.

use std::sync::Arc;

use async_trait::async_trait;
use cato_runbook_core::catalog::Providers;
use cato_runbook_core::ports::ModelEndpoint;
use cato_runbook_core::runbook::{
    Detector, Landed, Mitigation, Observation, ObserveContext, Plan, Risk, Runbook, StepContext,
    Symptom, Verification,
};
use cato_runbook_core::{Error, ErrorKind, Impact, Result};
use cato_runbook_mock::config::CrashCause;
use cato_runbook_mock::sim::Simulation;
use cato_runbook_mock::{World, WorldChange};

const ENDPOINT: &str = "cato-shadow-self";
const FLOOR: u32 = 2;

#[derive(Debug)]
struct BelowFloor(Arc<dyn ModelEndpoint>);

#[async_trait]
impl Detector for BelowFloor {
    fn name(&self) -> &str {
        "instances-below-floor"
    }
    fn resource(&self) -> &str {
        ENDPOINT
    }
    async fn observe(&self, _ctx: &ObserveContext) -> Result<Observation> {
        let serving = self.0.describe(ENDPOINT).await?.current_instances();
        Ok(if serving < FLOOR {
            Observation::Symptom(Symptom::new(
                format!("{serving} instances serving (floor {FLOOR})"),
                Impact::outage(),
            ))
        } else {
            Observation::Healthy
        })
    }
}

#[derive(Debug)]
struct BackToFloor(Arc<dyn ModelEndpoint>);

impl BackToFloor {
    async fn serving(&self) -> Result<(String, u32)> {
        let described = self.0.describe(ENDPOINT).await?;
        let variant = described.variants.first().ok_or_else(|| {
            Error::new(
                ErrorKind::NotFound,
                "describe",
                "the endpoint has no variant",
            )
        })?;
        Ok((variant.name.clone(), variant.desired_instances))
    }
}

#[async_trait]
impl Mitigation for BackToFloor {
    fn name(&self) -> &str {
        "back-to-floor"
    }
    async fn plan(&self, ctx: &StepContext) -> Result<Plan> {
        let (_, desired) = self.serving().await?;
        let summary = format!("set {ENDPOINT} to {FLOOR} instances");
        Ok(Plan::new(self, ctx, Risk::Medium, summary).change(
            "desired instances",
            desired.to_string(),
            FLOOR.to_string(),
        ))
    }
    async fn apply(&self, _ctx: &StepContext, plan: &Plan) -> Result<String> {
        let (variant, _) = self.serving().await?;
        let key = &plan.idempotency_key;
        self.0
            .set_instance_count(ENDPOINT, &variant, FLOOR, key)
            .await?;
        Ok(format!("{ENDPOINT} set to {FLOOR} instances"))
    }
    async fn verify(&self, _ctx: &StepContext, _plan: &Plan) -> Result<Verification> {
        let serving = self.0.describe(ENDPOINT).await?.current_instances();
        Ok(if serving >= FLOOR {
            Verification::Passed(format!("{serving} serving"))
        } else {
            Verification::Failed(format!("{serving} serving"))
        })
    }
    /// After a crash: the desired count says whether the call landed.
    async fn landed(&self, _ctx: &StepContext, _plan: &Plan) -> Result<Landed> {
        let (_, desired) = self.serving().await?;
        Ok(if desired == FLOOR {
            Landed::Yes
        } else {
            Landed::No
        })
    }
}

fn runbooks(providers: &Providers) -> Result<Vec<Runbook>> {
    let endpoint = providers
        .endpoint
        .clone()
        .ok_or_else(|| Error::invalid_input("example", "no endpoint provider"))?;
    Ok(vec![
        Runbook::builder("endpoint-floor", "Endpoint below its instance floor")
            .detector(Arc::new(BelowFloor(endpoint.clone())))
            .step(Arc::new(BackToFloor(endpoint)))
            .build()?,
    ])
}

fn main() -> Result<()> {
    let mut broken = 0;
    for seed in 0..200 {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_time()
            .start_paused(true)
            .build()
            .map_err(|e| Error::new(ErrorKind::Internal, "runtime", e.to_string()))?;
        let report = runtime.block_on(async {
            let world = World::default();
            world.apply(WorldChange::EndpointLosesInstances {
                endpoint: ENDPOINT.into(),
                cause: CrashCause::CrashLoop,
            })?;
            Simulation::on(&world, seed)
                .runbooks(runbooks)
                .replicas(5)
                .expect_incident("endpoint-floor")
                .run()
                .await
        })?;
        if !report.violations.is_empty() {
            broken += 1;
            println!("{report}");
        }
    }
    println!("200 schedules, {broken} broke an invariant");
    Ok(())
}
