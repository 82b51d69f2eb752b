//! The state of each simulated service at one moment, and what follows from time alone.

use std::collections::BTreeMap;
use std::time::Duration;

use cato_runbook_core::ports::{BillingMode, EndpointStatus, QuotaRequestStatus};
use cato_runbook_core::time::{self, Timestamp};
use chrono::{Datelike, TimeZone, Utc};

use crate::config::CrashCause;

/// One endpoint config.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct ConfigModel {
    pub name: String,
    /// Its region; `None`: the home region.
    pub region: Option<String>,
    pub created_at: Timestamp,
    pub instances: u32,
    /// The variant it configures, with its instance type.
    pub variant: String,
    pub instance_type: String,
    pub broken: Option<CrashCause>,
}

/// A change the endpoint is going through.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum EndpointOp {
    /// `update-endpoint` to `config`.
    Config { id: u64, config: String },
    /// `update-endpoint-weights-and-capacities`.
    Capacity { id: u64, count: u32 },
    /// A failed update going back.
    RollingBack { id: u64, reason: String },
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct EndpointModel {
    pub name: String,
    /// Its region; `None`: the home region.
    pub region: Option<String>,
    pub variant: String,
    pub config: String,
    pub failed: Option<String>,
    pub failure_reason: Option<String>,
    pub last_modified: Timestamp,
    /// Instances serving when the fleet is healthy.
    pub current: u32,
    pub desired: u32,
    pub op: Option<EndpointOp>,
    /// The fleet crashed: no instance serves until an update brings up a new fleet.
    pub crash: Option<CrashCause>,
    pub error_rate: f64,
    pub latency_factor: f64,
    pub load_share: f64,
    pub per_instance_rpm: f64,
    pub latency_ms: f64,
    pub sigma: f64,
    pub max_instances: u32,
    pub update_duration: Duration,
    pub scale_duration: Duration,
    pub rollback_duration: Duration,
    pub log_group: String,
}

impl EndpointModel {
    pub(crate) fn status(&self) -> EndpointStatus {
        match (&self.op, &self.failed) {
            (Some(EndpointOp::RollingBack { .. }), _) => EndpointStatus::RollingBack,
            (Some(_), _) => EndpointStatus::Updating,
            (None, Some(_)) => EndpointStatus::Failed,
            (None, None) => EndpointStatus::InService,
        }
    }

    /// Instances actually serving.
    pub(crate) fn serving(&self) -> u32 {
        if self.crash.is_some() || self.failed.is_some() {
            0
        } else {
            self.current
        }
    }
}

