//! A small endpoint runbook written against the ports, standing in for the catalog's.

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use cato_runbook_core::catalog::Providers;
use cato_runbook_core::engine::Runbook;
use cato_runbook_core::ports::{EndpointStatus, ModelEndpoint};
use cato_runbook_core::runbook::{
    Detector, DiagnoseContext, Diagnosis, DiagnosisReport, Finding, Findings, Mitigation,
    Observation, ObserveContext, Plan, Risk, RootCause, StepContext, Symptom, Verification,
};
use cato_runbook_core::{Impact, Result};
use cato_runbook_mock::gameday::RunbookRegistry;

pub(crate) const ENDPOINT: &str = "cato-shadow-self";

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
            .with_fact("instance_count", i64::from(d.current_instances()))
            .with_fact("config", d.config_name.clone()),
        )
        .with_cause(RootCause::new("container crash loop", 0.5)))
    }
}

struct Restart(Arc<dyn ModelEndpoint>);

#[async_trait]
impl Mitigation for Restart {
    fn name(&self) -> &str {
        "restart-endpoint"
    }
    fn risk(&self) -> Risk {
        Risk::High
    }
    fn verify_after(&self) -> Duration {
        Duration::from_secs(10 * 60)
    }
    fn precondition(&self, findings: Findings<'_>) -> bool {
        findings.number("instance_count") == Some(0.0)
    }
    async fn plan(&self, ctx: &StepContext) -> Result<Plan> {
        let d = self.0.describe(ENDPOINT).await?;
        Ok(Plan::new(self, ctx, "restart on the current config")
            .change(format!("{ENDPOINT} config"), &d.config_name, &d.config_name)
            .remember("config", d.config_name))
    }
    async fn apply(&self, ctx: &StepContext, plan: &Plan) -> Result<String> {
        let config = plan.require("config")?.to_string();
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
