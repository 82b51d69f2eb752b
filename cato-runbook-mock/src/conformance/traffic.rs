//! What runbooks rely on from [`TrafficControl`]: shifting traffic, loosening the cache,
//! emergency mode.

use cato_runbook_core::ports::{TrafficControl, TrafficState};
use cato_runbook_core::{ErrorKind, IdempotencyKey};

use super::{CheckResult, During, Settle, ensure, refused, run_checks};

/// The traffic controls the harness set up.
#[derive(Debug, Clone)]
pub struct TrafficFixture {
    /// The settings they hold.
    pub state: TrafficState,
    /// Prefix of the idempotency keys the checks use.
    pub key_prefix: String,
    /// How to wait for a setting to show.
    pub settle: Settle,
}

impl TrafficFixture {
    fn key(&self, step: &str) -> IdempotencyKey {
        IdempotencyKey::new(format!("{}:{step}", self.key_prefix))
    }
}

/// The state reports the settings the harness set up.
pub async fn state_reports_settings(
    port: &dyn TrafficControl,
    fixture: &TrafficFixture,
) -> CheckResult {
    const CHECK: &str = "traffic.state_reports_settings";
    let s = port.state().await.during(CHECK)?;
    ensure(s == fixture.state, CHECK, || {
        format!("{s:?}, expected {:?}", fixture.state)
    })
}

async fn apply(
    port: &dyn TrafficControl,
    fixture: &TrafficFixture,
    check: &'static str,
    to: &TrafficState,
    step: &str,
) -> CheckResult {
    port.set_shadow_self_share(to.shadow_self_share, &fixture.key(&format!("{step}-share")))
        .await
        .during(check)?;
    port.set_cache_similarity_threshold(
        to.cache_similarity_threshold,
        &fixture.key(&format!("{step}-threshold")),
    )
    .await
    .during(check)?;
    port.set_emergency_mode(
        to.emergency_mode,
        &fixture.key(&format!("{step}-emergency")),
    )
    .await
    .during(check)?;
    fixture
        .settle
        .until(check, "the new settings", async || {
            let s = port.state().await.during(check)?;
            Ok((&s == to).then_some(()))
        })
        .await
}

/// Each setting shows in the state; setting them back restores it.
pub async fn settings_apply(port: &dyn TrafficControl, fixture: &TrafficFixture) -> CheckResult {
    const CHECK: &str = "traffic.settings_apply";
    let original = port.state().await.during(CHECK)?;
    let changed = TrafficState {
        shadow_self_share: if original.shadow_self_share < 0.5 {
            0.75
        } else {
            0.25
        },
        cache_similarity_threshold: if original.cache_similarity_threshold < 0.5 {
            0.75
        } else {
            0.25
        },
        emergency_mode: !original.emergency_mode,
    };
    apply(port, fixture, CHECK, &changed, "change").await?;
    apply(port, fixture, CHECK, &original, "restore").await
}

/// Values outside 0..=1 are invalid input.
pub async fn out_of_range_is_refused(
    port: &dyn TrafficControl,
    fixture: &TrafficFixture,
) -> CheckResult {
    const CHECK: &str = "traffic.out_of_range_is_refused";
    refused(
        port.set_shadow_self_share(1.5, &fixture.key("bad-share"))
            .await,
        CHECK,
        &[ErrorKind::InvalidInput],
    )?;
    refused(
        port.set_shadow_self_share(f64::NAN, &fixture.key("nan-share"))
            .await,
        CHECK,
        &[ErrorKind::InvalidInput],
    )?;
    refused(
        port.set_cache_similarity_threshold(-0.1, &fixture.key("bad-threshold"))
            .await,
        CHECK,
        &[ErrorKind::InvalidInput],
    )
}

/// Every check.
pub async fn run_all(port: &dyn TrafficControl, fixture: &TrafficFixture) -> CheckResult {
    run_checks!(port, fixture;
        state_reports_settings,
        out_of_range_is_refused,
        settings_apply,
        state_reports_settings,
    )
}
