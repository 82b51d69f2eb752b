//! What runbooks rely on from [`TrafficControl`]: shifting traffic, loosening the cache,
//! emergency mode, failing Shadow Self over to another region.

use std::collections::BTreeMap;

use cato_runbook_core::ports::{REGION_WEIGHTS_TOLERANCE, TrafficControl, TrafficState};
use cato_runbook_core::{ErrorKind, IdempotencyKey};

use super::{CheckResult, During, Settle, ensure, refused, run_checks};

/// The traffic controls the harness set up.
#[derive(Debug, Clone)]
pub struct TrafficFixture {
    /// The settings they hold; with two regions or more in its `regions`, the region checks
    /// shift Shadow Self traffic between them.
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
        regions: original.regions.clone(),
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
    )?;
    let half = split(&[("us-east-1", 0.25), ("us-west-2", 0.25)]);
    let negative = split(&[("us-east-1", -0.5), ("us-west-2", 1.5)]);
    let nan = split(&[("us-east-1", f64::NAN), ("us-west-2", 1.0)]);
    for (name, bad) in [
        ("half", half),
        ("negative", negative),
        ("nan", nan),
        ("empty", BTreeMap::new()),
    ] {
        let key = fixture.key(&format!("bad-regions-{name}"));
        refused(
            port.set_region_weights(&bad, &key).await,
            CHECK,
            &[ErrorKind::InvalidInput],
        )?;
    }
    Ok(())
}

fn split(shares: &[(&str, f64)]) -> BTreeMap<String, f64> {
    shares.iter().map(|(r, w)| ((*r).to_owned(), *w)).collect()
}

fn same_split(a: &BTreeMap<String, f64>, b: &BTreeMap<String, f64>) -> bool {
    let close = |(region, weight): (&String, &f64)| {
        let other = b.get(region).copied().unwrap_or(f64::NAN);
        (other - weight).abs() <= REGION_WEIGHTS_TOLERANCE
    };
    a.len() == b.len() && a.iter().all(close)
}

async fn shift(
    port: &dyn TrafficControl,
    fixture: &TrafficFixture,
    check: &'static str,
    to: &BTreeMap<String, f64>,
    step: &str,
) -> CheckResult {
    port.set_region_weights(to, &fixture.key(&format!("{step}-regions")))
        .await
        .during(check)?;
    fixture
        .settle
        .until(check, "the new split of Shadow Self traffic", async || {
            let s = port.state().await.during(check)?;
            Ok(same_split(&s.regions, to).then_some(()))
        })
        .await
}

/// All of Shadow Self traffic moves to the region that had the least of it (a failover), then
/// the split is restored; nothing to shift with fewer than two regions.
pub async fn region_weights_apply(
    port: &dyn TrafficControl,
    fixture: &TrafficFixture,
) -> CheckResult {
    const CHECK: &str = "traffic.region_weights_apply";
    let original = port.state().await.during(CHECK)?.regions;
    let mut by_share: Vec<(&String, &f64)> = original.iter().collect();
    by_share.sort_by(|a, b| a.1.total_cmp(b.1));
    let [(least, _), _, ..] = by_share.as_slice() else {
        return Ok(());
    };
    let failover: BTreeMap<String, f64> = original
        .keys()
        .map(|r| (r.clone(), if r == *least { 1.0 } else { 0.0 }))
        .collect();
    shift(port, fixture, CHECK, &failover, "failover").await?;
    shift(port, fixture, CHECK, &original, "failback").await
}

/// Every check.
pub async fn run_all(port: &dyn TrafficControl, fixture: &TrafficFixture) -> CheckResult {
    run_checks!(port, fixture;
        state_reports_settings,
        out_of_range_is_refused,
        settings_apply,
        region_weights_apply,
        state_reports_settings,
    )
}
