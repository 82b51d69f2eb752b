//! What the state implies: how traffic flows through cache, Shadow Self and Bedrock, how busy
//! each service is, and what that costs.

use cato_runbook_core::time::{self, Timestamp};

use super::models::{Counters, EndpointModel, TableModel};
use super::state::State;

/// Usable memory of one cache node, GiB, by node type; `None` for an unknown type.
pub(crate) fn node_memory_gib(node_type: &str) -> Option<f64> {
    let size = node_type.strip_prefix("cache.")?;
    let (family, class) = size.split_once('.')?;
    let memory_optimised = [
        ("large", 13.07),
        ("xlarge", 26.32),
        ("2xlarge", 52.82),
        ("4xlarge", 105.81),
        ("8xlarge", 209.55),
        ("12xlarge", 317.77),
        ("16xlarge", 419.09),
    ];
    let general = [
        ("large", 6.38),
        ("xlarge", 12.93),
        ("2xlarge", 26.04),
        ("4xlarge", 52.26),
        ("12xlarge", 157.12),
        ("16xlarge", 209.55),
    ];
    let burstable = [("micro", 0.5), ("small", 1.37), ("medium", 3.09)];
    let table: &[(&str, f64)] = match family {
        "r7g" | "r6g" | "r6gd" | "r5" => &memory_optimised,
        "m7g" | "m6g" | "m5" => &general,
        "t4g" | "t3" => &burstable,
        _ => return None,
    };
    table.iter().find(|(c, _)| *c == class).map(|(_, gib)| *gib)
}

/// Share of memory Redis may use for data (ElastiCache reserves 25 % by default).
const USABLE_MEMORY: f64 = 0.75;
/// Share of over-the-memory lookups that evict a key.
const EVICTIONS_PER_SHORTFALL: f64 = 0.5;
/// Utilisation beyond which queueing no longer grows latency (requests fail instead).
const MAX_UTILISATION: f64 = 0.95;
/// A partition's most read and write capacity units per second.
const PARTITION_READ_LIMIT: f64 = 3000.0;
const PARTITION_WRITE_LIMIT: f64 = 1000.0;

/// The load on one endpoint over a minute.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct EndpointLoad {
    /// Requests sent per minute.
    pub offered_rpm: f64,
    /// Instances serving.
    pub instances: u32,
    /// Share of requests answered 5XX.
    pub error_share: f64,
    /// Median model latency, milliseconds.
    pub median_ms: f64,
    /// σ of the latency's logarithm.
    pub sigma: f64,
}

/// A table's load, capacity units per second.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub(crate) struct TableLoad {
    pub consumed_read: f64,
    pub consumed_write: f64,
    pub throttled_read: f64,
    pub throttled_write: f64,
}

/// A cache's counter rates, per second.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub(crate) struct CacheRates {
    pub hits: f64,
    pub misses: f64,
    pub evictions: f64,
    pub expirations: f64,
}

/// The median latency of a queue at `utilisation` whose idle latency is `idle_ms`.
pub(crate) fn queueing_ms(idle_ms: f64, utilisation: f64) -> f64 {
    idle_ms / (1.0 - utilisation.clamp(0.0, MAX_UTILISATION))
}

impl State {
    /// The share of lookups cache `i` answers.
    pub(crate) fn cache_hit_ratio(&self, i: usize) -> f64 {
        let Some(cache) = self.caches.get(i) else {
            return 0.0;
        };
        let t = &self.traffic;
        let tuned = cache.base_hit_ratio + (t.threshold_start - t.threshold) * t.sensitivity;
        tuned.clamp(0.0, 0.99) * self.cache_memory_factor(i)
    }

    /// Usable memory over working set, at most 1.
    fn cache_memory_factor(&self, i: usize) -> f64 {
        let Some(cache) = self.caches.get(i) else {
            return 1.0;
        };
        let memory = node_memory_gib(&cache.node_type).unwrap_or(0.0) * USABLE_MEMORY;
        if cache.working_set_gib <= memory || cache.working_set_gib <= 0.0 {
            1.0
        } else {
            memory / cache.working_set_gib
        }
    }

