//! The shared workloads and deployments checks against the fake API server.

use std::sync::Arc;
use std::time::Duration;

use cato_runbook_core::ports::SystemClock;
use cato_runbook_mock::conformance::{Settle, changes, workloads};
use chrono::{TimeZone, Utc};

use crate::fake::FakeApi;

fn settle() -> Settle {
    Settle::new(
        Arc::new(SystemClock),
        Duration::from_secs(5),
        Duration::from_millis(10),
    )
}

#[tokio::test]
async fn workloads_conformance_on_the_fake_api_server() {
    let api = FakeApi::start(3).await;
    let provider = api.workloads(10);
    let fixture = workloads::WorkloadsFixture {
        namespace: "cato".into(),
        name: "cato-orchestrator".into(),
        replicas: 3,
        missing: "no-such-workload".into(),
        key_prefix: "conformance".into(),
        settle: settle(),
        images: vec![
            "cato/orchestrator:1.8.1".into(),
            "cato/orchestrator:1.8.2".into(),
        ],
    };
    workloads::run_all(&provider, &fixture).await.unwrap();
    let d = api.orchestrator();
    assert_eq!(
        (d.replicas, d.ready),
        (3, 3),
        "the checks leave it as they found it"
    );
}

#[tokio::test]
async fn deployments_conformance_on_the_fake_api_server() {
    let api = FakeApi::start(3).await;
    let fixture = changes::DeploymentsFixture {
        since: Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap(),
        services: vec!["cato-orchestrator".into(), "cato-orchestrator".into()],
        settle: settle(),
    };
    changes::run_all_deployments(&api.deployments(), &fixture)
        .await
        .unwrap();
}
