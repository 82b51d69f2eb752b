//! Service Quotas: the quotas conformance suite on moto's quota data (increase requests kept
//! by the proxy, which moto lacks); failures on the wire.

use cato_runbook_aws::service_quotas::ServiceQuotas;
use cato_runbook_core::IdempotencyKey;
use cato_runbook_core::catalog::PortName;
use cato_runbook_core::ports::{QuotaRequestStatus, Quotas};
use cato_runbook_mock::conformance::{self, quotas::QuotasFixture};

use crate::aws_support::wire::{self, Protocol};
use crate::aws_support::{self as support, Aws};

fn fixture() -> QuotasFixture {
    QuotasFixture {
        // moto's own data: "VPCs per Region", 5 by default.
        service: "vpc".into(),
        code: "L-F678F1CE".into(),
        value: 5.0,
        missing_code: "L-NOSUCHQUOTA".into(),
        key_prefix: "conformance".into(),
    }
}

#[tokio::test]
async fn conformance_on_moto() {
    let Some(aws) = Aws::start().await else {
        return;
    };
    let f = fixture();
    let port = ServiceQuotas::from_client(aws.service_quotas());
    conformance::quotas::run_all(&port, &f).await.unwrap();
    assert_eq!(
        aws.proxy
            .count("ServiceQuotasV20190624.RequestServiceQuotaIncrease"),
        1
    );

    // Another replica (no memory of the key) asking for the same increase finds the open
    // request instead of failing.
    let other = ServiceQuotas::from_client(aws.service_quotas());
    let current = other.get(&f.service, &f.code).await.unwrap().value;
    let desired = (current * 2.0).max(current + 1.0);
    let key = IdempotencyKey::new("conformance:increase");
    let again = other
        .request_increase(&f.service, &f.code, desired, &key)
        .await
        .unwrap();
    assert_eq!(again.status, QuotaRequestStatus::Pending);
    assert_eq!(
        aws.proxy
            .count("ServiceQuotasV20190624.RequestServiceQuotaIncrease"),
        2
    );

    let called = support::assert_within_policy(&aws.recorder, PortName::Quotas);
    assert_eq!(called.len(), 4, "{called:?}");
}

#[tokio::test]
async fn failures_map_to_their_class() {
    wire::failure_classes(
        Protocol::Json,
        (
            400,
            "NoSuchResourceException",
            "The request failed because the specified service does not exist.",
        ),
        "service-quotas",
        "GetServiceQuota",
        |sdk| async move { ServiceQuotas::new(&sdk).get("bedrock", "L-XXXXXXXX").await },
    )
    .await;
    let result = wire::against(
        wire::error(Protocol::Json, 400, "TooManyRequestsException", "slow down"),
        |sdk| async move { ServiceQuotas::new(&sdk).request_status("req-1").await },
    )
    .await;
    wire::expect_error(
        result,
        cato_runbook_core::ErrorKind::Throttled,
        cato_runbook_core::Retry::Throttled,
        "service-quotas",
        "GetRequestedServiceQuotaChange",
    );
}
