//! Service Quotas' answers as the port's types.

use aws_sdk_servicequotas::types::{RequestStatus, RequestedServiceQuotaChange, ServiceQuota};
use cato_runbook_core::Result;
use cato_runbook_core::ports::{QuotaRequest, QuotaRequestStatus, QuotaValue};

use crate::sdk::{Call, to_timestamp};

pub(super) fn quota(
    call: &Call<'_>,
    service: &str,
    code: &str,
    quota: &ServiceQuota,
) -> Result<QuotaValue> {
    let value = quota
        .value()
        .ok_or_else(|| call.malformed("the quota has no value"))?;
    Ok(QuotaValue {
        service: quota.service_code().unwrap_or(service).to_owned(),
        code: quota.quota_code().unwrap_or(code).to_owned(),
        name: quota.quota_name().unwrap_or_default().to_owned(),
        value,
    })
}

fn status(call: &Call<'_>, status: Option<&RequestStatus>) -> Result<QuotaRequestStatus> {
    Ok(match status {
        Some(RequestStatus::Pending) => QuotaRequestStatus::Pending,
        Some(RequestStatus::CaseOpened) => QuotaRequestStatus::CaseOpened,
        Some(RequestStatus::Approved) => QuotaRequestStatus::Approved,
        Some(RequestStatus::Denied) => QuotaRequestStatus::Denied,
        Some(RequestStatus::NotApproved) => QuotaRequestStatus::NotApproved,
        Some(RequestStatus::CaseClosed) => QuotaRequestStatus::CaseClosed,
        Some(RequestStatus::InvalidRequest) => QuotaRequestStatus::InvalidRequest,
        Some(other) => {
            return Err(call.malformed(format!("unknown request status {:?}", other.as_str())));
        }
        None => return Err(call.malformed("the request has no status")),
    })
}

pub(super) fn request(
    call: &Call<'_>,
    change: &RequestedServiceQuotaChange,
) -> Result<QuotaRequest> {
    let id = change
        .id()
        .ok_or_else(|| call.malformed("the request has no id"))?;
    Ok(QuotaRequest {
        id: id.to_owned(),
        service: change.service_code().unwrap_or_default().to_owned(),
        code: change.quota_code().unwrap_or_default().to_owned(),
        desired: change
            .desired_value()
            .ok_or_else(|| call.malformed(format!("request {id} has no desired value")))?,
        status: status(call, change.status())?,
        created_at: change
            .created()
            .and_then(to_timestamp)
            .ok_or_else(|| call.malformed(format!("request {id} has no creation time")))?,
    })
}