    pub(crate) fn cache_rates(&self, i: usize) -> CacheRates {
        let Some(cache) = self.caches.get(i) else {
            return CacheRates::default();
        };
        let lookups = self.traffic.requests_per_minute / 60.0;
        let hit = self.cache_hit_ratio(i);
        CacheRates {
            hits: lookups * hit,
            misses: lookups * (1.0 - hit),
            evictions: lookups * (1.0 - self.cache_memory_factor(i)) * EVICTIONS_PER_SHORTFALL,
            expirations: cache.expirations_per_second,
        }
    }

    /// Cache `i`'s counters at `at` (not before its last change).
    pub(crate) fn cache_counters(&self, i: usize, at: Timestamp) -> Counters {
        let Some(cache) = self.caches.get(i) else {
            return Counters::default();
        };
        let secs = time::elapsed(cache.counted_at, at).as_secs_f64();
        let r = self.cache_rates(i);
        Counters {
            hits: cache.counters.hits + r.hits * secs,
            misses: cache.counters.misses + r.misses * secs,
            evictions: cache.counters.evictions + r.evictions * secs,
            expirations: cache.counters.expirations + r.expirations * secs,
        }
    }

    /// LLM calls per minute: user requests the semantic cache (the first one) missed, fewer in
    /// emergency mode.
    pub(crate) fn llm_rpm(&self) -> f64 {
        let t = &self.traffic;
        let factor = if t.emergency_mode {
            t.emergency_load_factor
        } else {
            1.0
        };
        t.requests_per_minute * (1.0 - self.cache_hit_ratio(0)) * factor
    }

    /// LLM calls per minute sent to Shadow Self.
    pub(crate) fn shadow_rpm(&self) -> f64 {
        self.llm_rpm() * self.traffic.shadow_self_share
    }

    /// LLM calls per minute sent to Bedrock.
    pub(crate) fn bedrock_rpm(&self) -> f64 {
        self.llm_rpm() * (1.0 - self.traffic.shadow_self_share)
    }

    /// The share of Bedrock calls throttled: beyond the requests-per-minute quota, or imposed.
    pub(crate) fn bedrock_throttled_share(&self, quota: Option<f64>) -> f64 {
        let rpm = self.bedrock_rpm();
        let excess = match quota {
            Some(limit) if rpm > limit && rpm > 0.0 => 1.0 - limit / rpm,
            _ => 0.0,
        };
        excess.max(self.bedrock_forced_throttle).clamp(0.0, 1.0)
    }

    /// The LLM spend rate, dollars an hour.
    pub(crate) fn spend_rate_per_hour_with(&self, quota: Option<f64>) -> f64 {
        let b = &self.budget;
        if let Some(rate) = b.fixed_rate {
            return rate;
        }
        let served = self.bedrock_rpm() * (1.0 - self.bedrock_throttled_share(quota));
        served * 60.0 * b.usd_per_bedrock_request + b.curiosity_usd_per_hour
    }

    pub(crate) fn spend_rate_per_hour(&self) -> f64 {
        self.spend_rate_per_hour_with(self.bedrock_quota())
    }

    /// The Bedrock requests-per-minute quota in force, if one is configured.
    pub(crate) fn bedrock_quota(&self) -> Option<f64> {
        self.quotas.first().map(|q| q.value)
    }

    /// The share of Shadow Self traffic `region` (`None`: the home region) serves: all of it in
    /// the home region while the traffic controls do not split by region.
    pub(crate) fn region_share(&self, region: Option<&str>) -> f64 {
        let t = &self.traffic;
        if t.regions.is_empty() {
            return if region.is_none() { 1.0 } else { 0.0 };
        }
        let name = region.unwrap_or(t.home_region.as_str());
        t.regions.get(name).copied().unwrap_or(0.0)
    }

