//! The exact requests the admin API provider sends.

use cato_runbook_core::IdempotencyKey;
use cato_runbook_core::ports::{Budget, BudgetMode, TrafficControl};
use serde_json::json;

use super::fake::{FakeAdmin, TOKEN};
use crate::common::{bodies, calls};

fn key(step: &str) -> IdempotencyKey {
    IdempotencyKey::new(format!("INC-12:{step}"))
}

#[tokio::test]
async fn budget_status_is_a_get_with_the_bearer_token() {
    let admin = FakeAdmin::start().await;
    let status = admin.api().status().await.unwrap();
    assert_eq!(status.mode, BudgetMode::Warning);
    assert_eq!(
        (status.spent_usd, status.monthly_limit_usd),
        (812.5, 1000.0)
    );
    assert!(status.curiosity_enabled);

    let requests = admin.server.received_requests().await.unwrap();
    assert_eq!(requests.len(), 1);
    assert_eq!(requests[0].method.as_str(), "GET");
    assert_eq!(requests[0].url.path(), "/api/admin/cato/budget/status");
    assert_eq!(
        requests[0]
            .headers
            .get("authorization")
            .unwrap()
            .to_str()
            .unwrap(),
        format!("Bearer {TOKEN}")
    );
}

#[tokio::test]
async fn a_new_limit_is_a_put_of_monthly_limit_with_the_idempotency_key() {
    let admin = FakeAdmin::start().await;
    admin
        .api()
        .set_monthly_limit(1500.0, &key("raise-budget"))
        .await
        .unwrap();
    assert_eq!(
        calls(&admin.server).await,
        [("PUT".into(), "/api/admin/cato/budget/config".into())]
    );
    assert_eq!(
        bodies(&admin.server).await,
        [json!({"monthlyLimit": 1500.0})]
    );
    let requests = admin.server.received_requests().await.unwrap();
    assert_eq!(
        requests[0]
            .headers
            .get("idempotency-key")
            .unwrap()
            .to_str()
            .unwrap(),
        "INC-12:raise-budget"
    );
    assert_eq!(
        requests[0]
            .headers
            .get("content-type")
            .unwrap()
            .to_str()
            .unwrap(),
        "application/json"
    );
    assert_eq!(admin.state.lock().unwrap().limit, 1500.0);

    // Spent 812.50 of 500: emergency.
    admin
        .api()
        .set_monthly_limit(500.0, &key("lower-budget"))
        .await
        .unwrap();
    let status = admin.api().status().await.unwrap();
    assert_eq!(status.mode, BudgetMode::Emergency);
    assert!(!status.curiosity_enabled);
}

#[tokio::test]
async fn each_traffic_control_puts_only_its_own_field() {
    let admin = FakeAdmin::start().await;
    let api = admin.api();
    api.set_shadow_self_share(0.6, &key("shift-to-shadow-self"))
        .await
        .unwrap();
    api.set_cache_similarity_threshold(0.85, &key("loosen-cache"))
        .await
        .unwrap();
    api.set_emergency_mode(true, &key("emergency-mode"))
        .await
        .unwrap();
    let state = api.state().await.unwrap();
    assert_eq!(
        (
            state.shadow_self_share,
            state.cache_similarity_threshold,
            state.emergency_mode
        ),
        (0.6, 0.85, true)
    );

    let calls = calls(&admin.server).await;
    let put = (
        "PUT".to_owned(),
        "/api/admin/cato/traffic/config".to_owned(),
    );
    let get = (
        "GET".to_owned(),
        "/api/admin/cato/traffic/status".to_owned(),
    );
    assert_eq!(calls, [put.clone(), put.clone(), put, get]);
    assert_eq!(
        bodies(&admin.server).await[..3],
        [
            json!({"shadowSelfShare": 0.6}),
            json!({"cacheSimilarityThreshold": 0.85}),
            json!({"emergencyMode": true}),
        ]
    );
}

#[tokio::test]
async fn out_of_range_values_are_refused_before_any_request() {
    let admin = FakeAdmin::start().await;
    let api = admin.api();
    for share in [-0.01, 1.01, f64::NAN, f64::INFINITY] {
        let err = api
            .set_shadow_self_share(share, &key("bad"))
            .await
            .unwrap_err();
        assert_eq!(
            err.kind(),
            cato_runbook_core::ErrorKind::InvalidInput,
            "{share}"
        );
    }
    let err = api
        .set_monthly_limit(f64::NAN, &key("bad"))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), cato_runbook_core::ErrorKind::InvalidInput);
    assert!(calls(&admin.server).await.is_empty());
}

#[tokio::test]
async fn a_base_url_with_a_path_prefix_keeps_it() {
    use cato_runbook_aws::cato_api::CatoAdminApi;
    use cato_runbook_aws::secrecy::SecretString;
    use wiremock::matchers::{method, path};
    use wiremock::{Mock, MockServer, ResponseTemplate};

    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/gateway/api/admin/cato/traffic/status"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "shadowSelfShare": 0.1, "cacheSimilarityThreshold": 0.9, "emergencyMode": false
        })))
        .expect(1)
        .mount(&server)
        .await;
    let api = CatoAdminApi::new(
        reqwest::Client::new(),
        &format!("{}/gateway", server.uri()),
        SecretString::from("t"),
    )
    .unwrap();
    assert_eq!(api.state().await.unwrap().shadow_self_share, 0.1);
}
