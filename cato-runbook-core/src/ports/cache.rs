//! The cache ports: hit/miss counters (Redis `INFO stats`) and the cluster (ElastiCache).

use std::fmt;

use async_trait::async_trait;
use serde::{Deserialize, Serialize};

use crate::error::Result;
use crate::incident::IdempotencyKey;
use crate::time::Timestamp;

/// Lifetime counters of a cache server at one moment (`INFO stats`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CacheCounters {
    /// When they were read.
    pub at: Timestamp,
    /// Identifies one server run (Redis `run_id`): a change means the counters restarted.
    pub run_id: Option<String>,
    /// `keyspace_hits`.
    pub hits: u64,
    /// `keyspace_misses`.
    pub misses: u64,
    /// `evicted_keys`.
    pub evictions: u64,
    /// `expired_keys`.
    pub expirations: u64,
}

impl CacheCounters {
    /// Hits and misses since the server started, `u64::MAX` at most (the counters come from
    /// the server: their sum must not overflow).
    pub fn lookups(&self) -> u64 {
        self.hits.saturating_add(self.misses)
    }
}

/// What happened between two [`CacheCounters`] samples.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct CacheWindow {
    /// Hits in the window.
    pub hits: u64,
    /// Misses in the window.
    pub misses: u64,
    /// Evictions in the window.
    pub evictions: u64,
    /// Whether the counters restarted in the window (then the window starts at zero).
    pub reset: bool,
}

impl CacheWindow {
    /// The window from `earlier` to `later`, from counter deltas. When the counters restarted
    /// (another `run_id`, or any counter went down: `CONFIG RESETSTAT`), the later sample's
    /// counters are the whole window.
    pub fn between(earlier: &CacheCounters, later: &CacheCounters) -> CacheWindow {
        let reset = earlier.run_id != later.run_id
            || later.hits < earlier.hits
            || later.misses < earlier.misses
            || later.evictions < earlier.evictions;
        if reset {
            CacheWindow {
                hits: later.hits,
                misses: later.misses,
                evictions: later.evictions,
                reset,
            }
        } else {
            CacheWindow {
                hits: later.hits.saturating_sub(earlier.hits),
                misses: later.misses.saturating_sub(earlier.misses),
                evictions: later.evictions.saturating_sub(earlier.evictions),
                reset,
            }
        }
    }

    /// Hits and misses in the window, `u64::MAX` at most.
    pub fn lookups(&self) -> u64 {
        self.hits.saturating_add(self.misses)
    }

    /// Hits / (hits + misses), or `None` when there was no traffic ("no data", never 0 % or
    /// 100 %). Counters near `u64::MAX` give a rate within 0–1, never an overflow.
    pub fn hit_rate(&self) -> Option<f64> {
        let hits = self.hits as f64;
        let total = hits + self.misses as f64;
        (total > 0.0).then(|| hits / total)
    }
}

/// Reads a cache server's counters.
#[async_trait]
pub trait CacheStats: fmt::Debug + fmt::Display + Send + Sync {
    /// The counters of `cache` now.
    async fn counters(&self, cache: &str) -> Result<CacheCounters>;
}

/// A cache cluster's shape (`describe-replication-groups`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CacheClusterState {
    /// The replication group id, e.g. `cato-cache`.
    pub id: String,
    /// `available`, `modifying`, …
    pub status: String,
    /// e.g. `cache.r7g.large`.
    pub node_type: String,
    /// Nodes in the group.
    pub nodes: u32,
}

/// A managed cache cluster service.
#[async_trait]
pub trait CacheCluster: fmt::Debug + fmt::Display + Send + Sync {
    /// `describe-replication-groups`.
    async fn describe(&self, id: &str) -> Result<CacheClusterState>;

    /// `modify-replication-group --cache-node-type`.
    async fn modify_node_type(&self, id: &str, node_type: &str, key: &IdempotencyKey)
    -> Result<()>;
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample(run: &str, hits: u64, misses: u64, evictions: u64) -> CacheCounters {
        CacheCounters {
            at: chrono::DateTime::UNIX_EPOCH,
            run_id: Some(run.into()),
            hits,
            misses,
            evictions,
            expirations: 0,
        }
    }

    #[test]
    fn window_from_deltas() {
        let w = CacheWindow::between(&sample("a", 1000, 100, 5), &sample("a", 1060, 140, 9));
        assert_eq!((w.hits, w.misses, w.evictions, w.reset), (60, 40, 4, false));
        assert_eq!(w.hit_rate(), Some(0.6));
    }

    #[test]
    fn window_across_a_reset() {
        // CONFIG RESETSTAT: counters go down.
        let w = CacheWindow::between(&sample("a", 1000, 100, 5), &sample("a", 30, 70, 0));
        assert!(w.reset);
        assert_eq!(w.hit_rate(), Some(0.3));
        // Restart: new run id, even if counters happen to be higher.
        let w = CacheWindow::between(&sample("a", 10, 10, 0), &sample("b", 50, 50, 0));
        assert!(w.reset);
        assert_eq!((w.hits, w.misses), (50, 50));
    }

    #[test]
    fn counters_near_the_top_of_u64_saturate_instead_of_overflowing() {
        let top = sample("a", u64::MAX, u64::MAX, u64::MAX);
        assert_eq!(top.lookups(), u64::MAX);
        let w = CacheWindow::between(&sample("a", 0, 0, 0), &top);
        assert_eq!(w.lookups(), u64::MAX);
        assert_eq!(w.hit_rate(), Some(0.5));
        let w = CacheWindow::between(&sample("a", 1, 0, 0), &sample("a", u64::MAX, 0, 0));
        assert_eq!(
            (w.hits, w.lookups(), w.hit_rate()),
            (u64::MAX - 1, u64::MAX - 1, Some(1.0))
        );
    }

    #[test]
    fn no_traffic_is_no_data() {
        let w = CacheWindow::between(&sample("a", 10, 10, 0), &sample("a", 10, 10, 0));
        assert_eq!(w.hit_rate(), None);
    }
}