    pub(crate) fn endpoint_load(&self, endpoint: &EndpointModel) -> EndpointLoad {
        let region = self.region_share(endpoint.region.as_deref());
        let offered = self.shadow_rpm() * endpoint.load_share * region;
        let instances = endpoint.serving();
        let capacity = f64::from(instances) * endpoint.per_instance_rpm;
        let utilisation = if capacity > 0.0 {
            offered / capacity
        } else {
            f64::INFINITY
        };
        let overload = if utilisation > 1.0 {
            1.0 - 1.0 / utilisation
        } else {
            0.0
        };
        let error_share = if instances == 0 {
            1.0
        } else {
            overload.max(endpoint.error_rate).clamp(0.0, 1.0)
        };
        EndpointLoad {
            offered_rpm: offered,
            instances,
            error_share,
            median_ms: queueing_ms(endpoint.latency_ms * endpoint.latency_factor, utilisation),
            sigma: endpoint.sigma,
        }
    }

    /// The orchestrator's (first workload's) median overhead per request at `at`, ms.
    pub(crate) fn orchestrator_overhead_ms(&self, at: Timestamp) -> Option<f64> {
        let w = self.workloads.first()?;
        let capacity = f64::from(w.ready(at)) * w.per_replica_rpm;
        let utilisation = if capacity > 0.0 {
            self.traffic.requests_per_minute / capacity
        } else {
            f64::INFINITY
        };
        Some(queueing_ms(w.overhead_ms, utilisation))
    }

    pub(crate) fn table_load(&self, name: &str) -> TableLoad {
        self.table(name)
            .map_or_else(TableLoad::default, |t| self.load_of_table(t))
    }

    /// [`table_load`](Self::table_load) of a table in hand (no lookup by name).
    pub(crate) fn load_of_table(&self, t: &TableModel) -> TableLoad {
        let provisioned = t.billing_mode == cato_runbook_core::ports::BillingMode::Provisioned;
        let throttled = |demand: f64, capacity: u64, partition: f64| {
            let over_capacity = if provisioned {
                (demand - capacity as f64).max(0.0)
            } else {
                0.0
            };
            let over_partition = (demand * t.hot_partition_share - partition).max(0.0);
            over_capacity.max(over_partition).min(demand)
        };
        let throttled_read = throttled(t.read_demand, t.read_capacity, PARTITION_READ_LIMIT);
        let throttled_write = throttled(t.write_demand, t.write_capacity, PARTITION_WRITE_LIMIT);
        TableLoad {
            consumed_read: t.read_demand - throttled_read,
            consumed_write: t.write_demand - throttled_write,
            throttled_read,
            throttled_write,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::WorldConfig;

    #[test]
    fn default_world_is_healthy() {
        let s = State::from_config(&WorldConfig::default());
        let hit = s.cache_hit_ratio(0);
        assert!((hit - 0.85).abs() < 1e-9, "{hit}");
        let load = s.endpoint_load(&s.endpoints[0]);
        assert_eq!(load.instances, 10);
        assert_eq!(load.error_share, 0.0);
        assert!(load.median_ms < 700.0, "{load:?}");
        assert_eq!(s.bedrock_throttled_share(s.bedrock_quota()), 0.0);
        assert_eq!(s.table_load("cato-semantic-memory").throttled_read, 0.0);
        let rate = s.spend_rate_per_hour();
        assert!(rate > 0.5 && rate < 2.0, "{rate}");
    }

    #[test]
    fn node_types() {
        assert_eq!(node_memory_gib("cache.r7g.large"), Some(13.07));
        assert_eq!(node_memory_gib("cache.r7g.2xlarge"), Some(52.82));
        assert_eq!(node_memory_gib("cache.x9.large"), None);
        assert_eq!(node_memory_gib("r7g.large"), None);
    }
}
