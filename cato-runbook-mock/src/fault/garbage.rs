//! The `garbage` fault: a call that succeeds with an absurd answer — NaN, negative or
//! overflowing counters, series out of order or empty, a config name that does not exist, an
//! enormous string. Each answer type says how it is spoiled ([`Garble`]); the `nth` garbage
//! answer of a run takes the `nth` of its type's shapes, in turn, so that a run meets them all.
//!
//! Answers that carry no evidence (a write's `()`, the engine's own store and lease, a
//! notification's receipt) pass through unchanged: there is nothing in them to spoil.

use cato_runbook_core::Incident;
use cato_runbook_core::ports::{
    AlarmPage, BudgetStatus, CacheClusterState, CacheCounters, Created, Deployment,
    DeploymentsRead, EndpointConfig, EndpointConfigDescription, EndpointDescription, Guardrails,
    HealthEvent, Leadership, LogEvent, MetricSeries, Posted, QuotaRequest, QuotaValue, Revision,
    Stored, TableState, TrafficState, WorkloadState,
};
use cato_runbook_core::{IncidentId, time};

/// An enormous string: 1 MiB.
pub(crate) fn enormous() -> String {
    "x".repeat(1 << 20)
}

/// A config, table or stream name that exists nowhere.
const NOWHERE: &str = "garbage-name-that-does-not-exist";

/// How an answer is spoiled by the `garbage` fault.
pub trait Garble {
    /// The answer, spoiled the `nth` way of its type.
    #[must_use]
    fn garble(self, nth: u64) -> Self;
}

/// Answers with nothing to spoil.
macro_rules! untouched {
    ($($ty:ty),* $(,)?) => {$(
        impl Garble for $ty {
            fn garble(self, _: u64) -> Self {
                self
            }
        }
    )*};
}

untouched!(
    (),
    u64,
    Posted,
    Created,
    Leadership,
    Stored<Guardrails>,
    Option<Stored<Incident>>,
    Vec<Stored<Incident>>,
    Vec<Incident>,
    Vec<(IncidentId, u64)>,
);

impl Garble for Vec<MetricSeries> {
    fn garble(mut self, nth: u64) -> Self {
        for series in &mut self {
            match nth % 4 {
                0 => series.points.iter_mut().for_each(|p| p.value = f64::NAN),
                1 => series.points.iter_mut().for_each(|p| p.value = -1e300),
                2 => {
                    series.points.reverse();
                    if let Some(first) = series.points.first().copied() {
                        series.points.push(first);
                    }
                }
                _ => series.points.clear(),
            }
        }
        self
    }
}

impl Garble for EndpointDescription {
    fn garble(mut self, nth: u64) -> Self {
        match nth % 3 {
            0 => NOWHERE.clone_into(&mut self.config_name),
            1 => self.variants.iter_mut().for_each(|v| {
                v.current_instances = u32::MAX;
                v.desired_instances = u32::MAX;
                v.weight = f64::NAN;
            }),
            _ => self.failure_reason = Some(enormous()),
        }
        self
    }
}

impl Garble for Vec<EndpointConfig> {
    fn garble(mut self, nth: u64) -> Self {
        for (i, config) in self.iter_mut().enumerate() {
            config.name = format!("{NOWHERE}-{i}");
            if nth % 2 == 1 {
                config.name = enormous();
            }
        }
        self.reverse();
        self
    }
}

impl Garble for EndpointConfigDescription {
    fn garble(mut self, nth: u64) -> Self {
        for variant in &mut self.variants {
            if nth.is_multiple_of(2) {
                variant.instance_type = NOWHERE.to_owned();
                variant.initial_instances = u32::MAX;
            } else {
                variant.instance_type = enormous();
            }
        }
        self
    }
}

impl Garble for Vec<LogEvent> {
    fn garble(mut self, nth: u64) -> Self {
        for event in &mut self {
            event.message = enormous();
        }
        if nth % 2 == 1 {
            self.reverse();
        }
        self
    }
}

impl Garble for CacheCounters {
    fn garble(mut self, nth: u64) -> Self {
        if nth.is_multiple_of(2) {
            self.hits = u64::MAX;
            self.misses = u64::MAX;
        } else {
            self.run_id = Some(enormous());
        }
        self
    }
}

impl Garble for CacheClusterState {
    fn garble(mut self, nth: u64) -> Self {
        if nth.is_multiple_of(2) {
            self.node_type = enormous();
        } else {
            self.nodes = u32::MAX;
        }
        self
    }
}

impl Garble for BudgetStatus {
    fn garble(mut self, nth: u64) -> Self {
        if nth.is_multiple_of(2) {
            self.spent_usd = f64::NAN;
        } else {
            self.monthly_limit_usd = -1e300;
        }
        self
    }
}

impl Garble for QuotaValue {
    fn garble(mut self, nth: u64) -> Self {
        self.value = if nth.is_multiple_of(2) {
            f64::NAN
        } else {
            -1.0
        };
        self
    }
}

impl Garble for QuotaRequest {
    fn garble(mut self, _: u64) -> Self {
        self.desired = f64::INFINITY;
        self
    }
}

impl Garble for TableState {
    fn garble(mut self, nth: u64) -> Self {
        if nth.is_multiple_of(2) {
            NOWHERE.clone_into(&mut self.name);
        } else {
            self.status = enormous();
        }
        self
    }
}

impl Garble for WorkloadState {
    fn garble(mut self, nth: u64) -> Self {
        if nth.is_multiple_of(2) {
            self.desired_replicas = u32::MAX;
        } else {
            self.ready_replicas = u32::MAX;
        }
        self
    }
}

impl Garble for Vec<Revision> {
    fn garble(mut self, nth: u64) -> Self {
        for revision in &mut self {
            if nth.is_multiple_of(2) {
                revision.number = 0;
                revision.current = true;
            } else {
                revision.template_hash = enormous();
            }
        }
        self
    }
}

impl Garble for TrafficState {
    fn garble(mut self, nth: u64) -> Self {
        if nth.is_multiple_of(2) {
            self.shadow_self_share = f64::NAN;
        } else {
            self.cache_similarity_threshold = 7.0;
        }
        self
    }
}

impl Garble for AlarmPage {
    fn garble(mut self, nth: u64) -> Self {
        if nth.is_multiple_of(2) {
            // A page that points at itself, for ever.
            self.next_token = Some(NOWHERE.to_owned());
        } else {
            for alarm in &mut self.alarms {
                alarm.reason = enormous();
            }
        }
        self
    }
}

impl Garble for Vec<Deployment> {
    fn garble(mut self, nth: u64) -> Self {
        for deployment in &mut self {
            if nth.is_multiple_of(2) {
                deployment.at = time::add(
                    deployment.at,
                    std::time::Duration::from_secs(10 * 365 * 86_400),
                );
            } else {
                deployment.description = enormous();
            }
        }
        self
    }
}

impl Garble for DeploymentsRead {
    fn garble(mut self, nth: u64) -> Self {
        self.deployments = self.deployments.garble(nth);
        self
    }
}

impl Garble for Vec<HealthEvent> {
    fn garble(mut self, _: u64) -> Self {
        for event in &mut self {
            event.description = enormous();
        }
        self
    }
}
