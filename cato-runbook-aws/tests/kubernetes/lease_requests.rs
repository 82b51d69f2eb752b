//! What the lease sends, exactly: the create, a renewal, a takeover, a release; and how it
//! fails.

use std::time::Duration;

use cato_runbook_core::ports::{Clock, Fence, Leadership, Lease};
use cato_runbook_core::{ErrorKind, Retry, Timestamp};
use serde_json::{Value, json};

use crate::fake::FakeApi;
use crate::lease::{TTL, at, replicas};

const LEASE: &str = "/apis/coordination.k8s.io/v1/namespaces/cato/leases/cato-orchestrator";
const LEASES: &str = "/apis/coordination.k8s.io/v1/namespaces/cato/leases";

/// `(verb, path)` of every request so far.
async fn calls(api: &FakeApi) -> Vec<(String, String)> {
    api.requests()
        .await
        .into_iter()
        .map(|(verb, path, _)| (verb, path))
        .collect()
}

/// The body of the last request.
async fn last_body(api: &FakeApi) -> Value {
    api.requests().await.pop().unwrap().2.unwrap()
}

/// A MicroTime of a body.
fn time_of(value: &Value) -> Timestamp {
    chrono::DateTime::parse_from_rfc3339(value.as_str().unwrap())
        .unwrap()
        .with_timezone(&chrono::Utc)
}

fn held_by_old(renewed: &str, transitions: i32) -> Value {
    json!({
        "holderIdentity": "replica-old",
        "leaseDurationSeconds": 15,
        "acquireTime": "2026-03-10T08:00:00.000000Z",
        "renewTime": renewed,
        "leaseTransitions": transitions,
    })
}

#[tokio::test]
async fn the_first_acquire_creates_the_lease_and_the_next_renews_it() {
    let api = FakeApi::start(3).await;
    let (clock, a, _) = replicas(&api);
    let first = a.acquire(TTL).await.unwrap();
    assert_eq!(
        first,
        Leadership::Leader {
            fence: Fence(1),
            expires: at(TTL)
        }
    );
    let expected = [("GET", LEASE), ("POST", LEASES)].map(|(v, p)| (v.to_owned(), p.to_owned()));
    assert_eq!(calls(&api).await, expected);
    let created = last_body(&api).await;
    assert_eq!(
        (&created["apiVersion"], &created["kind"]),
        (&json!("coordination.k8s.io/v1"), &json!("Lease"))
    );
    assert_eq!(
        (
            &created["metadata"]["name"],
            &created["metadata"]["namespace"]
        ),
        (&json!("cato-orchestrator"), &json!("cato"))
    );
    let spec = &created["spec"];
    assert_eq!(spec["holderIdentity"], "replica-a");
    assert_eq!(spec["leaseDurationSeconds"], 15);
    assert_eq!(spec["leaseTransitions"], 1);
    assert_eq!(time_of(&spec["acquireTime"]), at(Duration::ZERO));
    assert_eq!(time_of(&spec["renewTime"]), at(Duration::ZERO));
    let version = api.lease_object().unwrap()["metadata"]["resourceVersion"].clone();

    clock.sleep(Duration::from_secs(5)).await;
    let renewed = a.acquire(TTL).await.unwrap();
    assert_eq!(
        renewed,
        Leadership::Leader {
            fence: Fence(1),
            expires: at(Duration::from_secs(20))
        },
        "a renewal keeps the fence"
    );
    let sent = calls(&api).await;
    assert_eq!((sent[3].0.as_str(), sent[3].1.as_str()), ("PUT", LEASE));
    let put = last_body(&api).await;
    assert_eq!(
        put["metadata"]["resourceVersion"], version,
        "the version read"
    );
    assert_eq!(
        time_of(&put["spec"]["renewTime"]),
        at(Duration::from_secs(5))
    );
    assert_eq!(time_of(&put["spec"]["acquireTime"]), at(Duration::ZERO));
    assert_eq!(put["spec"]["leaseTransitions"], 1);
}

#[tokio::test]
async fn a_live_lease_of_another_is_followed_and_a_lapsed_one_taken() {
    let api = FakeApi::start(3).await;
    let (clock, a, _) = replicas(&api);
    api.put_lease(held_by_old("2026-03-10T09:00:00.000000Z", 7));
    let followed = Leadership::Follower {
        holder: "replica-old".into(),
        fence: Fence(7),
        expires: at(TTL),
    };
    assert_eq!(a.acquire(TTL).await.unwrap(), followed);
    clock.sleep(TTL - Duration::from_micros(1)).await;
    assert_eq!(a.acquire(TTL).await.unwrap(), followed);
    assert!(
        calls(&api).await.iter().all(|(verb, _)| verb == "GET"),
        "a follower writes nothing"
    );

    clock.sleep(Duration::from_micros(1)).await;
    assert_eq!(
        a.acquire(TTL).await.unwrap(),
        Leadership::Leader {
            fence: Fence(8),
            expires: at(2 * TTL)
        },
        "lapsed at renewTime + leaseDurationSeconds: taken, one transition more"
    );
    let stored = api.lease_object().unwrap();
    let spec = &stored["spec"];
    assert_eq!(spec["holderIdentity"], "replica-a");
    assert_eq!(spec["leaseTransitions"], 8);
    assert_eq!(time_of(&spec["acquireTime"]), at(TTL));
}

