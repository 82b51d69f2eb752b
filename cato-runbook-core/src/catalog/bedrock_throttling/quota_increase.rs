//! The ladder's first rung: request a Bedrock quota increase, with an operator's approval.

use std::sync::Arc;

use async_trait::async_trait;
use serde::{Deserialize, Serialize};

use super::Config;
use super::steps::refused;
use crate::catalog::facts;
use crate::error::{ErrorKind, Result};
use crate::ports::{QuotaRequestStatus, Quotas};
use crate::runbook::{Findings, Mitigation, Plan, Risk, StepContext, Verification};
use crate::time::HumanDuration;

fn status_name(status: QuotaRequestStatus) -> &'static str {
    match status {
        QuotaRequestStatus::Pending => "PENDING",
        QuotaRequestStatus::CaseOpened => "CASE_OPENED",
        QuotaRequestStatus::Approved => "APPROVED",
        QuotaRequestStatus::Denied => "DENIED",
        QuotaRequestStatus::NotApproved => "NOT_APPROVED",
        QuotaRequestStatus::CaseClosed => "CASE_CLOSED",
        QuotaRequestStatus::InvalidRequest => "INVALID_REQUEST",
    }
}

/// What the quota request keeps: the value it asks for (an absolute target) and the one it
/// found.
#[derive(Debug, Serialize, Deserialize)]
struct QuotaMemo {
    current: f64,
    desired: f64,
}

/// 1. `request-service-quota-increase`, with an operator's approval.
#[derive(Debug)]
pub(super) struct RequestQuotaIncrease {
    pub quotas: Arc<dyn Quotas>,
    pub config: Arc<Config>,
}

impl RequestQuotaIncrease {
    fn label(&self) -> String {
        format!(
            "{}/{} quota",
            self.config.quota.service, self.config.quota.code
        )
    }
}

#[async_trait]
impl Mitigation for RequestQuotaIncrease {
    fn name(&self) -> &str {
        "request-quota-increase"
    }
    fn precondition(&self, findings: Findings<'_>) -> bool {
        findings
            .get(facts::BEDROCK_QUOTA)
            .is_none_or(|q| q < self.config.quota.desired)
    }

    async fn plan(&self, ctx: &StepContext) -> Result<Plan> {
        let q = &self.config.quota;
        let quota = self.quotas.get(&q.service, &q.code).await?;
        if quota.value >= q.desired {
            return Err(refused(
                "bedrock.request_quota_increase",
                format!(
                    "{} is {} already, not below {}",
                    self.label(),
                    quota.value,
                    q.desired
                ),
            ));
        }
        Plan::new(
            self,
            ctx,
            Risk::Low,
            format!(
                "request a Bedrock quota increase: {} ({}) {} → {}",
                q.code, quota.name, quota.value, q.desired
            ),
        )
        .change(
            self.label(),
            quota.value,
            format!("{} (requested)", q.desired),
        )
        .needs_approval("a quota increase is a request to AWS on the account")
        .verify_after(q.verify_after)
        .with_memo(&QuotaMemo {
            current: quota.value,
            desired: q.desired,
        })
    }

    async fn apply(&self, ctx: &StepContext, plan: &Plan) -> Result<String> {
        let q = &self.config.quota;
        let memo: QuotaMemo = plan.memo()?;
        let request = self
            .quotas
            .request_increase(&q.service, &q.code, memo.desired, &ctx.idempotency_key)
            .await?;
        Ok(format!(
            "requested {} → {}: request {} {}",
            self.label(),
            request.desired,
            request.id,
            status_name(request.status)
        ))
    }

    async fn verify(&self, ctx: &StepContext, plan: &Plan) -> Result<Verification> {
        let q = &self.config.quota;
        let memo: QuotaMemo = plan.memo()?;
        // The same key answers the same request: its id, whatever happened since. A request
        // whose first answer was lost is known to the provider only by its quota: once
        // approved, asking again is refused as not above the current value, and the quota
        // itself says whether the increase landed.
        let asked = self
            .quotas
            .request_increase(&q.service, &q.code, memo.desired, &ctx.idempotency_key)
            .await;
        let request = match asked {
            Ok(request) => request,
            Err(err) if err.kind() == ErrorKind::InvalidInput => {
                let quota = self.quotas.get(&q.service, &q.code).await?;
                if quota.value >= memo.desired {
                    return Ok(Verification::Passed(format!(
                        "{} is now {}",
                        self.label(),
                        quota.value
                    )));
                }
                return Err(err);
            }
            Err(err) => return Err(err),
        };
        let request = self.quotas.request_status(&request.id).await?;
        let status = status_name(request.status);
        if request.status == QuotaRequestStatus::Approved {
            let quota = self.quotas.get(&q.service, &q.code).await?;
            return Ok(Verification::Passed(format!(
                "request {} {status}: {} is now {}",
                request.id,
                self.label(),
                quota.value
            )));
        }
        Ok(Verification::Failed(if request.status.is_pending() {
            format!(
                "request {} still {status} after {}; it stays open and the ladder moves on",
                request.id,
                HumanDuration(q.verify_after)
            )
        } else {
            format!("request {} {status}", request.id)
        }))
    }
}
