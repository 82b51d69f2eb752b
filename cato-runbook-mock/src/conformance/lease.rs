//! What the engine relies on from a [`Lease`]: one leader at a time, and a fence that grows
//! with every new holder.
//!
//! The checks take two handles on the same lease, as two replicas, and leave it released.

use std::time::Duration;

use cato_runbook_core::ports::{Leadership, Lease};

use super::{CheckResult, During, Settle, ensure};

/// The two replicas' lease.
#[derive(Debug, Clone)]
pub struct LeaseFixture {
    /// How long the checks take the lease for.
    pub ttl: Duration,
    /// The clock the lease lapses on.
    pub settle: Settle,
}

/// One holder at a time: the holder renews with the same fence, the other replica is told who
/// holds it (and its fence), and a release by the other replica changes nothing.
pub async fn one_holder(a: &dyn Lease, b: &dyn Lease, fixture: &LeaseFixture) -> CheckResult {
    const CHECK: &str = "lease.one_holder";
    let first = a.acquire(fixture.ttl).await.during(CHECK)?;
    ensure(first.leads(), CHECK, || format!("first acquire: {first:?}"))?;
    let other = b.acquire(fixture.ttl).await.during(CHECK)?;
    ensure(
        matches!(&other, Leadership::Follower { holder, fence, .. }
            if holder == a.replica() && *fence == first.fence()),
        CHECK,
        || {
            format!(
                "second replica: {other:?} (the first holds {})",
                first.fence()
            )
        },
    )?;
    let renewed = a.acquire(fixture.ttl).await.during(CHECK)?;
    ensure(
        renewed.leads() && renewed.fence() == first.fence(),
        CHECK,
        || format!("renewal: {renewed:?}, first {first:?}"),
    )?;
    ensure(renewed.expires() >= first.expires(), CHECK, || {
        format!("renewal moved the expiry back: {renewed:?}, first {first:?}")
    })?;
    b.release().await.during(CHECK)?;
    let still = b.acquire(fixture.ttl).await.during(CHECK)?;
    ensure(!still.leads(), CHECK, || {
        format!("after a foreign release: {still:?}")
    })?;
    a.release().await.during(CHECK)
}

/// A released lease is taken by the other replica at once, with a greater fence.
pub async fn release_hands_over(
    a: &dyn Lease,
    b: &dyn Lease,
    fixture: &LeaseFixture,
) -> CheckResult {
    const CHECK: &str = "lease.release_hands_over";
    let held = a.acquire(fixture.ttl).await.during(CHECK)?;
    ensure(held.leads(), CHECK, || format!("acquire: {held:?}"))?;
    a.release().await.during(CHECK)?;
    let taken = b.acquire(fixture.ttl).await.during(CHECK)?;
    ensure(taken.leads() && taken.fence() > held.fence(), CHECK, || {
        format!("after release: {taken:?}, before {held:?}")
    })?;
    b.release().await.during(CHECK)
}

/// A lease not renewed lapses after its ttl: the other replica takes it with a greater fence,
/// and the old holder, coming back, is a follower.
pub async fn lapses(a: &dyn Lease, b: &dyn Lease, fixture: &LeaseFixture) -> CheckResult {
    const CHECK: &str = "lease.lapses";
    let held = a.acquire(fixture.ttl).await.during(CHECK)?;
    ensure(held.leads(), CHECK, || format!("acquire: {held:?}"))?;
    fixture.settle.clock.sleep(fixture.ttl).await;
    let taken = fixture
        .settle
        .until(CHECK, "the lease to lapse", async || {
            let answer = b.acquire(fixture.ttl).await.during(CHECK)?;
            Ok(answer.leads().then_some(answer))
        })
        .await?;
    ensure(taken.fence() > held.fence(), CHECK, || {
        format!("a new holder kept the fence: {taken:?}, before {held:?}")
    })?;
    let back = a.acquire(fixture.ttl).await.during(CHECK)?;
    ensure(
        matches!(&back, Leadership::Follower { holder, .. } if holder == b.replica()),
        CHECK,
        || format!("the old holder, back: {back:?}"),
    )?;
    b.release().await.during(CHECK)
}

/// Every check, with `a` and `b` two replicas of the same lease.
pub async fn run_all(a: &dyn Lease, b: &dyn Lease, fixture: &LeaseFixture) -> CheckResult {
    one_holder(a, b, fixture).await?;
    release_hands_over(a, b, fixture).await?;
    lapses(a, b, fixture).await
}
