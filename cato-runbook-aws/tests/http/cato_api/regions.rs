//! Shadow Self traffic by region (the failover): the exact request, the answer without regions,
//! splits refused before any request, and the API's refusal.

use std::collections::BTreeMap;

use cato_runbook_core::ports::TrafficControl;
use cato_runbook_core::{ErrorKind, IdempotencyKey, Retry};
use serde_json::json;
use wiremock::matchers::{method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

use super::fake::{FakeAdmin, TOKEN};
use crate::common::{bodies, calls, quick};

fn key(step: &str) -> IdempotencyKey {
    IdempotencyKey::new(format!("INC-7:{step}"))
}

fn split(shares: &[(&str, f64)]) -> BTreeMap<String, f64> {
    shares.iter().map(|(r, w)| ((*r).to_owned(), *w)).collect()
}

fn header(request: &wiremock::Request, name: &str) -> String {
    let value = request.headers.get(name).unwrap();
    value.to_str().unwrap().to_owned()
}

#[tokio::test]
async fn a_split_is_a_put_of_the_whole_split_with_the_idempotency_key() {
    let admin = FakeAdmin::start().await;
    let api = admin.api();
    let failover = split(&[("us-east-1", 0.0), ("us-west-2", 1.0)]);
    api.set_region_weights(&failover, &key("failover-region"))
        .await
        .unwrap();
    assert_eq!(api.state().await.unwrap().regions, failover);

    let put = (
        "PUT".to_owned(),
        "/api/admin/cato/traffic/regions".to_owned(),
    );
    let get = (
        "GET".to_owned(),
        "/api/admin/cato/traffic/status".to_owned(),
    );
    assert_eq!(calls(&admin.server).await, [put, get]);
    assert_eq!(
        bodies(&admin.server).await[0],
        json!({"weights": {"us-east-1": 0.0, "us-west-2": 1.0}})
    );
    let requests = admin.server.received_requests().await.unwrap();
    assert_eq!(
        header(&requests[0], "idempotency-key"),
        "INC-7:failover-region"
    );
    assert_eq!(
        header(&requests[0], "authorization"),
        format!("Bearer {TOKEN}")
    );
    assert_eq!(header(&requests[0], "content-type"), "application/json");
}

#[tokio::test]
async fn a_status_without_regions_still_parses_as_no_split() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/api/admin/cato/traffic/status"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "shadowSelfShare": 0.3, "cacheSimilarityThreshold": 0.92, "emergencyMode": false
        })))
        .expect(1)
        .mount(&server)
        .await;
    let api = cato_runbook_aws::cato_api::CatoAdminApi::new(
        reqwest::Client::new(),
        &server.uri(),
        cato_runbook_aws::secrecy::SecretString::from("t"),
    )
    .unwrap()
    .with_options(quick());
    let state = api.state().await.unwrap();
    assert!(state.regions.is_empty(), "{state:?}");
    assert_eq!(state.shadow_self_share, 0.3);
}

#[tokio::test]
async fn bad_splits_are_refused_before_any_request() {
    let admin = FakeAdmin::start().await;
    let api = admin.api();
    for bad in [
        split(&[("us-east-1", 0.5)]),
        split(&[("us-east-1", -0.5), ("us-west-2", 1.5)]),
        split(&[("us-east-1", f64::NAN), ("us-west-2", 1.0)]),
        split(&[(" ", 1.0)]),
        BTreeMap::new(),
    ] {
        let err = api.set_region_weights(&bad, &key("bad")).await.unwrap_err();
        assert_eq!(
            (err.kind(), err.retry()),
            (ErrorKind::InvalidInput, Retry::Permanent)
        );
        assert_eq!(err.provider(), Some("cato-admin-api"), "{err}");
    }
    assert!(calls(&admin.server).await.is_empty());
}

#[tokio::test]
async fn a_region_the_api_does_not_know_is_invalid_input_and_not_retried() {
    let admin = FakeAdmin::start().await;
    let unknown = split(&[("eu-west-1", 1.0)]);
    let err = admin
        .api()
        .set_region_weights(&unknown, &key("failover-region"))
        .await
        .unwrap_err();
    assert_eq!(
        (err.kind(), err.retry()),
        (ErrorKind::InvalidInput, Retry::Permanent),
        "{err}"
    );
    assert_eq!(err.operation(), "traffic.set_region_weights");
    assert!(err.message().contains("eu-west-1"), "{err}");
    assert_eq!(calls(&admin.server).await.len(), 1, "not retried");
    let east = admin.state.lock().unwrap().regions["us-east-1"];
    assert_eq!(east, 1.0, "unchanged");
}
