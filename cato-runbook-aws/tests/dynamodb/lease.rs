//! The leader lease on moto: the lease port's conformance suite with two replicas on a clock
//! the test moves, the lease beside the incident store in one table, and a ttl of zero.

use std::sync::Arc;
use std::time::Duration;

use cato_runbook_aws::dynamodb::{DynamoDbIncidentStore, DynamoDbLease};
use cato_runbook_core::ports::{Clock, Fence, IncidentStore, Leadership, Lease};
use cato_runbook_core::{ErrorKind, time};
use cato_runbook_mock::World;
use cato_runbook_mock::conformance::{self, Settle};

use super::step_clock::StepClock;
use super::store::table;
use crate::aws_support::Aws;

/// The operations the lease calls.
const CALLED: &[&str] = &[
    "dynamodb:GetItem",
    "dynamodb:PutItem",
    "dynamodb:UpdateItem",
];

#[test]
fn the_iam_policy_grants_what_the_lease_calls_and_no_more() {
    let granted: Vec<&str> = cato_runbook_aws::iam::LEASE
        .iter()
        .map(|a| a.name)
        .collect();
    assert_eq!(granted, CALLED);
}

#[tokio::test]
async fn conformance_on_moto() {
    let Some(aws) = Aws::start().await else {
        return;
    };
    let table = table(&aws, "cato-lease").await;
    // The lease's time moves only when the checks sleep on it; the calls' timeouts stay on
    // the wall clock.
    let clock = Arc::new(StepClock::default());
    let a = DynamoDbLease::from_client(aws.dynamodb(), &table, "replica-a", clock.clone());
    let b = DynamoDbLease::from_client(aws.dynamodb(), &table, "replica-b", clock.clone());
    assert_eq!(
        a.to_string(),
        format!("dynamodb lease {table}/lease (replica-a)")
    );
    let mut f = World::default().conformance_fixtures().unwrap().lease;
    f.settle = Settle::new(
        clock.clone(),
        Duration::from_secs(10 * 60),
        Duration::from_secs(1),
    );
    conformance::lease::run_all(&a, &b, &f).await.unwrap();
    let called = aws.recorder.actions();
    assert!(
        called.iter().all(|c| CALLED.contains(&c.as_str())),
        "{called:?}"
    );
    assert!(
        CALLED.iter().all(|c| called.iter().any(|a| a == c)),
        "the policy grants only what is called: {called:?}"
    );
}

#[tokio::test]
async fn the_lease_shares_the_store_table_and_takes_a_greater_fence_each_time() {
    let Some(aws) = Aws::start().await else {
        return;
    };
    let table = table(&aws, "cato-incidents").await;
    let clock = Arc::new(StepClock::default());
    let ttl = Duration::from_secs(15);
    let a = DynamoDbLease::from_client(aws.dynamodb(), &table, "replica-a", clock.clone());
    let b = DynamoDbLease::from_client(aws.dynamodb(), &table, "replica-b", clock.clone());

    let first = a.acquire(ttl).await.unwrap();
    assert_eq!(
        first,
        Leadership::Leader {
            fence: Fence(1),
            expires: time::add(clock.now(), ttl),
        }
    );
    assert_eq!(
        b.acquire(ttl).await.unwrap(),
        Leadership::Follower {
            holder: "replica-a".into(),
            fence: Fence(1),
            expires: first.expires(),
        }
    );
    // A leader that let its lease lapse takes it again with a new fence.
    clock.sleep(ttl).await;
    assert_eq!(a.acquire(ttl).await.unwrap().fence(), Fence(2));
    a.release().await.unwrap();
    b.release().await.unwrap(); // not the holder: nothing happens
    assert_eq!(b.acquire(ttl).await.unwrap().fence(), Fence(3));

    // Another lease in the same table, and the store beside them.
    let other = DynamoDbLease::from_client(aws.dynamodb(), &table, "replica-a", clock.clone())
        .with_key("lease#reports");
    assert_eq!(other.acquire(ttl).await.unwrap().fence(), Fence(1));
    let store = DynamoDbIncidentStore::from_client(aws.dynamodb(), &table);
    assert!(store.all().await.unwrap().is_empty());
    assert!(store.open().await.unwrap().is_empty());

    let zero = a.acquire(Duration::ZERO).await.unwrap_err();
    assert_eq!(zero.kind(), ErrorKind::InvalidInput, "{zero}");
}
