//! What runbooks rely on from [`Deployments`] and [`CloudHealth`]: the first five minutes'
//! "review recent deployments" and "check AWS Health Dashboard".

use std::time::Duration;

use cato_runbook_core::Timestamp;
use cato_runbook_core::ports::{CloudHealth, Deployments};
use cato_runbook_core::time;

use super::{CheckResult, During, Settle, ensure, run_checks};

/// The deployment history the harness set up.
#[derive(Debug, Clone)]
pub struct DeploymentsFixture {
    /// A time before the expected deployments.
    pub since: Timestamp,
    /// The services deployed since then, oldest first.
    pub services: Vec<String>,
    /// The clock ("now").
    pub settle: Settle,
}

/// Deployments since a time come oldest first, none before it, the expected ones included.
pub async fn lists_deployments_since(
    port: &dyn Deployments,
    fixture: &DeploymentsFixture,
) -> CheckResult {
    const CHECK: &str = "deployments.lists_deployments_since";
    let found = port.since(fixture.since).await.during(CHECK)?;
    ensure(found.iter().all(|d| d.at >= fixture.since), CHECK, || {
        "a deployment before `since`".into()
    })?;
    ensure(found.windows(2).all(|w| w[0].at <= w[1].at), CHECK, || {
        "not oldest first".into()
    })?;
    let mut rest = found.iter();
    ensure(
        fixture
            .services
            .iter()
            .all(|s| rest.any(|d| &d.service == s)),
        CHECK,
        || format!("expected {:?} in order, found {found:?}", fixture.services),
    )?;
    let later = time::add(fixture.settle.clock.now(), Duration::from_secs(24 * 3600));
    let none = port.since(later).await.during(CHECK)?;
    ensure(none.is_empty(), CHECK, || {
        format!("deployments in the future: {none:?}")
    })
}

/// Every deployments check.
pub async fn run_all_deployments(
    port: &dyn Deployments,
    fixture: &DeploymentsFixture,
) -> CheckResult {
    run_checks!(port, fixture; lists_deployments_since)
}

/// The health events the harness set up.
#[derive(Debug, Clone)]
pub struct CloudHealthFixture {
    /// A time before the expected events.
    pub since: Timestamp,
    /// Services with an event open now or started since `since`.
    pub services: Vec<String>,
}

/// Events are open now or started since the time; the expected ones are there.
pub async fn lists_events_since(
    port: &dyn CloudHealth,
    fixture: &CloudHealthFixture,
) -> CheckResult {
    const CHECK: &str = "cloud_health.lists_events_since";
    let found = port.events(fixture.since).await.during(CHECK)?;
    ensure(
        found
            .iter()
            .all(|e| e.open || e.started_at >= fixture.since),
        CHECK,
        || format!("a closed event from before `since`: {found:?}"),
    )?;
    ensure(
        fixture
            .services
            .iter()
            .all(|s| found.iter().any(|e| &e.service == s)),
        CHECK,
        || format!("expected {:?}, found {found:?}", fixture.services),
    )
}

/// Every cloud-health check.
pub async fn run_all_health(port: &dyn CloudHealth, fixture: &CloudHealthFixture) -> CheckResult {
    run_checks!(port, fixture; lists_events_since)
}
