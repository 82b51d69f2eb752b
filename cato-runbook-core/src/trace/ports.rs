//! The table of every recorded port's operations, and [`Traced`], which records them.

use std::fmt;
use std::sync::Arc;

use async_trait::async_trait;
use serde::Serialize;
use serde_json::{Map, Value};

use super::Recorder;
use super::record::{Reply, TraceError, TraceRecord};
use crate::error::Result;
use crate::ports::IncidentStore;

/// The table of every recorded port, written once: calls `$callback!` with, for each port, its
/// field in the port bundles, its trait, its name in traces and one line per operation
/// (`fn name(arg: Type, …) -> Answer;`). [`Traced`] (here) and the mock crate's replay
/// providers are both made from it, so a new port, or a new operation of a port, is one entry
/// here. Answers and arguments must be `serde` types.
///
/// The incident store and the lease are not in it: they hold the engine's own state, which a
/// replay rebuilds rather than reads back (see [`Traceable`]).
#[doc(hidden)]
#[macro_export]
macro_rules! traced_ports {
    ($callback:ident) => {
        $callback! {
            endpoint: ModelEndpoint, "endpoint" {
                fn describe(endpoint: &str) -> $crate::ports::EndpointDescription;
                fn update_config(endpoint: &str, config: &str, key: &$crate::IdempotencyKey) -> ();
                fn list_configs(name_contains: &str) -> Vec<$crate::ports::EndpointConfig>;
                fn describe_config(config: &str) -> $crate::ports::EndpointConfigDescription;
                fn set_instance_count(endpoint: &str, variant: &str, count: u32, key: &$crate::IdempotencyKey) -> ();
            }
            metrics: Metrics, "metrics" {
                fn query(queries: &[$crate::ports::MetricQuery], start: $crate::Timestamp, end: $crate::Timestamp) -> Vec<$crate::ports::MetricSeries>;
                fn put(namespace: &str, metric: &str, dimensions: &[$crate::ports::Dimension], value: f64, at: $crate::Timestamp) -> ();
            }
            logs: Logs, "logs" {
                fn filter(group: &str, pattern: &str, since: $crate::Timestamp, limit: usize) -> Vec<$crate::ports::LogEvent>;
            }
            cache_stats: CacheStats, "cache_stats" {
                fn counters(cache: &str) -> $crate::ports::CacheCounters;
            }
            cache_cluster: CacheCluster, "cache_cluster" {
                fn describe(id: &str) -> $crate::ports::CacheClusterState;
                fn modify_node_type(id: &str, node_type: &str, key: &$crate::IdempotencyKey) -> ();
            }
            budget: Budget, "budget" {
                fn status() -> $crate::ports::BudgetStatus;
                fn set_monthly_limit(usd: f64, key: &$crate::IdempotencyKey) -> ();
            }
            quotas: Quotas, "quotas" {
                fn get(service: &str, code: &str) -> $crate::ports::QuotaValue;
                fn request_increase(service: &str, code: &str, desired: f64, key: &$crate::IdempotencyKey) -> $crate::ports::QuotaRequest;
                fn request_status(request_id: &str) -> $crate::ports::QuotaRequest;
            }
            tables: Tables, "tables" {
                fn describe(table: &str) -> $crate::ports::TableState;
                fn set_billing_mode(table: &str, mode: $crate::ports::BillingMode, key: &$crate::IdempotencyKey) -> ();
            }
            workloads: Workloads, "workloads" {
                fn get(namespace: &str, name: &str) -> $crate::ports::WorkloadState;
                fn scale(namespace: &str, name: &str, replicas: u32, key: &$crate::IdempotencyKey) -> ();
                fn revisions(namespace: &str, name: &str) -> Vec<$crate::ports::Revision>;
                fn roll_back(namespace: &str, name: &str, to_revision: u64, key: &$crate::IdempotencyKey) -> ();
            }
            traffic: TrafficControl, "traffic" {
                fn state() -> $crate::ports::TrafficState;
                fn set_shadow_self_share(share: f64, key: &$crate::IdempotencyKey) -> ();
                fn set_cache_similarity_threshold(threshold: f64, key: &$crate::IdempotencyKey) -> ();
                fn set_emergency_mode(on: bool, key: &$crate::IdempotencyKey) -> ();
                fn set_region_weights(weights: &::std::collections::BTreeMap<String, f64>, key: &$crate::IdempotencyKey) -> ();
            }
            alarms: Alarms, "alarms" {
                fn describe(prefix: &str, max_records: u32, next_token: Option<String>) -> $crate::ports::AlarmPage;
            }
            deployments: Deployments, "deployments" {
                fn since(since: $crate::Timestamp) -> Vec<$crate::ports::Deployment>;
            }
            health: CloudHealth, "cloud_health" {
                fn events(since: $crate::Timestamp) -> Vec<$crate::ports::HealthEvent>;
            }
            pager: Pager, "pager" {
                fn trigger(page: &$crate::ports::Page) -> ();
                fn acknowledge(target: &str, dedup_key: &str) -> ();
                fn resolve(target: &str, dedup_key: &str) -> ();
            }
            chat: Chat, "chat" {
                fn post(message: &$crate::ports::ChatMessage) -> $crate::ports::Posted;
            }
            mail: Mail, "mail" {
                fn send(email: &$crate::ports::Email) -> ();
            }
        }
    };
}

