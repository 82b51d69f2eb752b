//! What a scale sends, exactly, and how it behaves under concurrent writers and the cap.

use cato_runbook_core::ports::Workloads;
use cato_runbook_core::{ErrorKind, IdempotencyKey, Retry};
use serde_json::json;

use crate::fake::FakeApi;

const DEPLOYMENT: &str = "/apis/apps/v1/namespaces/cato/deployments/cato-orchestrator";
const SCALE: &str = "/apis/apps/v1/namespaces/cato/deployments/cato-orchestrator/scale";

fn key(step: &str) -> IdempotencyKey {
    IdempotencyKey::new(format!("INC-7:{step}"))
}

#[tokio::test]
async fn get_reads_the_deployment() {
    let api = FakeApi::start(4).await;
    let w = api
        .workloads(50)
        .get("cato", "cato-orchestrator")
        .await
        .unwrap();
    assert_eq!(
        (w.namespace.as_str(), w.name.as_str()),
        ("cato", "cato-orchestrator")
    );
    assert_eq!((w.desired_replicas, w.ready_replicas), (4, 4));
    let requests = api.requests().await;
    assert_eq!(requests.len(), 1);
    assert_eq!(
        (requests[0].0.as_str(), requests[0].1.as_str()),
        ("GET", DEPLOYMENT)
    );
}

#[tokio::test]
async fn a_scale_reads_the_subresource_and_puts_it_back_with_its_resource_version() {
    let api = FakeApi::start(3).await;
    let provider = api.workloads(50);
    provider
        .scale("cato", "cato-orchestrator", 7, &key("scale-up"))
        .await
        .unwrap();

    let requests = api.requests().await;
    let calls: Vec<(&str, &str)> = requests
        .iter()
        .map(|(v, p, _)| (v.as_str(), p.as_str()))
        .collect();
    assert_eq!(calls, [("GET", SCALE), ("PUT", SCALE)]);
    assert_eq!(
        requests[1].2,
        Some(json!({
            "apiVersion": "autoscaling/v1",
            "kind": "Scale",
            "metadata": {
                "name": "cato-orchestrator",
                "namespace": "cato",
                "resourceVersion": "1000",
            },
            "spec": {"replicas": 7},
        }))
    );
    let d = api.orchestrator();
    assert_eq!((d.replicas, d.resource_version), (7, 1001));

    // Desired at once; ready once the pods are up (the fake's next look).
    let w = provider.get("cato", "cato-orchestrator").await.unwrap();
    assert_eq!((w.desired_replicas, w.ready_replicas), (7, 3));
    let w = provider.get("cato", "cato-orchestrator").await.unwrap();
    assert_eq!(w.ready_replicas, 7);
}

#[tokio::test]
async fn a_repeat_writes_nothing() {
    let api = FakeApi::start(3).await;
    let provider = api.workloads(50);
    for _ in 0..2 {
        provider
            .scale("cato", "cato-orchestrator", 9, &key("scale-up"))
            .await
            .unwrap();
    }
    let puts = api.requests().await.iter().filter(|r| r.0 == "PUT").count();
    assert_eq!(puts, 1);
    assert_eq!(api.orchestrator().replicas, 9);
}

#[tokio::test]
async fn a_write_that_lost_a_race_reads_again_and_retries() {
    let api = FakeApi::start(3).await;
    api.state.lock().unwrap().conflicts = 1;
    api.workloads(50)
        .scale("cato", "cato-orchestrator", 6, &key("scale-up"))
        .await
        .unwrap();
    let requests = api.requests().await;
    let calls: Vec<&str> = requests.iter().map(|r| r.0.as_str()).collect();
    assert_eq!(calls, ["GET", "PUT", "GET", "PUT"]);
    // The retry carries the version it read the second time.
    assert_eq!(
        requests[1].2.as_ref().unwrap()["metadata"]["resourceVersion"],
        "1000"
    );
    assert_eq!(
        requests[3].2.as_ref().unwrap()["metadata"]["resourceVersion"],
        "1001"
    );
    assert_eq!(api.orchestrator().replicas, 6);
}

#[tokio::test]
async fn a_race_lost_every_time_is_a_transient_conflict() {
    let api = FakeApi::start(3).await;
    api.state.lock().unwrap().conflicts = 100;
    let err = api
        .workloads(50)
        .scale("cato", "cato-orchestrator", 6, &key("scale-up"))
        .await
        .unwrap_err();
    assert_eq!(
        (err.kind(), err.retry()),
        (ErrorKind::Conflict, Retry::Transient),
        "{err}"
    );
    assert_eq!(err.resource(), Some("cato/cato-orchestrator"));
    let puts = api.requests().await.iter().filter(|r| r.0 == "PUT").count();
    assert_eq!(puts, 3, "bounded");
    assert_eq!(api.orchestrator().replicas, 3);
}

#[tokio::test]
async fn above_the_cap_or_off_the_list_is_refused_without_a_request() {
    let api = FakeApi::start(3).await;
    let provider = api.workloads(50);
    let err = provider
        .scale("cato", "cato-orchestrator", 51, &key("too-far"))
        .await
        .unwrap_err();
    assert_eq!(
        (err.kind(), err.retry()),
        (ErrorKind::Refused, Retry::Permanent),
        "{err}"
    );
    assert!(err.message().contains("cap of 50"), "{err}");

    let err = provider
        .scale("kube-system", "coredns", 1, &key("elsewhere"))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Refused, "{err}");
    assert!(api.requests().await.is_empty());

    // The cap itself is allowed.
    provider
        .scale("cato", "cato-orchestrator", 50, &key("to-the-cap"))
        .await
        .unwrap();
    assert_eq!(api.orchestrator().replicas, 50);
}

#[tokio::test]
async fn scaling_to_zero_is_a_scale_like_any_other() {
    let api = FakeApi::start(3).await;
    api.workloads(50)
        .scale("cato", "cato-orchestrator", 0, &key("drain"))
        .await
        .unwrap();
    assert_eq!(api.orchestrator().replicas, 0);
}
