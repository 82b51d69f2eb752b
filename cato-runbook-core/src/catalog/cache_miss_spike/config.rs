//! The runbook's settings: its thresholds, the invalidations it reads and the node type it moves
//! to.

use std::time::Duration;

use serde::{Deserialize, Serialize};

use super::ID;
use crate::bounds;
use crate::catalog::first_five_minutes;
use crate::catalog::kit::Settings;
use crate::error::Result;

/// Settings of the cache miss spike runbook; each defaults to the runbook's value.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
#[non_exhaustive]
pub struct Config {
    /// The cache: its replication group id, and the name its counters are read under.
    /// `cato-cache`.
    pub cache: String,
    /// A window's hit rate below this is the symptom. 0.70.
    pub hit_rate_below: f64,
    /// Fewest lookups (hits + misses) a window needs to be judged; with fewer it stays open.
    /// 100.
    pub min_lookups: u64,
    /// How long a previous symptom stands while there is no data (no traffic); a healthy look
    /// never stands in for data. 15 min.
    #[serde(with = "humantime_serde")]
    pub no_data_grace: Duration,
    /// Evictions per lookup from which the cache counts as undersized. 0.01.
    pub undersized_eviction_share: f64,
    /// The invalidations metric's namespace. `Custom/Cato`.
    pub invalidations_namespace: String,
    /// The invalidations metric (a count per minute, no dimensions). `CacheInvalidations`.
    pub invalidations_metric: String,
    /// The recent window whose peak minute is compared. 15 min.
    #[serde(with = "humantime_serde")]
    pub invalidations_window: Duration,
    /// The window before it, whose mean is the baseline. 1 h.
    #[serde(with = "humantime_serde")]
    pub invalidations_baseline: Duration,
    /// A peak this many times the baseline is a spike. 3.
    pub invalidation_spike_factor: f64,
    /// … and at least this many invalidations a minute. 10.
    pub invalidation_spike_min_per_minute: f64,
    /// A deployment whose service, version or description contains one of these (any case) is
    /// a learning update. `["learning", "domain"]`.
    pub learning_update_markers: Vec<String>,
    /// How long before detection a learning update counts. 2 h.
    #[serde(with = "humantime_serde")]
    pub learning_update_within: Duration,
    /// The node type an undersized cache moves to. `cache.r7g.2xlarge`.
    pub node_type: String,
    /// The change's estimated added cost, US dollars a month, shown to the approver (two nodes
    /// from `cache.r7g.large` to `cache.r7g.2xlarge` on demand: about $950). 950.
    pub node_type_added_monthly_cost_usd: f64,
    /// When to look at the hit rate after asking for a review. 15 min.
    #[serde(with = "humantime_serde")]
    pub review_verify_after: Duration,
    /// When to verify a node-type change. 30 min.
    #[serde(with = "humantime_serde")]
    pub node_type_verify_after: Duration,
    /// The runbook's "First 5 Minutes": recent deployments, cloud health events, dashboard.
    pub first_five_minutes: first_five_minutes::Config,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            cache: "cato-cache".into(),
            hit_rate_below: 0.70,
            min_lookups: 100,
            no_data_grace: Duration::from_secs(15 * 60),
            undersized_eviction_share: 0.01,
            invalidations_namespace: "Custom/Cato".into(),
            invalidations_metric: "CacheInvalidations".into(),
            invalidations_window: Duration::from_secs(15 * 60),
            invalidations_baseline: Duration::from_secs(3600),
            invalidation_spike_factor: 3.0,
            invalidation_spike_min_per_minute: 10.0,
            learning_update_markers: vec!["learning".into(), "domain".into()],
            learning_update_within: Duration::from_secs(2 * 3600),
            node_type: "cache.r7g.2xlarge".into(),
            node_type_added_monthly_cost_usd: 950.0,
            review_verify_after: Duration::from_secs(15 * 60),
            node_type_verify_after: Duration::from_secs(30 * 60),
            first_five_minutes: first_five_minutes::Config::default(),
        }
    }
}

impl Config {
    /// Checks the values, each number in its range: the rates and shares above 0 and at most 1,
    /// `min_lookups` 1 to 1 000 000, the spike factor 1 to 100 and its floor 0 to 1 000 000 a
    /// minute, the windows a minute to 24 h (the learning updates' up to 7 days), the waits
    /// above 0s and at most 6 h (`no_data_grace` from 0s), the added cost $0 to $10 000 000 a month.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidInput`](crate::ErrorKind::InvalidInput) naming the key.
    pub fn validate(&self) -> Result<()> {
        let s = Settings::of(ID);
        s.not_empty("cache", &self.cache)?;
        for (key, share) in [
            ("hit_rate_below", self.hit_rate_below),
            ("undersized_eviction_share", self.undersized_eviction_share),
        ] {
            s.number(key, share, (0.0, true), 1.0)?;
        }
        s.count("min_lookups", self.min_lookups, 1, bounds::MAX_MIN_COUNT)?;
        s.number(
            "invalidation_spike_factor",
            self.invalidation_spike_factor,
            (1.0, false),
            MAX_SPIKE_FACTOR,
        )?;
        s.number(
            "invalidation_spike_min_per_minute",
            self.invalidation_spike_min_per_minute,
            (0.0, false),
            MAX_MIN_COUNT_F64,
        )?;
        for (key, window) in [
            ("invalidations_window", self.invalidations_window),
            ("invalidations_baseline", self.invalidations_baseline),
        ] {
            s.minute_to(key, window, bounds::MAX_WINDOW)?;
        }
        s.minute_to(
            "learning_update_within",
            self.learning_update_within,
            bounds::MAX_LOOK_BACK,
        )?;
        s.lasting(
            "no_data_grace",
            self.no_data_grace,
            Duration::ZERO,
            bounds::MAX_WAIT,
        )?;
        for (key, wait) in [
            ("review_verify_after", self.review_verify_after),
            ("node_type_verify_after", self.node_type_verify_after),
        ] {
            s.up_to(key, wait, bounds::MAX_WAIT)?;
        }
        s.not_empty("node_type", &self.node_type)?;
        s.not_negative(
            "node_type_added_monthly_cost_usd",
            self.node_type_added_monthly_cost_usd,
            bounds::MAX_MONTHLY_USD,
        )?;
        self.first_five_minutes
            .validate_in(&s.within("first_five_minutes"))
    }
}

/// The most times its baseline a peak of invalidations needs to be a spike.
const MAX_SPIKE_FACTOR: f64 = 100.0;

/// [`bounds::MAX_MIN_COUNT`] as a rate.
const MAX_MIN_COUNT_F64: f64 = 1_000_000.0;
