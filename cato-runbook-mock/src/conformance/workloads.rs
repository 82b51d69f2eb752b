//! What runbooks rely on from [`Workloads`]: the High Latency runbook's `kubectl scale`, and
//! "rollback recent changes" (`kubectl rollout history`, `kubectl rollout undo --to-revision`).

use cato_runbook_core::ports::{Revision, Workloads};
use cato_runbook_core::{ErrorKind, IdempotencyKey};

use super::{CheckResult, During, Settle, ensure, refused, run_checks};

/// The workload the harness set up (all replicas ready).
#[derive(Debug, Clone)]
pub struct WorkloadsFixture {
    /// Its namespace.
    pub namespace: String,
    /// Its name.
    pub name: String,
    /// Its replicas (all ready).
    pub replicas: u32,
    /// A workload name that does not exist in the namespace.
    pub missing: String,
    /// Prefix of the idempotency keys the checks use.
    pub key_prefix: String,
    /// How to wait for replicas.
    pub settle: Settle,
    /// The images of its revisions, oldest first (at least two: the rollback checks roll the
    /// last back to the one before it, and forward again).
    pub images: Vec<String>,
}

/// `get` reports the workload with the replicas the harness set up, all ready.
pub async fn get_reports_replicas(port: &dyn Workloads, fixture: &WorkloadsFixture) -> CheckResult {
    const CHECK: &str = "workloads.get_reports_replicas";
    let w = port
        .get(&fixture.namespace, &fixture.name)
        .await
        .during(CHECK)?;
    ensure(
        w.namespace == fixture.namespace
            && w.name == fixture.name
            && w.desired_replicas == fixture.replicas
            && w.ready_replicas == fixture.replicas,
        CHECK,
        || format!("{w:?}, expected {} replicas, all ready", fixture.replicas),
    )
}

async fn scale_and_wait(
    port: &dyn Workloads,
    fixture: &WorkloadsFixture,
    check: &'static str,
    replicas: u32,
    step: &str,
) -> CheckResult {
    let key = IdempotencyKey::new(format!("{}:{step}", fixture.key_prefix));
    port.scale(&fixture.namespace, &fixture.name, replicas, &key)
        .await
        .during(check)?;
    port.scale(&fixture.namespace, &fixture.name, replicas, &key)
        .await
        .during(check)?;
    let w = port
        .get(&fixture.namespace, &fixture.name)
        .await
        .during(check)?;
    ensure(w.desired_replicas == replicas, check, || {
        format!("desired {} after scaling to {replicas}", w.desired_replicas)
    })?;
    fixture
        .settle
        .until(check, "the replicas to be ready", async || {
            let w = port
                .get(&fixture.namespace, &fixture.name)
                .await
                .during(check)?;
            Ok((w.ready_replicas == replicas).then_some(()))
        })
        .await
}

/// Scaling shows at once as desired replicas, and as ready ones once the pods are up; a
/// repeat with the same key is harmless.
pub async fn scale_converges(port: &dyn Workloads, fixture: &WorkloadsFixture) -> CheckResult {
    const CHECK: &str = "workloads.scale_converges";
    let original = port
        .get(&fixture.namespace, &fixture.name)
        .await
        .during(CHECK)?
        .desired_replicas;
    scale_and_wait(port, fixture, CHECK, original + 2, "scale-up").await?;
    scale_and_wait(port, fixture, CHECK, original, "scale-back").await
}

/// A workload that does not exist is `NotFound`.
pub async fn unknown_workload_is_not_found(
    port: &dyn Workloads,
    fixture: &WorkloadsFixture,
) -> CheckResult {
    refused(
        port.get(&fixture.namespace, &fixture.missing).await,
        "workloads.unknown_workload_is_not_found",
        &[ErrorKind::NotFound],
    )
}

async fn history(
    port: &dyn Workloads,
    fixture: &WorkloadsFixture,
    check: &'static str,
) -> Result<Vec<Revision>, super::Failure> {
    port.revisions(&fixture.namespace, &fixture.name)
        .await
        .during(check)
}

fn current_of(revisions: &[Revision]) -> Option<&Revision> {
    revisions.iter().find(|r| r.current)
}

fn image_of(revision: &Revision) -> &str {
    revision.images.first().map_or("", String::as_str)
}

/// The revisions come oldest number first, one image each as set up, the last one the only
/// current one; their hashes differ.
pub async fn revisions_list_the_history(
    port: &dyn Workloads,
    fixture: &WorkloadsFixture,
) -> CheckResult {
    const CHECK: &str = "workloads.revisions_list_the_history";
    let revisions = history(port, fixture, CHECK).await?;
    ensure(
        revisions.windows(2).all(|w| w[0].number < w[1].number),
        CHECK,
        || format!("not in increasing numbers: {revisions:?}"),
    )?;
    let images: Vec<&str> = revisions.iter().map(image_of).collect();
    ensure(images == fixture.images, CHECK, || {
        format!("images {images:?}, expected {:?}", fixture.images)
    })?;
    let current: Vec<u64> = revisions
        .iter()
        .filter(|r| r.current)
        .map(|r| r.number)
        .collect();
    ensure(
        current.len() == 1 && revisions.last().map(|r| r.number) == current.first().copied(),
        CHECK,
        || format!("current revisions {current:?} of {revisions:?}"),
    )?;
    let mut hashes: Vec<&str> = revisions.iter().map(|r| r.template_hash.as_str()).collect();
    hashes.sort_unstable();
    hashes.dedup();
    ensure(
        hashes.len() == revisions.len() && !hashes.contains(&""),
        CHECK,
        || format!("template hashes not distinct: {revisions:?}"),
    )?;
    ensure(
        revisions.iter().all(|r| r.created_at <= r.current_since),
        CHECK,
        || format!("a revision current before it was made: {revisions:?}"),
    )
}

