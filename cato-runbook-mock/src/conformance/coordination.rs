//! What the engine relies on from [`Coordination`]: one replica acts on a step at a time.
//!
//! The checks take two handles on the same coordination service, as two replicas.

use std::time::Duration;

use cato_runbook_core::IdempotencyKey;
use cato_runbook_core::ports::{Claim, Coordination};

use super::{CheckResult, During, Settle, ensure};

/// The two replicas' service.
#[derive(Debug, Clone)]
pub struct CoordinationFixture {
    /// Prefix of the keys the checks claim.
    pub key_prefix: String,
    /// The lease time the checks claim for.
    pub ttl: Duration,
    /// The clock the leases expire on.
    pub settle: Settle,
}

impl CoordinationFixture {
    fn key(&self, name: &str) -> IdempotencyKey {
        IdempotencyKey::new(format!("{}:{name}", self.key_prefix))
    }
}

/// A claim is exclusive: the holder may renew it, the other replica is told who holds it, and
/// a release by the other replica changes nothing.
pub async fn claim_is_exclusive(
    a: &dyn Coordination,
    b: &dyn Coordination,
    fixture: &CoordinationFixture,
) -> CheckResult {
    const CHECK: &str = "coordination.claim_is_exclusive";
    let key = fixture.key("exclusive");
    let first = a.claim(&key, fixture.ttl).await.during(CHECK)?;
    ensure(first == Claim::Granted, CHECK, || {
        format!("first claim: {first:?}")
    })?;
    let other = b.claim(&key, fixture.ttl).await.during(CHECK)?;
    ensure(
        other == Claim::HeldBy(a.replica().to_owned()),
        CHECK,
        || format!("second replica: {other:?}"),
    )?;
    let renewed = a.claim(&key, fixture.ttl).await.during(CHECK)?;
    ensure(renewed == Claim::Granted, CHECK, || {
        format!("renewal: {renewed:?}")
    })?;
    b.release(&key).await.during(CHECK)?;
    let still = b.claim(&key, fixture.ttl).await.during(CHECK)?;
    ensure(
        still == Claim::HeldBy(a.replica().to_owned()),
        CHECK,
        || format!("after a foreign release: {still:?}"),
    )?;
    a.release(&key).await.during(CHECK)
}

/// A released claim can be taken by the other replica.
pub async fn release_frees(
    a: &dyn Coordination,
    b: &dyn Coordination,
    fixture: &CoordinationFixture,
) -> CheckResult {
    const CHECK: &str = "coordination.release_frees";
    let key = fixture.key("release");
    a.claim(&key, fixture.ttl).await.during(CHECK)?;
    a.release(&key).await.during(CHECK)?;
    let taken = b.claim(&key, fixture.ttl).await.during(CHECK)?;
    ensure(taken == Claim::Granted, CHECK, || {
        format!("after release: {taken:?}")
    })?;
    b.release(&key).await.during(CHECK)
}

/// A claim not renewed expires after its ttl.
pub async fn claims_expire(
    a: &dyn Coordination,
    b: &dyn Coordination,
    fixture: &CoordinationFixture,
) -> CheckResult {
    const CHECK: &str = "coordination.claims_expire";
    let key = fixture.key("expiry");
    a.claim(&key, fixture.ttl).await.during(CHECK)?;
    fixture.settle.clock.sleep(fixture.ttl).await;
    fixture
        .settle
        .until(CHECK, "the claim to expire", async || {
            Ok((b.claim(&key, fixture.ttl).await.during(CHECK)? == Claim::Granted).then_some(()))
        })
        .await?;
    b.release(&key).await.during(CHECK)
}

/// Every check, with `a` and `b` two replicas of the same service.
pub async fn run_all(
    a: &dyn Coordination,
    b: &dyn Coordination,
    fixture: &CoordinationFixture,
) -> CheckResult {
    claim_is_exclusive(a, b, fixture).await?;
    release_frees(a, b, fixture).await?;
    claims_expire(a, b, fixture).await
}
