//! The quotas fake (Service Quotas).

use async_trait::async_trait;
use cato_runbook_core::ports::{QuotaRequest, QuotaRequestStatus, QuotaValue, Quotas};
use cato_runbook_core::time;
use cato_runbook_core::{Error, ErrorKind, IdempotencyKey, Result};
use serde_json::json;

use super::FakeQuotas;
use super::metrics::hash;
use crate::config::QuotaDecision;
use crate::ops::Op;
use crate::world::{QuotaRequestModel, Reply, Timer};

const PROVIDER: &str = "fake-service-quotas";

fn request(r: &QuotaRequestModel) -> QuotaRequest {
    QuotaRequest {
        id: r.id.clone(),
        service: r.service.clone(),
        code: r.code.clone(),
        desired: r.desired,
        status: r.status,
        created_at: r.created_at,
    }
}

#[async_trait]
impl Quotas for FakeQuotas {
    async fn get(&self, service: &str, code: &str) -> Result<QuotaValue> {
        let op = Op::QuotasGet;
        let args = json!({ "service": service, "code": code });
        self.world
            .call(op, PROVIDER, args, None, |sim, _| {
                sim.state()
                    .quota(service, code)
                    .map(|q| {
                        Reply::new(QuotaValue {
                            service: q.service.clone(),
                            code: q.code.clone(),
                            name: q.name.clone(),
                            value: q.value,
                        })
                    })
                    .ok_or_else(|| Error::not_found(op.as_str(), format!("{service}/{code}")))
            })
            .await
    }

    async fn request_increase(
        &self,
        service: &str,
        code: &str,
        desired: f64,
        key: &IdempotencyKey,
    ) -> Result<QuotaRequest> {
        let op = Op::QuotasRequestIncrease;
        let args = json!({ "service": service, "code": code, "desired": desired });
        let scope = format!("{service}/{code}");
        self.world
            .call(op, PROVIDER, args.clone(), Some(key), |sim, now| {
                // A request for this quota already open for the same value is the one asked
                // again: Service Quotas refuses a second one (`ResourceAlreadyExistsException`)
                // and the provider answers with the open request, as `cato_runbook_aws` does.
                if let Some(open) = sim.state().requests.iter().find(|r| {
                    r.service == service
                        && r.code == code
                        && r.status.is_pending()
                        && r.desired == desired
                }) {
                    return Ok(Reply {
                        value: request(open),
                        deduplicated: true,
                    });
                }
                sim.idempotent(op, &scope, key, &args, |sim| {
                    let quota = sim
                        .state()
                        .quota(service, code)
                        .ok_or_else(|| Error::not_found(op.as_str(), scope.as_str()))?;
                    if !desired.is_finite() || desired <= quota.value {
                        return Err(Error::invalid_input(
                            op.as_str(),
                            format!(
                                "the desired value {desired} must be greater than the current value {}",
                                quota.value
                            ),
                        )
                        .with_resource(scope.as_str()));
                    }
                    if sim.state().requests.iter().any(|r| {
                        r.service == service && r.code == code && r.status.is_pending()
                    }) {
                        return Err(Error::new(
                            ErrorKind::Conflict,
                            op.as_str(),
                            "a request for this quota is already pending",
                        )
                        .with_resource(scope.as_str()));
                    }
                    let n = sim.next_id();
                    let id = format!(
                        "{:016x}{:016x}",
                        hash(&format!("{}/{scope}/{n}", sim.config.seed)),
                        hash(&format!("{n}/{scope}"))
                    );
                    let model = QuotaRequestModel {
                        id: id.clone(),
                        service: service.to_owned(),
                        code: code.to_owned(),
                        desired,
                        status: QuotaRequestStatus::Pending,
                        created_at: now,
                    };
                    let answer = request(&model);
                    let mut state = sim.edit(now);
                    state.requests.push(model);
                    sim.commit(now, state);
                    let spec = sim.config.quotas.clone();
                    if spec.case_opened_after < spec.decided_after {
                        sim.schedule(
                            time::add(now, spec.case_opened_after),
                            Timer::QuotaRequestStep {
                                id: id.clone(),
                                status: QuotaRequestStatus::CaseOpened,
                            },
                        );
                    }
                    sim.schedule(
                        time::add(now, spec.decided_after),
                        Timer::QuotaRequestStep {
                            id,
                            status: match spec.decision {
                                QuotaDecision::Approve => QuotaRequestStatus::Approved,
                                QuotaDecision::Deny => QuotaRequestStatus::Denied,
                            },
                        },
                    );
                    Ok(answer)
                })
                .map(Reply::from_idempotent)
            })
            .await
    }

    async fn request_status(&self, request_id: &str) -> Result<QuotaRequest> {
        let op = Op::QuotasRequestStatus;
        self.world
            .call(
                op,
                PROVIDER,
                json!({ "request_id": request_id }),
                None,
                |sim, _| {
                    sim.state()
                        .requests
                        .iter()
                        .find(|r| r.id == request_id)
                        .map(|r| Reply::new(request(r)))
                        .ok_or_else(|| Error::not_found(op.as_str(), request_id))
                },
            )
            .await
    }
}