/// A provider `P` whose every call is recorded: what it was asked and what it answered.
/// `Traced<P>` implements every port of [`traced_ports!`] that `P` implements, and adds nothing
/// to a call when its recorder has stopped.
pub struct Traced<P> {
    inner: P,
    recorder: Recorder,
    port: String,
}

impl<P> Traced<P> {
    /// Wraps `inner`, recording its calls as port `port` (`endpoint`, `endpoint@us-west-2`).
    pub fn new(inner: P, recorder: Recorder, port: impl Into<String>) -> Self {
        Traced {
            inner,
            recorder,
            port: port.into(),
        }
    }

    /// The wrapped provider.
    pub fn inner(&self) -> &P {
        &self.inner
    }

    fn record<T: Serialize>(
        &self,
        time: crate::Timestamp,
        op: &str,
        args: Map<String, Value>,
        result: &Result<T>,
    ) {
        let reply = match result {
            Ok(answer) => Reply::Answer {
                answer: to_value(answer),
            },
            Err(err) => Reply::Error {
                error: TraceError::of(err),
            },
        };
        self.recorder.record(TraceRecord {
            time,
            port: self.port.clone(),
            op: op.to_owned(),
            args: Value::Object(args),
            reply,
        });
    }
}

/// `value` as JSON; a value that does not serialize (never, for the ports' types) says so.
pub fn to_value<T: Serialize + ?Sized>(value: &T) -> Value {
    serde_json::to_value(value)
        .unwrap_or_else(|e| Value::String(format!("<not serializable: {e}>")))
}

impl<P: fmt::Display> fmt::Display for Traced<P> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.inner, f)
    }
}

impl<P: fmt::Debug> fmt::Debug for Traced<P> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Traced")
            .field("inner", &self.inner)
            .field("port", &self.port)
            .finish_non_exhaustive()
    }
}

/// A port trait object that can be wrapped in a [`Traced`] recorder: every port of
/// [`traced_ports!`], and the incident store, which is passed through unrecorded (a replay
/// rebuilds the engine's own state in memory).
pub trait Traceable {
    /// The port's name in traces, e.g. `endpoint`.
    const PORT: &'static str;

    /// `port` wrapped to record through `recorder` as port `name`.
    fn traced_as(port: Arc<Self>, recorder: &Recorder, name: &str) -> Arc<Self>;

    /// `port` wrapped to record through `recorder` under its own name.
    fn traced(port: Arc<Self>, recorder: &Recorder) -> Arc<Self> {
        Self::traced_as(port, recorder, Self::PORT)
    }
}

impl Traceable for dyn IncidentStore {
    const PORT: &'static str = "incident_store";

    fn traced_as(port: Arc<Self>, _: &Recorder, _: &str) -> Arc<Self> {
        port
    }
}

macro_rules! traced_impls {
    ($(
        $field:ident: $trait:ident, $port:literal {
            $( fn $method:ident ( $( $arg:ident : $ty:ty ),* ) -> $ret:ty ; )*
        }
    )*) => {$(
        #[async_trait]
        impl<P: crate::ports::$trait> crate::ports::$trait for Traced<P> {
            $(
                async fn $method(&self $(, $arg: $ty)*) -> Result<$ret> {
                    if !self.recorder.recording() {
                        return self.inner.$method($($arg),*).await;
                    }
                    #[allow(unused_mut)]
                    let mut args = Map::new();
                    $( args.insert(stringify!($arg).to_owned(), to_value(&$arg)); )*
                    let time = self.recorder.clock().now();
                    let result = self.inner.$method($($arg),*).await;
                    self.record(time, stringify!($method), args, &result);
                    result
                }
            )*
        }

        impl Traceable for dyn crate::ports::$trait {
            const PORT: &'static str = $port;

            fn traced_as(port: Arc<Self>, recorder: &Recorder, name: &str) -> Arc<Self> {
                Arc::new(Traced::new(port, recorder.clone(), name))
            }
        }
    )*};
}

crate::traced_ports!(traced_impls);