#[tokio::test]
async fn a_lease_without_a_holder_renew_time_or_duration_is_free() {
    for (spec, fence) in [
        (json!({}), 1),
        (
            json!({"holderIdentity": "replica-old", "leaseDurationSeconds": 15, "leaseTransitions": 2}),
            3,
        ),
        (
            json!({"holderIdentity": "replica-old", "renewTime": "2026-03-10T09:00:00.000000Z", "leaseTransitions": 2}),
            3,
        ),
        (
            json!({"holderIdentity": "", "leaseDurationSeconds": 15, "renewTime": "2026-03-10T09:00:00.000000Z", "leaseTransitions": 4}),
            5,
        ),
    ] {
        let api = FakeApi::start(3).await;
        let (_clock, a, _) = replicas(&api);
        api.put_lease(spec.clone());
        let leadership = a.acquire(TTL).await.unwrap();
        assert_eq!(leadership.fence(), Fence(fence), "{spec}");
        assert!(leadership.leads(), "{spec}");
    }
}

#[tokio::test]
async fn release_clears_the_holder_and_the_standby_takes_over_at_once() {
    let api = FakeApi::start(3).await;
    let (_clock, a, b) = replicas(&api);
    a.acquire(TTL).await.unwrap();
    a.release().await.unwrap();
    let put = last_body(&api).await;
    assert_eq!(calls(&api).await.last().unwrap().0, "PUT");
    assert!(put["spec"].get("holderIdentity").is_none(), "{put}");
    assert_eq!(put["spec"]["leaseTransitions"], 1, "the fence stays");

    let taken = b.acquire(TTL).await.unwrap();
    assert_eq!(
        taken,
        Leadership::Leader {
            fence: Fence(2),
            expires: at(TTL)
        }
    );
    let before = calls(&api).await.len();
    a.release().await.unwrap();
    assert_eq!(
        calls(&api).await[before..],
        [("GET".to_owned(), LEASE.to_owned())],
        "a release by a replica that does not hold the lease writes nothing"
    );
    assert_eq!(
        api.lease_object().unwrap()["spec"]["holderIdentity"],
        "replica-b"
    );
}

#[tokio::test]
async fn a_release_with_no_lease_or_that_loses_a_race_is_not_an_error() {
    let api = FakeApi::start(3).await;
    let (_clock, a, _) = replicas(&api);
    a.release().await.unwrap();
    assert_eq!(calls(&api).await, [("GET".to_owned(), LEASE.to_owned())]);

    a.acquire(TTL).await.unwrap();
    api.state.lock().unwrap().leases.interfere = 1;
    a.release().await.unwrap();
    assert_eq!(api.state.lock().unwrap().leases.conflicts, 1);
    assert_eq!(
        api.lease_object().unwrap()["spec"]["holderIdentity"],
        "replica-a",
        "the stale release did not land"
    );
}

#[tokio::test]
async fn a_lost_race_reads_again_once_and_two_are_a_transient_conflict() {
    let api = FakeApi::start(3).await;
    let (_clock, a, _) = replicas(&api);
    api.put_lease(json!({"leaseTransitions": 3}));
    api.state.lock().unwrap().leases.interfere = 1;
    let taken = a.acquire(TTL).await.unwrap();
    assert_eq!(taken.fence(), Fence(4));
    let verbs: Vec<String> = calls(&api).await.into_iter().map(|(v, _)| v).collect();
    assert_eq!(verbs, ["GET", "PUT", "GET", "PUT"]);

    a.release().await.unwrap();
    api.state.lock().unwrap().leases.interfere = 2;
    let err = a.acquire(TTL).await.unwrap_err();
    assert_eq!(
        (err.kind(), err.retry()),
        (ErrorKind::Conflict, Retry::Transient),
        "{err}"
    );
    assert_eq!(err.resource(), Some("cato/cato-orchestrator"));
    assert_eq!(err.provider(), Some("kubernetes"));
    assert_eq!(api.state.lock().unwrap().leases.conflicts, 3);
}

#[tokio::test]
async fn a_ttl_is_at_least_a_second_and_whole_seconds_rounded_up() {
    let api = FakeApi::start(3).await;
    let (_clock, a, _) = replicas(&api);
    for ttl in [Duration::ZERO, Duration::from_millis(999)] {
        let err = a.acquire(ttl).await.unwrap_err();
        assert_eq!(
            (err.kind(), err.retry()),
            (ErrorKind::InvalidInput, Retry::Permanent),
            "{err}"
        );
    }
    assert!(
        api.requests().await.is_empty(),
        "refused before any request"
    );

    let leadership = a.acquire(Duration::from_millis(1500)).await.unwrap();
    assert_eq!(leadership.expires(), at(Duration::from_secs(2)));
    assert_eq!(last_body(&api).await["spec"]["leaseDurationSeconds"], 2);
}

#[tokio::test]
async fn forbidden_is_permission_denied() {
    let api = FakeApi::start(3).await;
    api.state.lock().unwrap().forbidden = true;
    let (_clock, a, _) = replicas(&api);
    let err = a.acquire(TTL).await.unwrap_err();
    assert_eq!(
        (err.kind(), err.retry()),
        (ErrorKind::PermissionDenied, Retry::Permanent),
        "{err}"
    );
    assert!(err.message().contains("403 Forbidden"), "{err}");
    let err = a.release().await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::PermissionDenied, "{err}");
}

#[tokio::test]
async fn a_slow_api_server_times_out() {
    let api = FakeApi::start(3).await;
    api.state.lock().unwrap().leases.read_delay = Some(Duration::from_secs(5));
    let (_clock, a, _) = replicas(&api);
    let a = a.with_timeout(Duration::from_millis(200));
    let err = a.acquire(TTL).await.unwrap_err();
    assert_eq!(
        (err.kind(), err.retry()),
        (ErrorKind::Timeout, Retry::Transient),
        "{err}"
    );
    assert_eq!(err.resource(), Some("cato/cato-orchestrator"));
}
