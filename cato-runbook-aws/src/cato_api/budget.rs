//! [`Budget`] over `/api/admin/cato/budget/*`.

use async_trait::async_trait;
use cato_runbook_core::ports::{Budget, BudgetStatus};
use cato_runbook_core::{Error, IdempotencyKey, Result};
use reqwest::Method;

use super::wire::{BudgetConfigBody, BudgetStatusBody};
use super::{CatoAdminApi, PROVIDER};

const STATUS: &str = "/api/admin/cato/budget/status";
const CONFIG: &str = "/api/admin/cato/budget/config";
const RESOURCE: &str = "budget";

#[async_trait]
impl Budget for CatoAdminApi {
    async fn status(&self) -> Result<BudgetStatus> {
        const OP: &str = "budget.status";
        let body: BudgetStatusBody = self
            .transport
            .call_json(OP, RESOURCE, || self.request(Method::GET, STATUS))
            .await?;
        Ok(body.into())
    }

    async fn set_monthly_limit(&self, usd: f64, key: &IdempotencyKey) -> Result<()> {
        const OP: &str = "budget.set_monthly_limit";
        if !usd.is_finite() || usd < 0.0 {
            return Err(Error::invalid_input(
                OP,
                format!("monthlyLimit {usd} must be a non-negative number"),
            )
            .with_provider(PROVIDER)
            .with_resource(RESOURCE));
        }
        tracing::info!(provider = PROVIDER, monthly_limit = usd, key = %key, "setting the monthly budget limit");
        let body = BudgetConfigBody { monthly_limit: usd };
        self.transport
            .call_empty(OP, RESOURCE, || {
                Ok(self
                    .request(Method::PUT, CONFIG)?
                    .header("Idempotency-Key", key.as_str())
                    .json(&body))
            })
            .await
    }
}
