//! Cache Miss Spike.
//!
//! > **Symptoms:**
//! > - Cache hit rate drops below 70%
//! > - Higher than expected LLM costs
//! > - Increased latency
//! >
//! > **Diagnosis:**
//! > ```bash
//! > # Check cache stats
//! > redis-cli -h cato-cache.xxx.use1.cache.amazonaws.com INFO stats
//! >
//! > # Check for recent cache invalidations
//! > aws cloudwatch get-metric-statistics \
//! >   --namespace Custom/Cato \
//! >   --metric-name CacheInvalidations
//! > ```
//! >
//! > **Mitigation:**
//! > ```bash
//! > # 1. Check if learning update invalidated too much
//! > # Review recent domain updates
//! >
//! > # 2. If cache is undersized, scale up
//! > aws elasticache modify-replication-group \
//! >   --replication-group-id cato-cache \
//! >   --cache-node-type cache.r7g.2xlarge
//! > ```
//! >
//! > **Root Causes:**
//! > - Aggressive cache invalidation after learning
//! > - Cache eviction due to size limits
//! > - Query pattern change
//!
//! # As code
//!
//! **Symptom.** `cache-hit-rate` reads the Redis counters (`INFO stats`) every tick and judges
//! the hit rate of the window since the previous sample, from counter deltas — never from the
//! lifetime counters, which would hide a spike under weeks of good hits. A server restart or a
//! `CONFIG RESETSTAT` starts the window again from zero. A window needs `min_lookups` lookups:
//! with fewer, it stays open. No data is never read as healthy or sick: a previous symptom
//! stands for up to `no_data_grace`, and otherwise (a previous healthy look included) the
//! detector reports that it cannot tell (the engine's *unknown*). Higher LLM costs and latency follow from the misses; the symptom
//! says so, and the budget and high-latency runbooks watch them.
//!
//! **Severity: SEV3**, the runbook's own example. A miss is still answered, by the LLM, slower
//! and dearer: the impact is the share of lookups that miss, counted as at most 49 % of users
//! (minor degradation). Users who see a real slowdown are the high-latency runbook's SEV2.
//!
//! **Diagnosis.** `cache-stats`: hits, misses and evictions in the window, evictions per lookup
//! (from `undersized_eviction_share` on, the cache is undersized); `cache-invalidations`: the
//! `Custom/Cato` `CacheInvalidations` per minute in the last `invalidations_window` against the
//! `invalidations_baseline` before it, and the recent deployments that look like a learning
//! update (`learning_update_markers`, within `learning_update_within` of detection);
//! `replication-group`: the node type (`describe-replication-groups`). Root causes are ranked
//! from that evidence: a spike after a learning update points at aggressive invalidation,
//! evictions at the cache's size, a drop with neither at a query pattern change.
//!
//! **Ladder.**
//! 1. `review-invalidations` — when invalidations spiked: records the spike and the learning
//!    update and asks people (in the incident's channel) to review the recent domain updates.
//!    Read-only: nothing changes automatically. Verified `review_verify_after` later by the hit
//!    rate since: recovered, the incident resolves; still low, the ladder moves on.
//! 2. `modify-cache-node-type` — when evictions show an undersized cache and the node type is not
//!    already `node_type`: `modify-replication-group --cache-node-type cache.r7g.2xlarge`, always
//!    behind an operator's approval (disruptive: risk high). Verified `node_type_verify_after`
//!    later: the group must be `available` with the new type (a change stays `modifying` for a
//!    quarter of an hour or more), and the hit rate measured since must be back above the
//!    threshold. Not undone automatically.
//!
//! Denied, lapsed or exhausted: the incident stays open and goes to people.
//!
//! # Configuration
//!
//! `[runbooks.cache-miss-spike]`, every key optional:
//!
//! ```toml
//! [runbooks.cache-miss-spike]
//! cache = "cato-cache"
//! hit_rate_below = 0.70                    # above 0, at most 1
//! min_lookups = 100                        # 1 to 1 000 000
//! no_data_grace = "15m"                    # 0s to 6h
//! undersized_eviction_share = 0.01         # above 0, at most 1
//! invalidations_namespace = "Custom/Cato"
//! invalidations_metric = "CacheInvalidations"
//! invalidations_window = "15m"             # 1m to 24h
//! invalidations_baseline = "1h"            # 1m to 24h
//! invalidation_spike_factor = 3.0          # 1 to 100
//! invalidation_spike_min_per_minute = 10.0 # 0 to 1 000 000
//! learning_update_markers = ["learning", "domain"]
//! learning_update_within = "2h"            # 1m to 7 days
//! node_type = "cache.r7g.2xlarge"
//! node_type_added_monthly_cost_usd = 950.0 # $0 to $10 000 000
//! review_verify_after = "15m"              # above 0s, at most 6h
//! node_type_verify_after = "30m"           # above 0s, at most 6h
//! ```
//!
//! A value outside its range is refused, naming the key.

