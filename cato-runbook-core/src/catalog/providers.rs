//! The ports a catalog runbook talks through, bundled.

use std::collections::BTreeMap;
use std::fmt;
use std::sync::Arc;

use super::alarms::AlarmBoards;
use crate::batch::{Batchable, Batches};
use crate::error::{Error, Result};
use crate::ports::{
    Alarms, Budget, CacheCluster, CacheStats, Clock, CloudHealth, Deployments, IncidentStore, Logs,
    Metrics, ModelEndpoint, Quotas, Tables, TrafficControl, Workloads,
};

/// The catalog's port table, written once: calls `$callback!` with one
/// `field: Trait => PortName variant, "config name", "doc";` entry per port the six runbooks
/// use. [`Providers`] and [`PortName`] are made from it here, and the mock crate's `FakePorts`
/// from the same table, so that the list of ports is never copied by hand.
#[doc(hidden)]
#[macro_export]
macro_rules! catalog_ports {
    ($callback:ident $(, $($extra:tt)*)?) => {
        $callback! {
            [$($($extra)*)?]
            endpoint: ModelEndpoint => Endpoint, "endpoint", "The Shadow Self endpoint (SageMaker).";
            metrics: Metrics => Metrics, "metrics", "Metrics (CloudWatch), including Cato's custom metrics.";
            logs: Logs => Logs, "logs", "Logs (CloudWatch Logs).";
            alarms: Alarms => Alarms, "alarms", "Alarms on metrics (CloudWatch alarms), read by the alarm detectors of `[runbooks.alarms]`.";
            cache_stats: CacheStats => CacheStats, "cache_stats", "Cache counters (Redis `INFO stats`).";
            cache_cluster: CacheCluster => CacheCluster, "cache_cluster", "The cache cluster (ElastiCache).";
            budget: Budget => Budget, "budget", "The LLM budget (Cato admin API).";
            quotas: Quotas => Quotas, "quotas", "Service quotas.";
            tables: Tables => Tables, "tables", "Tables (DynamoDB).";
            workloads: Workloads => Workloads, "workloads", "Workloads (Kubernetes).";
            traffic: TrafficControl => Traffic, "traffic", "Traffic controls (Cato admin API).";
            deployments: Deployments => Deployments, "deployments", "Recent deployments.";
            health: CloudHealth => Health, "health", "The cloud's health dashboard.";
            incidents: IncidentStore => Incidents, "incidents", "The incident store, read-only: a runbook looks at other open incidents (a latency incident whose likelier cause is an open cache-miss incident).";
        }
    };
}

macro_rules! providers {
    ([] $($field:ident: $trait:ident => $name:ident, $config:literal, $doc:literal;)*) => {
        /// Every port the six runbooks use. A port left `None` disables the runbooks that need
        /// it: building such a runbook is an error that names the missing port, and
        /// [`Providers::missing`] tells in advance. Made with [`Providers::builder`] (or
        /// [`Providers::new`] and the fields).
        #[derive(Clone)]
        #[non_exhaustive]
        pub struct Providers {
            /// Time.
            pub clock: Arc<dyn Clock>,
            $(
                #[doc = $doc]
                pub $field: Option<Arc<dyn $trait>>,
            )*
            /// The Shadow Self endpoint of each other region, by region (`us-west-2`): where the
            /// failover strategy ([`FailoverRegion`](super::strategies::FailoverRegion)) checks
            /// the region it shifts traffic to. Empty unless failover is configured.
            pub region_endpoints: BTreeMap<String, Arc<dyn ModelEndpoint>>,
            /// The alarm detectors' shared reads, one per alarms port (shared by clones).
            pub(crate) alarm_boards: AlarmBoards,
            /// The round wrappers of the ports read together (shared by clones).
            pub(crate) batches: Batches,
        }

        /// The name of one port, for messages and [`Providers::missing`].
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[non_exhaustive]
        pub enum PortName {
            $(
                #[doc = concat!("[`", stringify!($trait), "`].")]
                $name,
            )*
        }

        impl PortName {
            /// Every port, in the table's order.
            pub const ALL: &'static [PortName] = &[$(PortName::$name),*];

            /// The port's name as configuration spells it.
            pub fn as_str(self) -> &'static str {
                match self {
                    $(PortName::$name => $config,)*
                }
            }
        }

        impl Providers {
            /// A bundle with a clock and no port yet.
            pub fn new(clock: Arc<dyn Clock>) -> Self {
                Providers {
                    clock,
                    $($field: None,)*
                    region_endpoints: BTreeMap::new(),
                    alarm_boards: AlarmBoards::default(),
                    batches: Batches::default(),
                }
            }

            /// Starts a bundle on `clock`; add ports, then [`build`](ProvidersBuilder::build).
            pub fn builder(clock: Arc<dyn Clock>) -> ProvidersBuilder {
                ProvidersBuilder(Providers::new(clock))
            }

            fn has(&self, port: PortName) -> bool {
                match port {
                    $(PortName::$name => self.$field.is_some(),)*
                }
            }

            $(
                #[doc = concat!("The `", stringify!($field), "` port, or an error naming `runbook`.")]
                ///
                /// A port whose concurrent reads are made together (metrics, deployments,
                /// health: see [`batch`](crate::batch)) is answered behind its wrapper, the
                /// same one for every runbook built from this bundle or its clones.
                ///
                /// # Errors
                ///
                /// When the port is not configured.
                pub fn $field(&self, runbook: &str) -> Result<Arc<dyn $trait>> {
                    self.$field
                        .clone()
                        .map(|port| <dyn $trait as Batchable>::batched(port, &self.batches))
                        .ok_or_else(|| missing_ports(runbook, &[PortName::$name]))
                }
            )*
        }

        /// Builds [`Providers`] one port at a time.
        #[derive(Debug, Clone)]
        pub struct ProvidersBuilder(Providers);

        impl ProvidersBuilder {
            $(
                #[doc = concat!("Sets the `", stringify!($field), "` port: ", $doc)]
                pub fn $field(mut self, port: Arc<dyn $trait>) -> Self {
                    self.0.$field = Some(port);
                    self
                }
            )*

            /// Adds the Shadow Self endpoint of another region (`us-west-2`).
            pub fn endpoint_in(
                mut self,
                region: impl Into<String>,
                port: Arc<dyn ModelEndpoint>,
            ) -> Self {
                self.0.region_endpoints.insert(region.into(), port);
                self
            }

            /// The bundle.
            pub fn build(self) -> Providers {
                self.0
            }
        }

        impl fmt::Debug for Providers {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                fn show<T: ?Sized + fmt::Display>(p: &Option<Arc<T>>) -> String {
                    p.as_ref().map_or_else(|| "-".to_owned(), |p| p.to_string())
                }
                f.debug_struct("Providers")
                    .field("clock", &format_args!("{:?}", self.clock))
                    $(.field(stringify!($field), &show(&self.$field)))*
                    .field(
                        "region_endpoints",
                        &self
                            .region_endpoints
                            .iter()
                            .map(|(region, port)| format!("{region}: {port}"))
                            .collect::<Vec<_>>(),
                    )
                    .finish()
            }
        }
    };
}

