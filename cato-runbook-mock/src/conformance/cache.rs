//! What runbooks rely on from [`CacheStats`] (`INFO stats`) and [`CacheCluster`]
//! (`modify-replication-group`).

use cato_runbook_core::ports::{CacheCluster, CacheCounters, CacheStats, CacheWindow};
use cato_runbook_core::{ErrorKind, IdempotencyKey};

use super::{CheckResult, During, Settle, ensure, refused, run_checks};

/// The cache server the harness set up.
#[derive(Debug, Clone)]
pub struct CacheStatsFixture {
    /// The cache.
    pub cache: String,
    /// A cache that does not exist.
    pub missing: String,
    /// The hit rate of the traffic the harness sends it (hits over lookups, e.g. `0.85`), which
    /// a window of the counters must show; `None` when it sends none.
    pub hit_rate: Option<f64>,
    /// How to wait for traffic.
    pub settle: Settle,
}

/// Lookups a window must hold before its hit rate is compared with the fixture's.
const MIN_LOOKUPS: u64 = 200;

/// Two reads of the counters make a window: same run, counters never go down, and over the
/// harness's traffic the hit rate it sends.
pub async fn counters_make_a_window(
    port: &dyn CacheStats,
    fixture: &CacheStatsFixture,
) -> CheckResult {
    const CHECK: &str = "cache_stats.counters_make_a_window";
    let first = port.counters(&fixture.cache).await.during(CHECK)?;
    let second = port.counters(&fixture.cache).await.during(CHECK)?;
    ensure(second.at >= first.at, CHECK, || {
        "time went backwards".into()
    })?;
    let window = CacheWindow::between(&first, &second);
    ensure(!window.reset, CHECK, || {
        format!("counters restarted between two reads: {first:?} → {second:?}")
    })?;
    let Some(expected) = fixture.hit_rate else {
        return Ok(());
    };
    let before = second;
    let lookups_since =
        |c: &CacheCounters| (c.hits + c.misses).saturating_sub(before.hits + before.misses);
    let grown = fixture
        .settle
        .until(CHECK, "traffic to show in the counters", async || {
            let now = port.counters(&fixture.cache).await.during(CHECK)?;
            Ok((lookups_since(&now) >= MIN_LOOKUPS).then_some(now))
        })
        .await?;
    let window = CacheWindow::between(&before, &grown);
    ensure(!window.reset, CHECK, || {
        format!("counters restarted under traffic: {before:?} → {grown:?}")
    })?;
    // Counters are whole numbers read at two instants: each end may be one lookup off.
    let lookups = lookups_since(&grown);
    let tolerance = 2.0 / lookups as f64;
    let rate = window.hit_rate();
    ensure(
        rate.is_some_and(|r| (r - expected).abs() <= tolerance),
        CHECK,
        || {
            format!(
                "hit rate {rate:?} over {lookups} lookups, expected {expected} (± {tolerance:.4}): \
                 {window:?}"
            )
        },
    )
}

/// Counters of a cache that does not exist: `NotFound`.
pub async fn unknown_cache_is_not_found(
    port: &dyn CacheStats,
    fixture: &CacheStatsFixture,
) -> CheckResult {
    refused(
        port.counters(&fixture.missing).await,
        "cache_stats.unknown_cache_is_not_found",
        &[ErrorKind::NotFound],
    )
}

/// Every cache-stats check.
pub async fn run_all_stats(port: &dyn CacheStats, fixture: &CacheStatsFixture) -> CheckResult {
    run_checks!(port, fixture; counters_make_a_window, unknown_cache_is_not_found)
}

/// The replication group the harness set up.
#[derive(Debug, Clone)]
pub struct CacheClusterFixture {
    /// Its id.
    pub id: String,
    /// Its node type.
    pub node_type: String,
    /// A larger node type to move to (and back from).
    pub larger_node_type: String,
    /// A group that does not exist.
    pub missing: String,
    /// Prefix of the idempotency keys the checks use.
    pub key_prefix: String,
    /// How to wait for a modification.
    pub settle: Settle,
}

/// `describe` reports the group available with its node type.
pub async fn describe_reports_node_type(
    port: &dyn CacheCluster,
    fixture: &CacheClusterFixture,
) -> CheckResult {
    const CHECK: &str = "cache_cluster.describe_reports_node_type";
    let s = port.describe(&fixture.id).await.during(CHECK)?;
    ensure(
        s.id == fixture.id
            && s.node_type == fixture.node_type
            && s.status == "available"
            && s.nodes > 0,
        CHECK,
        || format!("{s:?}"),
    )
}

async fn modify_and_wait(
    port: &dyn CacheCluster,
    fixture: &CacheClusterFixture,
    check: &'static str,
    to: &str,
    step: &str,
) -> CheckResult {
    let key = IdempotencyKey::new(format!("{}:{step}", fixture.key_prefix));
    port.modify_node_type(&fixture.id, to, &key)
        .await
        .during(check)?;
    port.modify_node_type(&fixture.id, to, &key)
        .await
        .during(check)?;
    fixture
        .settle
        .until(check, "the node-type change", async || {
            let s = port.describe(&fixture.id).await.during(check)?;
            Ok((s.node_type == to && s.status == "available").then_some(()))
        })
        .await
}

/// A node-type change ends with the group available on the new type; a repeat with the same
/// key is harmless.
pub async fn modify_node_type_converges(
    port: &dyn CacheCluster,
    fixture: &CacheClusterFixture,
) -> CheckResult {
    const CHECK: &str = "cache_cluster.modify_node_type_converges";
    modify_and_wait(port, fixture, CHECK, &fixture.larger_node_type, "scale-up").await?;
    modify_and_wait(port, fixture, CHECK, &fixture.node_type, "scale-back").await
}

/// An unknown group is `NotFound`; a node type that does not exist is invalid input.
pub async fn refuses_bad_requests(
    port: &dyn CacheCluster,
    fixture: &CacheClusterFixture,
) -> CheckResult {
    const CHECK: &str = "cache_cluster.refuses_bad_requests";
    let key = IdempotencyKey::new(format!("{}:bad", fixture.key_prefix));
    refused(
        port.describe(&fixture.missing).await,
        CHECK,
        &[ErrorKind::NotFound],
    )?;
    refused(
        port.modify_node_type(&fixture.id, "cache.nonexistent.huge", &key)
            .await,
        CHECK,
        &[ErrorKind::InvalidInput],
    )
}

/// Every cache-cluster check.
pub async fn run_all_cluster(
    port: &dyn CacheCluster,
    fixture: &CacheClusterFixture,
) -> CheckResult {
    run_checks!(port, fixture;
        describe_reports_node_type,
        refuses_bad_requests,
        modify_node_type_converges,
        describe_reports_node_type,
    )
}