mod config;
mod detect;
mod diagnose;
mod steps;
#[cfg(test)]
mod tests;
mod window;

use std::sync::Arc;

pub use config::Config;

use self::detect::HitRateDetector;
use self::diagnose::{CacheStatsDiagnosis, InvalidationsDiagnosis, ReplicationGroupDiagnosis};
use self::steps::{ModifyNodeType, ReviewInvalidations};
use self::window::HitRateMonitor;
use super::first_five_minutes;
use super::{CatalogConfig, Entry, PortName, Providers};
use crate::error::Result;
use crate::runbook::{Runbook, SeverityRule};

/// The runbook's id.
pub const ID: &str = "cache-miss-spike";

/// The ports it needs; recent deployments are used when configured.
const NEEDS: &[PortName] = &[
    PortName::CacheStats,
    PortName::CacheCluster,
    PortName::Metrics,
];

/// The catalog's entry.
pub const ENTRY: Entry = Entry {
    id: ID,
    title: "Cache Miss Spike",
    needs: NEEDS,
    steps: &["review-invalidations", "modify-cache-node-type"],
    build,
};

/// Builds the runbook over `providers`.
///
/// # Errors
///
/// A port it needs is missing, or the config is invalid.
pub fn build(providers: &Providers, catalog: &CatalogConfig) -> Result<Runbook> {
    let config = &catalog.cache_miss_spike;
    providers.require(ID, NEEDS)?;
    config.validate()?;
    let stats = providers.cache_stats(ID)?;
    let cluster = providers.cache_cluster(ID)?;
    let metrics = providers.metrics(ID)?;
    let monitor = Arc::new(HitRateMonitor::new(
        stats.clone(),
        config.cache.clone(),
        config.min_lookups,
    ));
    let threshold = config.hit_rate_below;
    let fresh = config.no_data_grace;
    let builder = first_five_minutes::add_to(
        Runbook::builder(ID, ENTRY.title),
        providers,
        &config.first_five_minutes,
        &["ELASTICACHE"],
    )?;
    builder
        .severity(SeverityRule::Assess)
        .detector(Arc::new(HitRateDetector::new(
            monitor.clone(),
            threshold,
            config.no_data_grace,
        )))
        .diagnosis(Arc::new(CacheStatsDiagnosis {
            monitor: monitor.clone(),
            stats,
            cache: config.cache.clone(),
            undersized_eviction_share: config.undersized_eviction_share,
        }))
        .diagnosis(Arc::new(InvalidationsDiagnosis {
            metrics,
            deployments: providers.deployments(ID).ok(),
            config: config.clone(),
        }))
        .diagnosis(Arc::new(ReplicationGroupDiagnosis {
            cluster: cluster.clone(),
            cache: config.cache.clone(),
        }))
        .step(Arc::new(ReviewInvalidations {
            monitor: monitor.clone(),
            threshold,
            verify_after: config.review_verify_after,
            fresh,
        }))
        .step(Arc::new(ModifyNodeType {
            cluster,
            monitor,
            cache: config.cache.clone(),
            node_type: config.node_type.clone(),
            added_monthly_cost_usd: config.node_type_added_monthly_cost_usd,
            threshold,
            verify_after: config.node_type_verify_after,
            fresh,
        }))
        .build()
}