async fn roll_back_to(
    port: &dyn Workloads,
    fixture: &WorkloadsFixture,
    check: &'static str,
    image: &str,
    step: &str,
) -> CheckResult {
    let revisions = history(port, fixture, check).await?;
    let Some(target) = revisions.iter().find(|r| image_of(r) == image) else {
        return Err(super::Failure::new(
            check,
            format!("no revision runs {image}: {revisions:?}"),
        ));
    };
    let (number, hash) = (target.number, target.template_hash.clone());
    let newest = revisions.last().map_or(0, |r| r.number);
    let key = IdempotencyKey::new(format!("{}:{step}", fixture.key_prefix));
    port.roll_back(&fixture.namespace, &fixture.name, number, &key)
        .await
        .during(check)?;
    // A repeat with the same key: the revision has another number now, yet nothing changes.
    port.roll_back(&fixture.namespace, &fixture.name, number, &key)
        .await
        .during(check)?;
    let after = history(port, fixture, check).await?;
    let current = current_of(&after);
    ensure(
        current.is_some_and(|c| c.template_hash == hash && c.number == newest + 1),
        check,
        || {
            format!(
                "after rolling back to revision {number} ({image}), expected it current as revision {}: {after:?}",
                newest + 1
            )
        },
    )?;
    ensure(after.len() == revisions.len(), check, || {
        format!("a rollback made or lost a revision: {revisions:?} → {after:?}")
    })?;
    let w = port
        .get(&fixture.namespace, &fixture.name)
        .await
        .during(check)?;
    ensure(w.desired_replicas == fixture.replicas, check, || {
        format!("a rollback changed the replicas to {}", w.desired_replicas)
    })
}

/// Rolling back to the revision before the current one makes its template current under the
/// next number (a repeat with the same key changes nothing more); rolling forward to the one it
/// replaced restores the original; a rollback to the current revision changes nothing.
pub async fn roll_back_and_forward(
    port: &dyn Workloads,
    fixture: &WorkloadsFixture,
) -> CheckResult {
    const CHECK: &str = "workloads.roll_back_and_forward";
    let [.., previous, last] = fixture.images.as_slice() else {
        return Err(super::Failure::new(
            CHECK,
            "the fixture needs at least two revisions",
        ));
    };
    roll_back_to(port, fixture, CHECK, previous, "rollback").await?;
    roll_back_to(port, fixture, CHECK, last, "roll-forward").await?;
    let before = history(port, fixture, CHECK).await?;
    let current = current_of(&before).map_or(0, |r| r.number);
    let key = IdempotencyKey::new(format!("{}:rollback-to-current", fixture.key_prefix));
    port.roll_back(&fixture.namespace, &fixture.name, current, &key)
        .await
        .during(CHECK)?;
    let after = history(port, fixture, CHECK).await?;
    let numbers = |r: &[Revision]| {
        r.iter()
            .map(|r| (r.number, r.template_hash.clone()))
            .collect::<Vec<_>>()
    };
    ensure(numbers(&after) == numbers(&before), CHECK, || {
        format!("a rollback to the current revision changed the history: {before:?} → {after:?}")
    })
}

/// A rollback to a revision that does not exist is `NotFound`, and changes nothing.
pub async fn unknown_revision_is_not_found(
    port: &dyn Workloads,
    fixture: &WorkloadsFixture,
) -> CheckResult {
    const CHECK: &str = "workloads.unknown_revision_is_not_found";
    let before = history(port, fixture, CHECK).await?;
    let key = IdempotencyKey::new(format!("{}:no-such-revision", fixture.key_prefix));
    refused(
        port.roll_back(&fixture.namespace, &fixture.name, 9_999, &key)
            .await,
        CHECK,
        &[ErrorKind::NotFound],
    )?;
    let after = history(port, fixture, CHECK).await?;
    ensure(after == before, CHECK, || {
        format!("a refused rollback changed the history: {before:?} → {after:?}")
    })?;
    refused(
        port.revisions(&fixture.namespace, &fixture.missing).await,
        CHECK,
        &[ErrorKind::NotFound],
    )
}

/// Every check.
pub async fn run_all(port: &dyn Workloads, fixture: &WorkloadsFixture) -> CheckResult {
    run_checks!(port, fixture;
        get_reports_replicas,
        unknown_workload_is_not_found,
        scale_converges,
        get_reports_replicas,
        revisions_list_the_history,
        unknown_revision_is_not_found,
        roll_back_and_forward,
        revisions_list_the_history,
    )
}
