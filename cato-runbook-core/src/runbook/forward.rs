//! `Arc<T>` and `Box<T>` of a runbook trait implement the trait, as `object_store` does.

use std::sync::Arc;

use async_trait::async_trait;

use super::{
    Detector, DiagnoseContext, Diagnosis, DiagnosisReport, Findings, Landed, Mitigation,
    Observation, ObserveContext, Plan, StepContext, Verification,
};
use crate::error::Result;

macro_rules! forward {
    ($($ptr:ident),*) => {$(
        #[async_trait]
        impl<T: Detector + ?Sized> Detector for $ptr<T> {
            fn name(&self) -> &str { (**self).name() }
            fn resource(&self) -> &str { (**self).resource() }
            async fn observe(&self, ctx: &ObserveContext) -> Result<Observation> {
                (**self).observe(ctx).await
            }
        }

        #[async_trait]
        impl<T: Diagnosis + ?Sized> Diagnosis for $ptr<T> {
            fn name(&self) -> &str { (**self).name() }
            async fn diagnose(&self, ctx: &DiagnoseContext) -> Result<DiagnosisReport> {
                (**self).diagnose(ctx).await
            }
        }

        #[async_trait]
        impl<T: Mitigation + ?Sized> Mitigation for $ptr<T> {
            fn name(&self) -> &str { (**self).name() }
            fn precondition(&self, findings: Findings<'_>) -> bool { (**self).precondition(findings) }
            async fn plan(&self, ctx: &StepContext) -> Result<Plan> { (**self).plan(ctx).await }
            async fn apply(&self, ctx: &StepContext, plan: &Plan) -> Result<String> {
                (**self).apply(ctx, plan).await
            }
            async fn verify(&self, ctx: &StepContext, plan: &Plan) -> Result<Verification> {
                (**self).verify(ctx, plan).await
            }
            async fn landed(&self, ctx: &StepContext, plan: &Plan) -> Result<Landed> {
                (**self).landed(ctx, plan).await
            }
            async fn revert(&self, ctx: &StepContext, plan: &Plan) -> Result<String> {
                (**self).revert(ctx, plan).await
            }
        }
    )*};
}

forward!(Arc, Box);
