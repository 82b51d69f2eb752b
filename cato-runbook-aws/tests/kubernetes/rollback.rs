//! What a rollback sends, exactly: the reads, then one `PUT` of the Deployment with the
//! revision's template (no `pod-template-hash`), its `resourceVersion` and the key; a lost race
//! is a transient `Conflict`, never retried over someone's change.

use cato_runbook_core::ports::{Deployments, Workloads};
use cato_runbook_core::{ErrorKind, IdempotencyKey, Retry};
use chrono::{TimeZone, Utc};

use crate::fake::FakeApi;

const DEPLOYMENT: &str = "/apis/apps/v1/namespaces/cato/deployments/cato-orchestrator";
const REPLICA_SETS: &str = "/apis/apps/v1/namespaces/cato/replicasets";

fn key(step: &str) -> IdempotencyKey {
    IdempotencyKey::new(format!("INC-9:{step}"))
}

#[tokio::test]
async fn revisions_come_from_the_replica_sets() {
    let api = FakeApi::start(3).await;
    let revisions = api
        .workloads(10)
        .revisions("cato", "cato-orchestrator")
        .await
        .unwrap();
    let shown: Vec<(u64, String, bool)> = revisions
        .iter()
        .map(|r| (r.number, r.version(), r.current))
        .collect();
    assert_eq!(
        shown,
        [
            (1, "1.8.1".to_owned(), false),
            (2, "1.8.2: batch prompts".to_owned(), true)
        ]
    );
    assert_eq!(revisions[1].images, ["cato/orchestrator:1.8.2"]);
    let requests = api.requests().await;
    let calls: Vec<(&str, &str)> = requests
        .iter()
        .map(|(v, p, _)| (v.as_str(), p.as_str()))
        .collect();
    assert_eq!(calls, [("GET", DEPLOYMENT), ("GET", REPLICA_SETS)]);
    let selector = api.server.received_requests().await.unwrap()[1]
        .url
        .query()
        .map(str::to_owned);
    assert_eq!(
        selector.as_deref(),
        Some("&labelSelector=app%3Dcato-orchestrator")
    );
}

#[tokio::test]
async fn a_rollback_puts_the_revision_template_with_the_resource_version_and_the_key() {
    let api = FakeApi::start(3).await;
    let provider = api.workloads(10);
    provider
        .roll_back("cato", "cato-orchestrator", 1, &key("rollback"))
        .await
        .unwrap();
    let requests = api.requests().await;
    let calls: Vec<(&str, &str)> = requests
        .iter()
        .map(|(v, p, _)| (v.as_str(), p.as_str()))
        .collect();
    assert_eq!(
        calls,
        [
            ("GET", DEPLOYMENT),
            ("GET", REPLICA_SETS),
            ("PUT", DEPLOYMENT)
        ]
    );
    let body = requests[2].2.clone().unwrap();
    assert_eq!(body["metadata"]["resourceVersion"], "1000");
    assert_eq!(
        body["metadata"]["annotations"]["cato.thinktank.ai/rollback-key"],
        "INC-9:rollback"
    );
    assert_eq!(
        body["metadata"]["annotations"]["kubernetes.io/change-cause"],
        "1.8.1"
    );
    assert_eq!(
        body["spec"]["template"]["spec"]["containers"][0]["image"],
        "cato/orchestrator:1.8.1"
    );
    assert!(
        body["spec"]["template"]["metadata"]["labels"]
            .get("pod-template-hash")
            .is_none()
    );
    assert_eq!(body["spec"]["replicas"], 3, "the replicas stay as read");

    // The revision rolled back to is revision 3 now; a repeat with the key writes nothing.
    provider
        .roll_back("cato", "cato-orchestrator", 1, &key("rollback"))
        .await
        .unwrap();
    assert_eq!(api.requests().await.len(), 4, "one GET, no PUT");
    let revisions = provider
        .revisions("cato", "cato-orchestrator")
        .await
        .unwrap();
    let current = revisions.iter().find(|r| r.current).unwrap();
    assert_eq!(
        (current.number, current.images[0].as_str()),
        (3, "cato/orchestrator:1.8.1")
    );
    assert!(current.current_since > current.created_at);

    // Recent deployments: the rollback shows as revision 3, at the time it became current.
    let since = Utc.with_ymd_and_hms(2026, 1, 6, 12, 0, 0).unwrap();
    let recent = api.deployments().since(since).await.unwrap();
    assert_eq!(recent.len(), 1, "{recent:?}");
    assert_eq!(recent[0].service, "cato-orchestrator");
    assert_eq!(recent[0].version, "1.8.1");
    assert_eq!(
        recent[0].description,
        "revision 3 (cato/orchestrator:1.8.1)"
    );
}

#[tokio::test]
async fn a_rollback_to_the_current_template_writes_nothing() {
    let api = FakeApi::start(3).await;
    api.workloads(10)
        .roll_back("cato", "cato-orchestrator", 2, &key("rollback"))
        .await
        .unwrap();
    assert!(
        api.requests()
            .await
            .iter()
            .all(|(verb, _, _)| verb == "GET")
    );
}

#[tokio::test]
async fn a_lost_race_is_a_transient_conflict_and_off_the_list_is_refused() {
    let api = FakeApi::start(3).await;
    api.state.lock().unwrap().conflicts = 1;
    let err = api
        .workloads(10)
        .roll_back("cato", "cato-orchestrator", 1, &key("rollback"))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Conflict);
    assert_eq!(err.retry(), Retry::Transient);
    let puts = api
        .requests()
        .await
        .iter()
        .filter(|(v, _, _)| v == "PUT")
        .count();
    assert_eq!(puts, 1, "not retried over someone else's write");

    let err = cato_runbook_aws::kubernetes::KubeWorkloads::new(api.client())
        .roll_back("cato", "cato-orchestrator", 1, &key("rollback"))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Refused);

    let err = api
        .workloads(10)
        .roll_back("cato", "cato-orchestrator", 42, &key("nowhere"))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::NotFound);
}