/// Lifetime counters of a cache server, as reals so that rates integrate exactly.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub(crate) struct Counters {
    pub hits: f64,
    pub misses: f64,
    pub evictions: f64,
    pub expirations: f64,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct CacheModel {
    pub id: String,
    pub node_type: String,
    pub nodes: u32,
    pub pending: Option<(u64, String)>,
    pub base_hit_ratio: f64,
    pub working_set_gib: f64,
    pub invalidations_per_minute: f64,
    pub expirations_per_second: f64,
    pub modify_duration: Duration,
    /// Restarts of the server so far: part of its run id.
    pub run: u32,
    /// Counters at `counted_at`.
    pub counters: Counters,
    pub counted_at: Timestamp,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct BudgetModel {
    pub limit: f64,
    /// Spent at `spent_at`.
    pub spent: f64,
    pub spent_at: Timestamp,
    pub usd_per_bedrock_request: f64,
    pub curiosity_usd_per_hour: f64,
    pub fixed_rate: Option<f64>,
    pub warning_ratio: f64,
}

/// The first instant of the month `at` is in.
pub(crate) fn month_start(at: Timestamp) -> Timestamp {
    Utc.with_ymd_and_hms(at.year(), at.month(), 1, 0, 0, 0)
        .single()
        .unwrap_or(at)
}

/// The first instant of the month after the one `at` is in.
pub(crate) fn next_month_start(at: Timestamp) -> Timestamp {
    let (year, month) = if at.month() == 12 {
        (at.year() + 1, 1)
    } else {
        (at.year(), at.month() + 1)
    };
    Utc.with_ymd_and_hms(year, month, 1, 0, 0, 0)
        .single()
        .unwrap_or(at)
}

impl BudgetModel {
    /// Spent at `at` (not before `spent_at`), spending `rate` dollars an hour, capped at the
    /// limit and reset at each month boundary.
    pub(crate) fn spent(&self, at: Timestamp, rate: f64) -> f64 {
        let month = month_start(at);
        let (base, from) = if month > self.spent_at {
            (0.0, month)
        } else {
            (self.spent, self.spent_at)
        };
        let hours = time::elapsed(from, at).as_secs_f64() / 3600.0;
        let spent = base + rate * hours;
        // Spending stops at the limit (emergency mode) but a limit lowered below the spend
        // leaves the spend as it was.
        if base >= self.limit {
            base
        } else {
            spent.min(self.limit)
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct QuotaModel {
    pub service: String,
    pub code: String,
    pub name: String,
    pub value: f64,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct QuotaRequestModel {
    pub id: String,
    pub service: String,
    pub code: String,
    pub desired: f64,
    pub status: QuotaRequestStatus,
    pub created_at: Timestamp,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct TableModel {
    pub name: String,
    pub billing_mode: BillingMode,
    pub read_capacity: u64,
    pub write_capacity: u64,
    pub read_demand: f64,
    pub write_demand: f64,
    pub hot_partition_share: f64,
    pub pending: Option<(u64, BillingMode)>,
    pub update_duration: Duration,
}

impl TableModel {
    /// The mode `describe-table` reports: the requested one as soon as the update starts.
    pub(crate) fn reported_mode(&self) -> BillingMode {
        self.pending.map_or(self.billing_mode, |(_, mode)| mode)
    }
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct WorkloadModel {
    pub namespace: String,
    pub name: String,
    pub desired: u32,
    /// Ready replicas when `desired` last changed (or pods were lost).
    pub ready_from: u32,
    pub changed_at: Timestamp,
    pub startup: Duration,
    pub stagger: Duration,
    pub per_replica_rpm: f64,
    /// The median overhead a replica of the serving revision adds to a request, ms.
    pub overhead_ms: f64,
    /// Its revisions (ReplicaSets), in no order; the newest number is current.
    pub revisions: Vec<super::rollouts::RevisionModel>,
}

impl WorkloadModel {
    /// Ready replicas at `at`: scaling down is immediate; new pods become ready one by one,
    /// the first `startup` after the change, then one every `stagger`.
    pub(crate) fn ready(&self, at: Timestamp) -> u32 {
        if self.desired <= self.ready_from {
            return self.desired;
        }
        let missing = self.desired - self.ready_from;
        let since = time::elapsed(self.changed_at, at);
        if since < self.startup {
            return self.ready_from;
        }
        let after = since - self.startup;
        let up = if self.stagger.is_zero() {
            missing
        } else {
            let steps = after.as_nanos() / self.stagger.as_nanos();
            u32::try_from(steps.saturating_add(1)).unwrap_or(u32::MAX)
        };
        self.ready_from + up.min(missing)
    }
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct TrafficModel {
    pub requests_per_minute: f64,
    pub shadow_self_share: f64,
    pub threshold: f64,
    pub threshold_start: f64,
    pub sensitivity: f64,
    pub emergency_mode: bool,
    pub emergency_load_factor: f64,
    /// The share of Shadow Self traffic by region; empty: all in the home region, unsplit.
    pub regions: BTreeMap<String, f64>,
    /// The home region's name, as `regions` keys it.
    pub home_region: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(y: i32, m: u32, d: u32, h: u32) -> Timestamp {
        Utc.with_ymd_and_hms(y, m, d, h, 0, 0).unwrap()
    }

    #[test]
    fn months() {
        assert_eq!(month_start(at(2026, 3, 10, 9)), at(2026, 3, 1, 0));
        assert_eq!(next_month_start(at(2026, 3, 10, 9)), at(2026, 4, 1, 0));
        assert_eq!(next_month_start(at(2026, 12, 31, 23)), at(2027, 1, 1, 0));
    }

    #[test]
    fn spend_accrues_caps_and_resets() {
        let b = BudgetModel {
            limit: 100.0,
            spent: 90.0,
            spent_at: at(2026, 3, 30, 0),
            usd_per_bedrock_request: 0.0,
            curiosity_usd_per_hour: 0.0,
            fixed_rate: None,
            warning_ratio: 0.8,
        };
        assert_eq!(b.spent(at(2026, 3, 30, 5), 1.0), 95.0);
        assert_eq!(b.spent(at(2026, 3, 31, 0), 1.0), 100.0);
        assert_eq!(b.spent(at(2026, 4, 1, 2), 1.0), 2.0);
    }

    #[test]
    fn pods_come_up_one_by_one() {
        let w = WorkloadModel {
            namespace: "cato".into(),
            name: "o".into(),
            desired: 5,
            ready_from: 2,
            changed_at: at(2026, 3, 1, 0),
            startup: Duration::from_secs(30),
            stagger: Duration::from_secs(10),
            per_replica_rpm: 1.0,
            overhead_ms: 1.0,
            revisions: Vec::new(),
        };
        let t = |s| time::add(at(2026, 3, 1, 0), Duration::from_secs(s));
        assert_eq!(w.ready(t(29)), 2);
        assert_eq!(w.ready(t(30)), 3);
        assert_eq!(w.ready(t(40)), 4);
        assert_eq!(w.ready(t(3600)), 5);
        let down = WorkloadModel { desired: 1, ..w };
        assert_eq!(down.ready(t(0)), 1);
    }
}