crate::catalog_ports!(providers);

impl fmt::Display for PortName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Providers {
    /// Which of `needed` are not configured.
    pub fn missing(&self, needed: &[PortName]) -> Vec<PortName> {
        needed.iter().copied().filter(|p| !self.has(*p)).collect()
    }

    /// The Shadow Self endpoint of `region`, or an error naming `runbook` and the region.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidInput`](crate::ErrorKind::InvalidInput) when no endpoint port of
    /// `region` is configured.
    pub fn endpoint_in(&self, runbook: &str, region: &str) -> Result<Arc<dyn ModelEndpoint>> {
        let port = self.region_endpoints.get(region).cloned();
        port.ok_or_else(|| {
            Error::invalid_input(
                "catalog.build",
                format!("runbook {runbook} fails over to {region}: no endpoint port there"),
            )
            .with_resource(runbook.to_owned())
        })
    }

    /// `Ok(())` when every port in `needed` is configured, else an
    /// [`ErrorKind::InvalidInput`](crate::ErrorKind::InvalidInput) error naming the runbook and
    /// the missing ports.
    ///
    /// # Errors
    ///
    /// When a needed port is missing.
    pub fn require(&self, runbook: &str, needed: &[PortName]) -> Result<()> {
        let missing = self.missing(needed);
        if missing.is_empty() {
            return Ok(());
        }
        Err(missing_ports(runbook, &missing))
    }
}

fn missing_ports(runbook: &str, ports: &[PortName]) -> Error {
    let names: Vec<_> = ports.iter().map(|p| p.as_str()).collect();
    Error::invalid_input(
        "catalog.build",
        format!(
            "runbook {runbook} needs the {} port(s), which are not configured",
            names.join(", ")
        ),
    )
    .with_resource(runbook.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ports::{InMemoryIncidentStore, SystemClock};

    #[test]
    fn missing_ports_are_named() {
        let mut providers = Providers::new(Arc::new(SystemClock));
        assert_eq!(
            providers.missing(&[PortName::Incidents, PortName::Endpoint]),
            [PortName::Incidents, PortName::Endpoint]
        );
        let err = providers
            .require("shadow-self-down", &[PortName::Endpoint, PortName::Logs])
            .unwrap_err();
        assert_eq!(
            err.message(),
            "runbook shadow-self-down needs the endpoint, logs port(s), which are not configured"
        );
        assert!(providers.incidents("high-latency").is_err());
        providers.incidents = Some(Arc::new(InMemoryIncidentStore::new()));
        assert!(providers.incidents("high-latency").is_ok());
        assert!(providers.missing(&[PortName::Incidents]).is_empty());
        assert!(format!("{providers:?}").contains("in-memory incident store"));
        let built = Providers::builder(Arc::new(SystemClock))
            .incidents(Arc::new(InMemoryIncidentStore::new()))
            .build();
        assert!(built.missing(&[PortName::Incidents]).is_empty());
        assert_eq!(PortName::ALL.len(), 14);
        assert_eq!(PortName::ALL[0].as_str(), "endpoint");
    }
}
