//! Every failure class of the Kubernetes provider.

use std::time::Duration;

use cato_runbook_aws::kubernetes::KubeWorkloads;
use cato_runbook_core::ports::Workloads;
use cato_runbook_core::{ErrorKind, IdempotencyKey, Retry};
use wiremock::matchers::any;
use wiremock::{Mock, MockServer, ResponseTemplate};

use crate::fake::{FakeApi, client_of};

fn key() -> IdempotencyKey {
    IdempotencyKey::new("INC-9:scale-up")
}

#[tokio::test]
async fn a_missing_deployment_is_not_found() {
    let api = FakeApi::start(3).await;
    let provider = KubeWorkloads::new(api.client()).with_workload("cato", "cato-ghost", 10);
    let err = provider.get("cato", "cato-ghost").await.unwrap_err();
    assert_eq!(
        (err.kind(), err.retry()),
        (ErrorKind::NotFound, Retry::Permanent),
        "{err}"
    );
    assert_eq!(err.resource(), Some("cato/cato-ghost"));
    assert_eq!(err.provider(), Some("kubernetes"));
    let err = provider
        .scale("cato", "cato-ghost", 2, &key())
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::NotFound, "{err}");
}

#[tokio::test]
async fn forbidden_is_permission_denied() {
    let api = FakeApi::start(3).await;
    api.state.lock().unwrap().forbidden = true;
    let provider = api.workloads(10);
    let err = provider.get("cato", "cato-orchestrator").await.unwrap_err();
    assert_eq!(
        (err.kind(), err.retry()),
        (ErrorKind::PermissionDenied, Retry::Permanent),
        "{err}"
    );
    assert!(err.message().contains("403 Forbidden"), "{err}");
    let err = provider
        .scale("cato", "cato-orchestrator", 5, &key())
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::PermissionDenied, "{err}");
}

async fn answering(response: ResponseTemplate) -> KubeWorkloads {
    let server = MockServer::start().await;
    Mock::given(any())
        .respond_with(response)
        .mount(&server)
        .await;
    let provider = KubeWorkloads::new(client_of(&server.uri()))
        .with_workload("cato", "cato-orchestrator", 10)
        .with_timeout(Duration::from_millis(300));
    // Keep the server alive as long as the test: leak it (one per test).
    Box::leak(Box::new(server));
    provider
}

#[tokio::test]
async fn server_errors_are_unavailable_and_throttling_is_throttled() {
    for (code, kind, retry) in [
        (500, ErrorKind::Unavailable, Retry::Transient),
        (503, ErrorKind::Unavailable, Retry::Transient),
        (504, ErrorKind::Timeout, Retry::Transient),
        (429, ErrorKind::Throttled, Retry::Throttled),
        (422, ErrorKind::InvalidInput, Retry::Permanent),
    ] {
        let body = serde_json::json!({"kind": "Status", "apiVersion": "v1", "status": "Failure", "message": "nope", "reason": "Whatever", "code": code});
        let provider = answering(ResponseTemplate::new(code).set_body_json(body)).await;
        let err = provider.get("cato", "cato-orchestrator").await.unwrap_err();
        assert_eq!((err.kind(), err.retry()), (kind, retry), "{code}: {err}");
    }
}

#[tokio::test]
async fn a_refused_token_is_unauthenticated_and_names_the_kubeconfig() {
    let body = serde_json::json!({"kind": "Status", "apiVersion": "v1", "status": "Failure", "message": "Unauthorized", "reason": "Unauthorized", "code": 401});
    let provider = answering(ResponseTemplate::new(401).set_body_json(body)).await;
    let err = provider.get("cato", "cato-orchestrator").await.unwrap_err();
    assert_eq!(
        (err.kind(), err.retry()),
        (ErrorKind::Unauthenticated, Retry::Permanent),
        "{err}"
    );
    assert!(err.message().contains("KUBECONFIG"), "{err}");
    assert!(err.message().contains("service account token"), "{err}");
}

#[tokio::test]
async fn a_body_that_is_not_a_deployment_is_malformed() {
    let provider =
        answering(ResponseTemplate::new(200).set_body_raw("<html>proxy login</html>", "text/html"))
            .await;
    let err = provider.get("cato", "cato-orchestrator").await.unwrap_err();
    assert_eq!(
        (err.kind(), err.retry()),
        (ErrorKind::MalformedResponse, Retry::Permanent),
        "{err}"
    );

    let provider = answering(
        ResponseTemplate::new(200)
            .set_body_json(serde_json::json!({"kind": "Scale", "spec": "seven"})),
    )
    .await;
    let err = provider
        .scale("cato", "cato-orchestrator", 7, &key())
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::MalformedResponse, "{err}");
}

#[tokio::test]
async fn a_slow_api_server_times_out() {
    let provider = answering(
        ResponseTemplate::new(200)
            .set_body_json(serde_json::json!({}))
            .set_delay(Duration::from_secs(5)),
    )
    .await;
    let err = provider.get("cato", "cato-orchestrator").await.unwrap_err();
    assert_eq!(
        (err.kind(), err.retry()),
        (ErrorKind::Timeout, Retry::Transient),
        "{err}"
    );
}

#[tokio::test]
async fn no_api_server_is_unavailable() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let provider = KubeWorkloads::new(client_of(&format!("http://127.0.0.1:{port}")))
        .with_timeout(Duration::from_secs(5));
    let err = provider.get("cato", "cato-orchestrator").await.unwrap_err();
    assert_eq!(
        (err.kind(), err.retry()),
        (ErrorKind::Unavailable, Retry::Transient),
        "{err}"
    );
}
