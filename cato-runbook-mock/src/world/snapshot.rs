//! A readable summary of a world's state, for timelines and assertions.

use cato_runbook_core::Timestamp;
use cato_runbook_core::ports::{BillingMode, BudgetMode, EndpointStatus, TrafficState};
use serde::{Deserialize, Serialize};

use super::World;

/// One endpoint, as the world sees it (not through a port: nothing is recorded).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EndpointSnapshot {
    /// Its name.
    pub name: String,
    /// Its region, when not the home region.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    /// Its status.
    pub status: EndpointStatus,
    /// The config it runs.
    pub config: String,
    /// Instances serving.
    pub current_instances: u32,
    /// Instances asked for.
    pub desired_instances: u32,
    /// Requests sent to it per minute.
    pub offered_rpm: f64,
    /// Share of requests answered 5XX.
    pub error_share: f64,
    /// Median model latency, milliseconds.
    pub median_latency_ms: f64,
}

/// One cache.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CacheSnapshot {
    /// Its id.
    pub id: String,
    /// Its node type.
    pub node_type: String,
    /// `available` or `modifying`.
    pub status: String,
    /// The share of lookups it answers.
    pub hit_ratio: f64,
    /// Keys evicted per second.
    pub evictions_per_second: f64,
}

/// One table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TableSnapshot {
    /// Its name.
    pub name: String,
    /// Its billing mode in force.
    pub billing_mode: BillingMode,
    /// `ACTIVE` or `UPDATING`.
    pub status: String,
    /// Throttled reads per second.
    pub throttled_reads_per_second: f64,
    /// Throttled writes per second.
    pub throttled_writes_per_second: f64,
}

/// One workload.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WorkloadSnapshot {
    /// `namespace/name`.
    pub id: String,
    /// Replicas asked for.
    pub desired: u32,
    /// Replicas ready.
    pub ready: u32,
}

/// The budget.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BudgetSnapshot {
    /// Its mode.
    pub mode: BudgetMode,
    /// Spent this month.
    pub spent_usd: f64,
    /// The monthly limit.
    pub limit_usd: f64,
    /// Spend per hour at the current traffic.
    pub spend_rate_usd_per_hour: f64,
}

/// Everything at once.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WorldSnapshot {
    /// When.
    pub at: Timestamp,
    /// Traffic settings.
    pub traffic: TrafficState,
    /// User requests per minute.
    pub requests_per_minute: f64,
    /// Endpoints.
    pub endpoints: Vec<EndpointSnapshot>,
    /// Caches.
    pub caches: Vec<CacheSnapshot>,
    /// Tables.
    pub tables: Vec<TableSnapshot>,
    /// Workloads.
    pub workloads: Vec<WorkloadSnapshot>,
    /// The budget.
    pub budget: BudgetSnapshot,
    /// Bedrock calls per minute.
    pub bedrock_rpm: f64,
    /// The share of Bedrock calls throttled.
    pub bedrock_throttled_share: f64,
    /// Pager alerts not resolved.
    pub open_alerts: usize,
}

impl World {
    /// The world's state now, as numbers (recording no call).
    pub fn snapshot(&self) -> WorldSnapshot {
        self.read(|sim, now| {
            let s = sim.state();
            let budget = s.budget_status(now);
            WorldSnapshot {
                at: now,
                traffic: TrafficState {
                    shadow_self_share: s.traffic.shadow_self_share,
                    cache_similarity_threshold: s.traffic.threshold,
                    emergency_mode: s.traffic.emergency_mode,
                    regions: s.traffic.regions.clone(),
                },
                requests_per_minute: s.traffic.requests_per_minute,
                endpoints: s
                    .endpoints
                    .iter()
                    .map(|e| {
                        let load = s.endpoint_load(e);
                        EndpointSnapshot {
                            name: e.name.clone(),
                            region: e.region.clone(),
                            status: e.status(),
                            config: e.config.clone(),
                            current_instances: e.serving(),
                            desired_instances: e.desired,
                            offered_rpm: load.offered_rpm,
                            error_share: load.error_share,
                            median_latency_ms: load.median_ms,
                        }
                    })
                    .collect(),
                caches: s
                    .caches
                    .iter()
                    .enumerate()
                    .map(|(i, c)| CacheSnapshot {
                        id: c.id.clone(),
                        node_type: c.node_type.clone(),
                        status: if c.pending.is_some() {
                            "modifying".into()
                        } else {
                            "available".into()
                        },
                        hit_ratio: s.cache_hit_ratio(i),
                        evictions_per_second: s.cache_rates(i).evictions,
                    })
                    .collect(),
                tables: s
                    .tables
                    .iter()
                    .map(|t| {
                        let load = s.table_load(&t.name);
                        TableSnapshot {
                            name: t.name.clone(),
                            billing_mode: t.billing_mode,
                            status: t.describe().status,
                            throttled_reads_per_second: load.throttled_read,
                            throttled_writes_per_second: load.throttled_write,
                        }
                    })
                    .collect(),
                workloads: s
                    .workloads
                    .iter()
                    .map(|w| WorkloadSnapshot {
                        id: format!("{}/{}", w.namespace, w.name),
                        desired: w.desired,
                        ready: w.ready(now),
                    })
                    .collect(),
                budget: BudgetSnapshot {
                    mode: budget.mode,
                    spent_usd: budget.spent_usd,
                    limit_usd: budget.monthly_limit_usd,
                    spend_rate_usd_per_hour: s.spend_rate_per_hour(),
                },
                bedrock_rpm: s.bedrock_rpm(),
                bedrock_throttled_share: s.bedrock_throttled_share(s.bedrock_quota()),
                open_alerts: sim
                    .records
                    .alerts
                    .iter()
                    .filter(|a| a.status != super::AlertStatus::Resolved)
                    .count(),
            }
        })
    }
}
