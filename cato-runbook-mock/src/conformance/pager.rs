//! What runbooks rely on from a [`Pager`]: PagerDuty Events v2's trigger, acknowledge and
//! resolve under a dedup key.
//!
//! The Events API answers every well-formed event with "accepted" and decides later what it
//! does with it, so these checks can only see what the port answers: every step of an alert's
//! life is accepted, including the ones PagerDuty drops (acknowledging a resolved alert), and
//! malformed events are refused. The fake's own tests check what happens to the alerts.

use std::collections::BTreeMap;

use cato_runbook_core::ErrorKind;
use cato_runbook_core::ports::{Page, PageSeverity, Pager};

use super::{CheckResult, During, refused, run_checks};

/// Where the checks page.
#[derive(Debug, Clone)]
pub struct PagerFixture {
    /// A routing name that exists.
    pub target: String,
    /// Prefix of the dedup keys the checks use.
    pub key_prefix: String,
}

fn page(fixture: &PagerFixture, key: &str, summary: &str) -> Page {
    Page {
        target: fixture.target.clone(),
        dedup_key: format!("{}-{key}", fixture.key_prefix),
        summary: summary.into(),
        source: "cato-shadow-self".into(),
        component: "conformance".into(),
        severity: PageSeverity::Warning,
        details: BTreeMap::new(),
    }
}

/// Trigger, re-trigger, acknowledge, resolve, acknowledge and resolve again (dropped), trigger
/// again (a new alert), resolve: every event is accepted.
pub async fn alert_lifecycle_is_accepted(port: &dyn Pager, fixture: &PagerFixture) -> CheckResult {
    const CHECK: &str = "pager.alert_lifecycle_is_accepted";
    let p = page(fixture, "lifecycle", "conformance check: alert lifecycle");
    let (target, key) = (&p.target, &p.dedup_key);
    port.trigger(&p).await.during(CHECK)?;
    port.trigger(&p).await.during(CHECK)?;
    port.acknowledge(target, key).await.during(CHECK)?;
    port.resolve(target, key).await.during(CHECK)?;
    port.acknowledge(target, key).await.during(CHECK)?;
    port.resolve(target, key).await.during(CHECK)?;
    port.trigger(&p).await.during(CHECK)?;
    port.resolve(target, key).await.during(CHECK)
}

/// Acknowledging or resolving a key that never paged is accepted (and dropped).
pub async fn unknown_key_is_accepted(port: &dyn Pager, fixture: &PagerFixture) -> CheckResult {
    const CHECK: &str = "pager.unknown_key_is_accepted";
    let key = format!("{}-never-triggered", fixture.key_prefix);
    port.acknowledge(&fixture.target, &key)
        .await
        .during(CHECK)?;
    port.resolve(&fixture.target, &key).await.during(CHECK)
}

/// A trigger without a summary is invalid input, as PagerDuty's 400 says.
pub async fn empty_summary_is_refused(port: &dyn Pager, fixture: &PagerFixture) -> CheckResult {
    refused(
        port.trigger(&page(fixture, "empty", "")).await,
        "pager.empty_summary_is_refused",
        &[ErrorKind::InvalidInput],
    )
}

/// Every check.
pub async fn run_all(port: &dyn Pager, fixture: &PagerFixture) -> CheckResult {
    run_checks!(port, fixture; alert_lifecycle_is_accepted, unknown_key_is_accepted, empty_summary_is_refused)
}
