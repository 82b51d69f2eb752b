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

/// With every source answering, [`read`](Deployments::read) finds what
/// [`since`](Deployments::since) lists, and names no unread source.
pub async fn reads_what_since_lists(
    port: &dyn Deployments,
    fixture: &DeploymentsFixture,
) -> CheckResult {
    const CHECK: &str = "deployments.reads_what_since_lists";
    let listed = port.since(fixture.since).await.during(CHECK)?;
    let read = port.read(fixture.since).await.during(CHECK)?;
    ensure(read.unread.is_empty(), CHECK, || {
        format!("sources unread with every source up: {:?}", read.unread)
    })?;
    ensure(read.deployments == listed, CHECK, || {
        format!("read found {:?}, since listed {listed:?}", read.deployments)
    })
}

/// Every deployments check.
pub async fn run_all_deployments(
    port: &dyn Deployments,
    fixture: &DeploymentsFixture,
) -> CheckResult {
    run_checks!(port, fixture; lists_deployments_since, reads_what_since_lists)
}

/// One health event the harness set up.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct ExpectedHealthEvent {
    /// e.g. `SAGEMAKER`.
    pub service: String,
    /// e.g. `us-east-1`.
    pub region: String,
    /// Whether it is still going on.
    pub open: bool,
}

/// The health events the harness set up.
#[derive(Debug, Clone)]
pub struct CloudHealthFixture {
    /// A time before the expected events.
    pub since: Timestamp,
    /// Every event open now or started since `since` (at least one, open or closed): the port
    /// answers exactly these, in any order.
    pub events: Vec<ExpectedHealthEvent>,
}

/// Events are open now or started since the time: exactly the expected ones.
pub async fn lists_events_since(
    port: &dyn CloudHealth,
    fixture: &CloudHealthFixture,
) -> CheckResult {
    const CHECK: &str = "cloud_health.lists_events_since";
    ensure(!fixture.events.is_empty(), CHECK, || {
        "the fixture expects no health event: seed some, or the check proves nothing".into()
    })?;
    let found = port.events(fixture.since).await.during(CHECK)?;
    ensure(
        found
            .iter()
            .all(|e| e.open || e.started_at >= fixture.since),
        CHECK,
        || format!("a closed event from before `since`: {found:?}"),
    )?;
    let mut seen: Vec<ExpectedHealthEvent> = found
        .iter()
        .map(|e| ExpectedHealthEvent {
            service: e.service.clone(),
            region: e.region.clone(),
            open: e.open,
        })
        .collect();
    seen.sort();
    let mut expected = fixture.events.clone();
    expected.sort();
    ensure(seen == expected, CHECK, || {
        format!("expected {expected:?}, found {found:?}")
    })
}

/// Every cloud-health check.
pub async fn run_all_health(port: &dyn CloudHealth, fixture: &CloudHealthFixture) -> CheckResult {
    run_checks!(port, fixture; lists_events_since)
}
