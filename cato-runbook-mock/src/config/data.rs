//! The cache and the table.

use std::time::Duration;

use cato_runbook_core::ports::BillingMode;
use serde::{Deserialize, Serialize};

/// The semantic cache (ElastiCache for Redis).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct CacheSpec {
    /// The replication group id.
    pub id: String,
    /// Its node type.
    pub node_type: String,
    /// Nodes in the group.
    pub nodes: u32,
    /// The share of lookups that hit when memory suffices, at the default similarity threshold.
    pub base_hit_ratio: f64,
    /// The data the workload would like cached, in GiB; beyond the node's memory, keys are
    /// evicted and the hit ratio falls.
    pub working_set_gib: f64,
    /// Cache invalidations per minute (`Custom/Cato CacheInvalidations`).
    pub invalidations_per_minute: f64,
    /// Keys expiring per second.
    pub expirations_per_second: f64,
    /// How long a node-type change stays `modifying`.
    #[serde(with = "humantime_serde")]
    pub modify_duration: Duration,
}

impl Default for CacheSpec {
    fn default() -> Self {
        CacheSpec {
            id: "cato-cache".into(),
            node_type: "cache.r7g.large".into(),
            nodes: 2,
            base_hit_ratio: 0.85,
            working_set_gib: 8.0,
            invalidations_per_minute: 2.0,
            expirations_per_second: 1.0,
            modify_duration: Duration::from_secs(15 * 60),
        }
    }
}

/// A DynamoDB table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct TableSpec {
    /// Its name.
    pub name: String,
    /// Its billing mode at the start.
    pub billing_mode: BillingMode,
    /// Provisioned read capacity units.
    pub read_capacity: u64,
    /// Provisioned write capacity units.
    pub write_capacity: u64,
    /// Read demand, capacity units per second.
    pub read_demand: f64,
    /// Write demand, capacity units per second.
    pub write_demand: f64,
    /// The share of the demand that lands on the hottest partition (0 = spread evenly). A
    /// partition serves at most 3 000 RCU and 1 000 WCU per second, whatever the billing mode.
    pub hot_partition_share: f64,
    /// How long an `update-table` stays `UPDATING`.
    #[serde(with = "humantime_serde")]
    pub update_duration: Duration,
}

impl Default for TableSpec {
    fn default() -> Self {
        TableSpec {
            name: "cato-semantic-memory".into(),
            billing_mode: BillingMode::Provisioned,
            read_capacity: 1000,
            write_capacity: 500,
            read_demand: 600.0,
            write_demand: 200.0,
            hot_partition_share: 0.0,
            update_duration: Duration::from_secs(3 * 60),
        }
    }
}
