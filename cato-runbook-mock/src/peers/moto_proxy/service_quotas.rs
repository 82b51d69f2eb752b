//! Service Quotas: seeded quotas, and increase requests (moto lacks them) kept by the proxy.

use bytes::Bytes;
use hyper::StatusCode;
use hyper::header::HeaderMap;
use serde_json::{Value as Json, json};

use cato_runbook_core::ports::{Clock, SystemClock};

use super::Ctx;
use super::wire::{Reply, forward, json_error, json_reply, moto_json};

const QUOTAS: &str = "application/x-amz-json-1.1";

/// The quota's current value: moto's, or a seeded one.
async fn quota(ctx: &Ctx, headers: &HeaderMap, service: &str, code: &str) -> Result<Json, Reply> {
    let seeded = ctx
        .state()
        .quotas
        .iter()
        .find(|q| q.service == service && q.code == code)
        .cloned();
    if let Some(q) = seeded {
        return Ok(json!({
            "ServiceCode": q.service,
            "ServiceName": q.service,
            "QuotaArn": format!("arn:aws:servicequotas:us-east-1:123456789012:{}/{}", q.service, q.code),
            "QuotaCode": q.code,
            "QuotaName": q.name,
            "Value": q.value,
            "Unit": "None",
            "Adjustable": true,
            "GlobalQuota": false
        }));
    }
    let (status, out) = moto_json(
        ctx,
        headers,
        "ServiceQuotasV20190624.GetServiceQuota",
        QUOTAS,
        &json!({ "ServiceCode": service, "QuotaCode": code }),
    )
    .await;
    if status.is_success() {
        Ok(out["Quota"].clone())
    } else {
        Err(json_reply(status, &out))
    }
}

pub(super) async fn get_quota(ctx: &Ctx, headers: &HeaderMap, body: &Bytes, input: &Json) -> Reply {
    let service = input["ServiceCode"].as_str().unwrap_or_default();
    let code = input["QuotaCode"].as_str().unwrap_or_default();
    let seeded = ctx
        .state()
        .quotas
        .iter()
        .any(|q| q.service == service && q.code == code);
    if seeded {
        return match quota(ctx, headers, service, code).await {
            Ok(q) => json_reply(StatusCode::OK, &json!({ "Quota": q })),
            Err(e) => e,
        };
    }
    forward(ctx, hyper::Method::POST, "/", headers, body.clone()).await
}

pub(super) async fn request_increase(ctx: &Ctx, headers: &HeaderMap, input: &Json) -> Reply {
    let service = input["ServiceCode"].as_str().unwrap_or_default().to_owned();
    let code = input["QuotaCode"].as_str().unwrap_or_default().to_owned();
    let Some(desired) = input["DesiredValue"].as_f64() else {
        return json_error("IllegalArgumentException", "DesiredValue is required");
    };
    let current = match quota(ctx, headers, &service, &code).await {
        Ok(q) => q,
        Err(e) => return e,
    };
    if desired <= current["Value"].as_f64().unwrap_or(0.0) {
        return json_error(
            "IllegalArgumentException",
            "The desired value must be greater than the current value",
        );
    }
    let mut state = ctx.state();
    let open = state.requests.iter().any(|r| {
        r["ServiceCode"] == service.as_str()
            && r["QuotaCode"] == code.as_str()
            && matches!(r["Status"].as_str(), Some("PENDING" | "CASE_OPENED"))
    });
    if open {
        return json_error(
            "ResourceAlreadyExistsException",
            "A request for this quota is already open",
        );
    }
    let now = SystemClock.now().timestamp_millis() as f64 / 1000.0;
    let request = json!({
        "Id": format!("req-{:08x}", state.requests.len() + 1),
        "ServiceCode": service,
        "ServiceName": current["ServiceName"],
        "QuotaCode": code,
        "QuotaName": current["QuotaName"],
        "DesiredValue": desired,
        "Status": "PENDING",
        "Created": now,
        "LastUpdated": now,
        "Requester": "cato-runbook-tests",
        "QuotaArn": current["QuotaArn"],
        "GlobalQuota": false,
        "Unit": "None"
    });
    state.requests.push(request.clone());
    json_reply(StatusCode::OK, &json!({ "RequestedQuota": request }))
}

pub(super) fn request_status(ctx: &Ctx, input: &Json) -> Reply {
    let id = &input["RequestId"];
    let state = ctx.state();
    match state.requests.iter().find(|r| &r["Id"] == id) {
        Some(r) => json_reply(StatusCode::OK, &json!({ "RequestedQuota": r })),
        None => json_error("NoSuchResourceException", "The request does not exist"),
    }
}

pub(super) fn request_history(ctx: &Ctx, input: &Json) -> Reply {
    let state = ctx.state();
    let found: Vec<&Json> = state
        .requests
        .iter()
        .filter(|r| {
            r["ServiceCode"] == input["ServiceCode"] && r["QuotaCode"] == input["QuotaCode"]
        })
        .collect();
    json_reply(StatusCode::OK, &json!({ "RequestedQuotas": found }))
}
