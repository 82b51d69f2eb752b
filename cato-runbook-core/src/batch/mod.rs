//! Provider calls that do not grow with the fleet: concurrent reads of one port made
//! together.
//!
//! The detectors of a tick, and the diagnoses running beside them, read the same ports at the
//! same moment. Here their reads are collected into rounds: the first caller opens one and
//! yields to the scheduler (zero time) until a yield brings no new caller, then one call
//! serves them all, and each caller gets its own part of the answer.
//!
//! | port | wrapper | a round is |
//! | --- | --- | --- |
//! | [`Metrics::query`] | [`BatchedMetrics`] | one `query` per 500 distinct series (the most `GetMetricData` takes), a series asked by several callers fetched once over the union of their windows |
//! | [`Deployments::read`], [`Deployments::since`] | [`CoalescedDeployments`] | one call with the earliest `since`; each caller gets the deployments since its own |
//! | [`CloudHealth::events`] | [`CoalescedHealth`] | one call with the earliest `since`; each caller gets the events open now or started since its own |
//!
//! A round is a shared future (`futures::future::Shared`) that every waiting caller polls: a
//! caller dropped or timed out strands nobody, and a failed call fails every caller with the
//! error. Once collected, its call runs on a task of its own (on the caller's runtime), so
//! that its callers wake once when it ends rather than at each of its own wakes. Alarms have their own once-a-tick read (`catalog/alarms/board.rs`).
//!
//! [`Providers`](crate::catalog::Providers) installs them: its accessors
//! ([`Providers::metrics`](crate::catalog::Providers::metrics) and the others) answer each port
//! behind its wrapper, one per port and shared by the bundle's clones, so the engine, the
//! mock crate's harness and game days, `Wiring` and the CLI all read through them.
//!
//! [`Metrics::query`]: crate::ports::Metrics::query
//! [`Deployments::read`]: crate::ports::Deployments::read
//! [`Deployments::since`]: crate::ports::Deployments::since
//! [`CloudHealth::events`]: crate::ports::CloudHealth::events

mod changes;
mod metrics;
mod plan;
mod round;

use std::sync::{Arc, Mutex, MutexGuard};

pub use changes::{CoalescedDeployments, CoalescedHealth};
pub use metrics::BatchedMetrics;
pub use plan::MAX_SERIES_PER_CALL;

use crate::ports::{
    Alarms, Budget, CacheCluster, CacheStats, Checkable, CloudHealth, Deployments, IncidentStore,
    Logs, Metrics, ModelEndpoint, Quotas, Tables, TrafficControl, Workloads,
};

fn locked<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// One wrapper per port: the port (kept, so that its address stays its own) and its wrapper.
type Wrapped<P> = Arc<Mutex<Vec<(Arc<P>, Arc<P>)>>>;

/// The wrappers of a [`Providers`](crate::catalog::Providers), one per port; its clones share
/// them, so that every runbook built from it reads in the same rounds.
#[derive(Clone, Default)]
pub(crate) struct Batches {
    metrics: Wrapped<dyn Metrics>,
    deployments: Wrapped<dyn Deployments>,
    health: Wrapped<dyn CloudHealth>,
}

impl std::fmt::Debug for Batches {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Batches").finish_non_exhaustive()
    }
}

fn wrapper<P: ?Sized>(
    table: &Wrapped<P>,
    port: Arc<P>,
    wrap: impl FnOnce(Arc<P>) -> Arc<P>,
) -> Arc<P> {
    let mut table = locked(table);
    let same = |(p, w): &&(Arc<P>, Arc<P>)| {
        std::ptr::addr_eq(Arc::as_ptr(p), Arc::as_ptr(&port))
            || std::ptr::addr_eq(Arc::as_ptr(w), Arc::as_ptr(&port))
    };
    if let Some((_, wrapped)) = table.iter().find(same) {
        return Arc::clone(wrapped);
    }
    let wrapped = wrap(Arc::clone(&port));
    table.push((port, Arc::clone(&wrapped)));
    wrapped
}

/// A port as the catalog reads it: behind its round wrapper (metrics, deployments, health), its
/// answers checked ([`Checked`](crate::ports::Checked)) after a round's split, so that an
/// absurd series fails only the reader that asked for it.
pub(crate) trait Batchable {
    /// `port` behind the wrapper `batches` keeps for it.
    fn batched(port: Arc<Self>, batches: &Batches) -> Arc<Self>;
}

impl Batchable for dyn Metrics {
    fn batched(port: Arc<Self>, batches: &Batches) -> Arc<Self> {
        wrapper(&batches.metrics, port, |p| {
            <dyn Metrics as Checkable>::checked(Arc::new(BatchedMetrics::new(p)))
        })
    }
}

impl Batchable for dyn Deployments {
    fn batched(port: Arc<Self>, batches: &Batches) -> Arc<Self> {
        wrapper(&batches.deployments, port, |p| {
            <dyn Deployments as Checkable>::checked(Arc::new(CoalescedDeployments::new(p)))
        })
    }
}

impl Batchable for dyn CloudHealth {
    fn batched(port: Arc<Self>, batches: &Batches) -> Arc<Self> {
        wrapper(&batches.health, port, |p| {
            <dyn CloudHealth as Checkable>::checked(Arc::new(CoalescedHealth::new(p)))
        })
    }
}

macro_rules! as_they_are {
    ($($trait:ident),*) => {$(
        impl Batchable for dyn $trait {
            fn batched(port: Arc<Self>, _: &Batches) -> Arc<Self> {
                <dyn $trait as Checkable>::checked(port)
            }
        }
    )*};
}

// Alarms share a board of their own (`catalog/alarms/board.rs`); the other ports are read
// once per incident or act.
as_they_are!(
    Alarms,
    Budget,
    CacheCluster,
    CacheStats,
    IncidentStore,
    Logs,
    ModelEndpoint,
    Quotas,
    Tables,
    TrafficControl,
    Workloads
);

#[cfg(test)]
mod tests;
