//! The lease on the fake API server: the shared lease checks with two replicas of one Lease,
//! and two replicas racing for it with the same `resourceVersion`.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;
use cato_runbook_aws::kubernetes::KubeLease;
use cato_runbook_core::ports::{Clock, Fence, Leadership, Lease, SystemClock};
use cato_runbook_core::{Timestamp, time};
use cato_runbook_mock::VirtualClock;
use cato_runbook_mock::conformance::Settle;
use cato_runbook_mock::conformance::lease::{LeaseFixture, run_all};
use serde_json::json;

use crate::fake::FakeApi;

/// The ttl every test asks for.
pub(crate) const TTL: Duration = Duration::from_secs(15);

/// Starts at 2026-03-10 09:00 UTC and moves only when slept on: a sleep returns at once and
/// `now()` is that much later. The checks wait out a ttl in no time, and a provider that read
/// the host's clock instead of the port would never see a lease lapse.
#[derive(Debug, Default)]
pub(crate) struct Leaping {
    slept: Mutex<Duration>,
}

#[async_trait]
impl Clock for Leaping {
    fn now(&self) -> Timestamp {
        at(*self.slept.lock().unwrap())
    }

    async fn sleep(&self, duration: Duration) {
        *self.slept.lock().unwrap() += duration;
        tokio::task::yield_now().await;
    }
}

/// What the replicas run on: the time of a [`Leaping`] clock, with their timeouts on tokio's
/// timer (a leaping sleep would time every request out at once).
#[derive(Debug)]
struct ReplicaClock(Arc<Leaping>);

#[async_trait]
impl Clock for ReplicaClock {
    fn now(&self) -> Timestamp {
        self.0.now()
    }

    async fn sleep(&self, duration: Duration) {
        SystemClock.sleep(duration).await;
    }
}

/// The clock's start plus `offset`.
pub(crate) fn at(offset: Duration) -> Timestamp {
    time::add(VirtualClock::default_start(), offset)
}

/// A leaping clock, and replicas `replica-a` and `replica-b` of `cato/cato-orchestrator` on it.
pub(crate) fn replicas(api: &FakeApi) -> (Arc<Leaping>, KubeLease, KubeLease) {
    let clock = Arc::new(Leaping::default());
    let on = |replica: &str| {
        api.lease(replica)
            .with_clock(Arc::new(ReplicaClock(Arc::clone(&clock))))
    };
    let (a, b) = (on("replica-a"), on("replica-b"));
    (clock, a, b)
}

#[tokio::test]
async fn lease_conformance_with_two_replicas_of_one_lease() {
    let api = FakeApi::start(3).await;
    let (clock, a, b) = replicas(&api);
    let fixture = LeaseFixture {
        ttl: TTL,
        settle: Settle::new(clock, Duration::from_secs(120), Duration::from_secs(1)),
    };
    run_all(&a, &b, &fixture).await.unwrap();
}

/// Which of `a` and `b` leads, its answer and the other's; fails unless exactly one does.
fn one_leader<'a>(
    (a, ra): (&'a KubeLease, &'a Leadership),
    (b, rb): (&'a KubeLease, &'a Leadership),
) -> (&'a KubeLease, &'a Leadership, &'a Leadership) {
    match (ra.leads(), rb.leads()) {
        (true, false) => (a, ra, rb),
        (false, true) => (b, rb, ra),
        _ => panic!("not exactly one leader: {ra:?}, {rb:?}"),
    }
}

#[tokio::test]
async fn of_two_replicas_taking_a_lapsed_lease_at_once_the_stale_write_follows() {
    let api = FakeApi::start(3).await;
    let (_clock, a, b) = replicas(&api);
    api.put_lease(json!({
        "holderIdentity": "replica-old",
        "leaseDurationSeconds": 15,
        "acquireTime": "2026-03-10T08:00:00.000000Z",
        "renewTime": "2026-03-10T08:59:00.000000Z",
        "leaseTransitions": 4,
    }));
    // Both replicas read the lapsed lease at one resourceVersion, whichever writes first.
    api.state.lock().unwrap().leases.freeze_reads(2);

    let (ra, rb) = tokio::join!(a.acquire(TTL), b.acquire(TTL));
    let (ra, rb) = (ra.unwrap(), rb.unwrap());
    let (leader, won, lost) = one_leader((&a, &ra), (&b, &rb));
    assert_eq!(
        won,
        &Leadership::Leader {
            fence: Fence(5),
            expires: at(TTL)
        }
    );
    assert_eq!(
        lost,
        &Leadership::Follower {
            holder: leader.replica().to_owned(),
            fence: Fence(5),
            expires: at(TTL),
        },
        "the loser read the lease again and follows the winner"
    );
    {
        let state = api.state.lock().unwrap();
        assert_eq!(
            state.leases.conflicts, 1,
            "the second PUT carried the stale resourceVersion"
        );
    }
    let stored = api.lease_object().unwrap();
    assert_eq!(stored["spec"]["holderIdentity"], leader.replica());
    assert_eq!(
        stored["spec"]["leaseTransitions"], 5,
        "one transition, not two"
    );
    let puts = api.requests().await.iter().filter(|r| r.0 == "PUT").count();
    assert_eq!(puts, 2, "the loser does not write again after it lost");
}

#[tokio::test]
async fn of_two_replicas_creating_the_lease_at_once_the_second_follows() {
    let api = FakeApi::start(3).await;
    let (_clock, a, b) = replicas(&api);
    // Both replicas read "no lease", whichever creates first.
    api.state.lock().unwrap().leases.freeze_reads(2);

    let (ra, rb) = tokio::join!(a.acquire(TTL), b.acquire(TTL));
    let (ra, rb) = (ra.unwrap(), rb.unwrap());
    let (leader, won, lost) = one_leader((&a, &ra), (&b, &rb));
    assert_eq!(
        won,
        &Leadership::Leader {
            fence: Fence(1),
            expires: at(TTL)
        }
    );
    assert_eq!(
        lost,
        &Leadership::Follower {
            holder: leader.replica().to_owned(),
            fence: Fence(1),
            expires: at(TTL),
        }
    );
    assert_eq!(
        api.state.lock().unwrap().leases.already_exists,
        1,
        "the second create found the name taken"
    );
    let stored = api.lease_object().unwrap();
    assert_eq!(stored["spec"]["holderIdentity"], leader.replica());
}

#[tokio::test]
async fn a_replica_that_waited_out_the_holder_takes_over_with_a_greater_fence() {
    let api = FakeApi::start(3).await;
    let (clock, a, b) = replicas(&api);
    let first = a.acquire(TTL).await.unwrap();
    // The leader stops renewing (a pause, a partition): the standby takes over once it lapses.
    clock.sleep(TTL - Duration::from_secs(1)).await;
    assert!(!b.acquire(TTL).await.unwrap().leads());
    clock.sleep(Duration::from_secs(1)).await;
    let second = b.acquire(TTL).await.unwrap();
    assert_eq!(
        second,
        Leadership::Leader {
            fence: Fence(2),
            expires: at(2 * TTL)
        }
    );
    assert!(second.fence() > first.fence());
    // The old leader, back, is told who leads now, and with which fence.
    assert_eq!(
        a.acquire(TTL).await.unwrap(),
        Leadership::Follower {
            holder: "replica-b".into(),
            fence: Fence(2),
            expires: at(2 * TTL),
        }
    );
}
