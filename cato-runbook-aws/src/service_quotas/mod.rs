//! [`Quotas`] on Service Quotas: Bedrock's quota and its increase requests.
//!
//! | port call | Service Quotas operation (IAM action `servicequotas:…`) |
//! |---|---|
//! | [`get`](Quotas::get) | `GetServiceQuota` |
//! | [`request_increase`](Quotas::request_increase) | `GetServiceQuota` (the value must grow), `RequestServiceQuotaIncrease`; when a request is already open, `ListRequestedServiceQuotaChangeHistoryByQuota` finds it |
//! | [`request_status`](Quotas::request_status) | `GetRequestedServiceQuotaChange` |
//!
//! A repeat with the same [`IdempotencyKey`] answers the same request (its status read anew).

mod convert;

use std::fmt;

use async_trait::async_trait;
use aws_sdk_servicequotas::Client;
use aws_sdk_servicequotas::types::RequestStatus;
use cato_runbook_core::ports::{QuotaRequest, QuotaValue, Quotas};
use cato_runbook_core::{ErrorKind, IdempotencyKey, Result};

use crate::sdk::{Applied, Call, Settings, settings_builders};

const PROVIDER: &str = "service-quotas";
/// History pages read at most when looking for an open request.
const MAX_PAGES: usize = 20;

/// The [`Quotas`] port on AWS Service Quotas.
///
/// # Examples
///
/// ```no_run
/// # async fn example() {
/// use cato_runbook_aws::service_quotas::ServiceQuotas;
///
/// let sdk = aws_config::load_from_env().await;
/// let quotas = ServiceQuotas::new(&sdk);
/// assert_eq!(quotas.to_string(), "service-quotas");
/// # }
/// ```
pub struct ServiceQuotas {
    client: Client,
    settings: Settings,
    applied: Applied<String>,
}

impl ServiceQuotas {
    /// A provider over a client built from `config`.
    pub fn new(config: &aws_types::SdkConfig) -> Self {
        Self::from_client(Client::new(config))
    }

    /// A provider over a ready client.
    pub fn from_client(client: Client) -> Self {
        ServiceQuotas {
            client,
            settings: Settings::default(),
            applied: Applied::new(),
        }
    }

    async fn get_quota(&self, call: &Call<'_>, service: &str, code: &str) -> Result<QuotaValue> {
        let out = self
            .client
            .get_service_quota()
            .service_code(service)
            .quota_code(code)
            .send()
            .await
            .map_err(|e| call.sdk(e))?;
        let quota = out
            .quota()
            .ok_or_else(|| call.malformed("the answer has no quota"))?;
        convert::quota(call, service, code, quota)
    }

    /// The open request for this quota asking for `desired`, if there is one.
    async fn open_request(
        &self,
        call: &Call<'_>,
        service: &str,
        code: &str,
        desired: f64,
    ) -> Result<Option<QuotaRequest>> {
        let call = call.op("ListRequestedServiceQuotaChangeHistoryByQuota");
        let mut token: Option<String> = None;
        for _ in 0..MAX_PAGES {
            let out = self
                .client
                .list_requested_service_quota_change_history_by_quota()
                .service_code(service)
                .quota_code(code)
                .set_next_token(token.take())
                .send()
                .await
                .map_err(|e| call.sdk(e))?;
            for change in out.requested_quotas() {
                let open = matches!(
                    change.status(),
                    Some(RequestStatus::Pending | RequestStatus::CaseOpened)
                );
                if open && change.desired_value() == Some(desired) {
                    return convert::request(&call, change).map(Some);
                }
            }
            match out.next_token() {
                Some(next) if !next.is_empty() => token = Some(next.to_owned()),
                _ => break,
            }
        }
        Ok(None)
    }

    async fn status(&self, call: &Call<'_>, request_id: &str) -> Result<QuotaRequest> {
        let out = self
            .client
            .get_requested_service_quota_change()
            .request_id(request_id)
            .send()
            .await
            .map_err(|e| call.sdk(e))?;
        let change = out
            .requested_quota()
            .ok_or_else(|| call.malformed("the answer has no request"))?;
        convert::request(call, change)
    }
}

settings_builders!(ServiceQuotas);

impl fmt::Debug for ServiceQuotas {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ServiceQuotas")
            .field("settings", &self.settings)
            .finish_non_exhaustive()
    }
}

impl fmt::Display for ServiceQuotas {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(PROVIDER)
    }
}

#[async_trait]
impl Quotas for ServiceQuotas {
    async fn get(&self, service: &str, code: &str) -> Result<QuotaValue> {
        let resource = format!("{service}/{code}");
        let call = Call::new(PROVIDER, "GetServiceQuota", &self.settings).on(&resource);
        call.run(self.get_quota(&call, service, code)).await
    }

    async fn request_increase(
        &self,
        service: &str,
        code: &str,
        desired: f64,
        key: &IdempotencyKey,
    ) -> Result<QuotaRequest> {
        let resource = format!("{service}/{code}");
        let call = Call::new(PROVIDER, "RequestServiceQuotaIncrease", &self.settings).on(&resource);
        if !desired.is_finite() || desired <= 0.0 {
            return Err(call.invalid(format!("{desired} is not a quota value")));
        }
        let memo = format!("{resource}\u{0}{desired}");
        call.run(async {
            if let Some(id) = self.applied.get("RequestServiceQuotaIncrease", &memo, key) {
                let read = call.op("GetRequestedServiceQuotaChange");
                return self.status(&read, &id).await;
            }
            let current = self
                .get_quota(&call.op("GetServiceQuota"), service, code)
                .await?;
            if desired <= current.value {
                return Err(call.invalid(format!(
                    "{desired} is not above the current value {}",
                    current.value
                )));
            }
            let sent = self
                .client
                .request_service_quota_increase()
                .service_code(service)
                .quota_code(code)
                .desired_value(desired)
                .send()
                .await;
            let request = match sent {
                Ok(out) => {
                    let change = out
                        .requested_quota()
                        .ok_or_else(|| call.malformed("the answer has no request"))?;
                    convert::request(&call, change)?
                }
                Err(e) => {
                    let err = call.sdk(e);
                    if err.kind() != ErrorKind::Conflict {
                        return Err(err);
                    }
                    // A request for this quota is already open: it is ours if it asks for the
                    // same value.
                    match self.open_request(&call, service, code, desired).await? {
                        Some(open) => open,
                        None => return Err(err),
                    }
                }
            };
            self.applied.record(
                "RequestServiceQuotaIncrease",
                &memo,
                key,
                request.id.clone(),
            );
            Ok(request)
        })
        .await
    }

    async fn request_status(&self, request_id: &str) -> Result<QuotaRequest> {
        let call =
            Call::new(PROVIDER, "GetRequestedServiceQuotaChange", &self.settings).on(request_id);
        call.run(self.status(&call, request_id)).await
    }
}
