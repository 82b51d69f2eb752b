//! A small endpoint runbook written against the ports, standing in for the catalog's.

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use cato_runbook_core::catalog::{Providers, facts};
use cato_runbook_core::ports::{EndpointStatus, ModelEndpoint};
use cato_runbook_core::runbook::{
    Detector, DiagnoseContext, Diagnosis, DiagnosisReport, FactKey, Finding, Findings, Mitigation,
    Observation, ObserveContext, Plan, Risk, RootCause, Runbook, StepContext, Symptom,
    Verification,
};
use cato_runbook_core::{Impact, Result};
use cato_runbook_mock::gameday::RunbookRegistry;

pub(crate) const ENDPOINT: &str = "cato-shadow-self";

/// The endpoint's config, as this stand-in's diagnosis names it (the catalog's is
/// `endpoint_config`).
const CONFIG: FactKey<String> = FactKey::new("config");

#[derive(Debug)]
struct NoInstances(Arc<dyn ModelEndpoint>);

#[async_trait]
impl Detector for NoInstances {
    fn name(&self) -> &str {
        "endpoint-instances"
    }
    fn resource(&self) -> &str {
        ENDPOINT
    }
    async fn observe(&self, _: &ObserveContext) -> Result<Observation> {
        let d = self.0.describe(ENDPOINT).await?;
        Ok(if d.current_instances() == 0 {
            Observation::Symptom(Symptom::new("0 instances in service", Impact::outage()))
        } else {
            Observation::Healthy
        })
    }
}

#[derive(Debug)]
struct Status(Arc<dyn ModelEndpoint>);

#[async_trait]
impl Diagnosis for Status {
    fn name(&self) -> &str {
        "endpoint-status"
    }
    async fn diagnose(&self, _: &DiagnoseContext) -> Result<DiagnosisReport> {
        let d = self.0.describe(ENDPOINT).await?;
        Ok(DiagnosisReport::finding(
            Finding::new(
                self.name(),
                format!("{} with {} instances", d.status, d.current_instances()),
            )
            .with(facts::INSTANCE_COUNT, d.current_instances())
            .with(CONFIG, d.config_name.clone()),
        )
        .with_cause(RootCause::new("container crash loop", 0.5)))
    }
}

#[derive(Debug)]
struct Restart(Arc<dyn ModelEndpoint>);

#[async_trait]
impl Mitigation for Restart {
    fn name(&self) -> &str {
        "restart-endpoint"
    }
    fn precondition(&self, findings: Findings<'_>) -> bool {
        findings.get(facts::INSTANCE_COUNT) == Some(0)
    }
    async fn plan(&self, ctx: &StepContext) -> Result<Plan> {
        let d = self.0.describe(ENDPOINT).await?;
        Plan::new(self, ctx, Risk::High, "restart on the current config")
            .change(format!("{ENDPOINT} config"), &d.config_name, &d.config_name)
            .verify_after(Duration::from_secs(10 * 60))
            .with_memo(&d.config_name)
    }
    async fn apply(&self, ctx: &StepContext, plan: &Plan) -> Result<String> {
        let config: String = plan.memo()?;
        self.0
            .update_config(ENDPOINT, &config, &ctx.idempotency_key)
            .await?;
        Ok(format!("updating to {config}"))
    }
    async fn verify(&self, _: &StepContext, _: &Plan) -> Result<Verification> {
        let d = self.0.describe(ENDPOINT).await?;
        Ok(
            if d.status == EndpointStatus::InService && d.current_instances() > 0 {
                Verification::Passed(format!("{} instances in service", d.current_instances()))
            } else {
                Verification::Failed(format!(
                    "{} with {} instances",
                    d.status,
                    d.current_instances()
                ))
            },
        )
    }
}

pub(crate) fn endpoint_runbook(p: &Providers) -> Result<Runbook> {
    let endpoint = p.endpoint("endpoint")?;
    Runbook::builder("endpoint", "Endpoint down")
        .detector(Arc::new(NoInstances(endpoint.clone())))
        .diagnosis(Arc::new(Status(endpoint.clone())))
        .step(Arc::new(Restart(endpoint)))
        .build()
}

pub(crate) fn registry() -> RunbookRegistry {
    let mut registry = RunbookRegistry::new();
    registry.register("endpoint", endpoint_runbook);
    registry
}
