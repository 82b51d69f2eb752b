//! What runbooks rely on from [`Workloads`]: the High Latency runbook's `kubectl scale`.

use cato_runbook_core::ports::Workloads;
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

/// Every check.
pub async fn run_all(port: &dyn Workloads, fixture: &WorkloadsFixture) -> CheckResult {
    run_checks!(port, fixture;
        get_reports_replicas,
        unknown_workload_is_not_found,
        scale_converges,
        get_reports_replicas,
    )
}
