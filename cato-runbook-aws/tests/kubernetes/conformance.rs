//! The shared workloads checks against the fake API server.

use std::sync::Arc;
use std::time::Duration;

use cato_runbook_core::ports::SystemClock;
use cato_runbook_mock::conformance::{Settle, workloads};

use crate::fake::FakeApi;

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
        settle: Settle::new(
            Arc::new(SystemClock),
            Duration::from_secs(5),
            Duration::from_millis(10),
        ),
    };
    workloads::run_all(&provider, &fixture).await.unwrap();
    let d = api.orchestrator();
    assert_eq!(
        (d.replicas, d.ready),
        (3, 3),
        "the checks leave it as they found it"
    );
}
