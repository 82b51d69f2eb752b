//! What runbooks rely on from [`Quotas`]: the Bedrock Throttling runbook's quota and increase
//! request.

use cato_runbook_core::ports::{QuotaRequestStatus, Quotas};
use cato_runbook_core::{ErrorKind, IdempotencyKey};

use super::{CheckResult, During, ensure, refused, run_checks};

/// The quota the harness set up (an adjustable one with no pending request).
#[derive(Debug, Clone)]
pub struct QuotasFixture {
    /// e.g. `bedrock`.
    pub service: String,
    /// e.g. `L-XXXXXXXX`.
    pub code: String,
    /// Its value, e.g. `200` (calls a minute).
    pub value: f64,
    /// A quota code that does not exist.
    pub missing_code: String,
    /// Prefix of the idempotency keys the checks use.
    pub key_prefix: String,
}

/// `get` answers the quota with the value the harness set up.
pub async fn get_reports_value(port: &dyn Quotas, fixture: &QuotasFixture) -> CheckResult {
    const CHECK: &str = "quotas.get_reports_value";
    let q = port
        .get(&fixture.service, &fixture.code)
        .await
        .during(CHECK)?;
    ensure(
        q.service == fixture.service && q.code == fixture.code && q.value == fixture.value,
        CHECK,
        || format!("{q:?}, expected the value {}", fixture.value),
    )
}

/// Unknown quotas and requests are `NotFound`; asking for no more than the current value is
/// invalid input.
pub async fn refuses_bad_requests(port: &dyn Quotas, fixture: &QuotasFixture) -> CheckResult {
    const CHECK: &str = "quotas.refuses_bad_requests";
    refused(
        port.get(&fixture.service, &fixture.missing_code).await,
        CHECK,
        &[ErrorKind::NotFound],
    )?;
    refused(
        port.request_status("no-such-request").await,
        CHECK,
        &[ErrorKind::NotFound],
    )?;
    let current = port
        .get(&fixture.service, &fixture.code)
        .await
        .during(CHECK)?
        .value;
    let key = IdempotencyKey::new(format!("{}:decrease", fixture.key_prefix));
    refused(
        port.request_increase(&fixture.service, &fixture.code, current, &key)
            .await,
        CHECK,
        &[ErrorKind::InvalidInput],
    )
}

/// An increase request gets an id whose status can be read back; repeating it with the same
/// key answers the same request.
pub async fn request_is_tracked(port: &dyn Quotas, fixture: &QuotasFixture) -> CheckResult {
    const CHECK: &str = "quotas.request_is_tracked";
    let current = port
        .get(&fixture.service, &fixture.code)
        .await
        .during(CHECK)?
        .value;
    let desired = (current * 2.0).max(current + 1.0);
    let key = IdempotencyKey::new(format!("{}:increase", fixture.key_prefix));
    let request = port
        .request_increase(&fixture.service, &fixture.code, desired, &key)
        .await
        .during(CHECK)?;
    ensure(
        !request.id.is_empty() && request.desired == desired && request.code == fixture.code,
        CHECK,
        || format!("{request:?}"),
    )?;
    ensure(
        request.status != QuotaRequestStatus::InvalidRequest,
        CHECK,
        || format!("{request:?}"),
    )?;
    let again = port
        .request_increase(&fixture.service, &fixture.code, desired, &key)
        .await
        .during(CHECK)?;
    ensure(again.id == request.id, CHECK, || {
        format!("a repeat opened another request: {again:?}")
    })?;
    let read = port.request_status(&request.id).await.during(CHECK)?;
    ensure(
        read.id == request.id && read.desired == desired,
        CHECK,
        || format!("{read:?}"),
    )
}

/// Every check.
pub async fn run_all(port: &dyn Quotas, fixture: &QuotasFixture) -> CheckResult {
    run_checks!(port, fixture; get_reports_value, refuses_bad_requests, request_is_tracked)
}
