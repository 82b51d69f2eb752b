//! The ports a catalog runbook talks through, bundled.

use std::fmt;
use std::sync::Arc;

use crate::error::{Error, Result};
use crate::ports::{
    Budget, CacheCluster, CacheStats, Clock, CloudHealth, Deployments, Logs, Metrics,
    ModelEndpoint, Quotas, Tables, TrafficControl, Workloads,
};

/// Every port the six runbooks use. A port left `None` disables the runbooks that need it:
/// building such a runbook is an error that names the missing port, and [`Providers::missing`]
/// tells in advance.
#[derive(Clone)]
pub struct Providers {
    /// Time.
    pub clock: Arc<dyn Clock>,
    /// The Shadow Self endpoint (SageMaker).
    pub endpoint: Option<Arc<dyn ModelEndpoint>>,
    /// Metrics (CloudWatch), including Cato's custom metrics.
    pub metrics: Option<Arc<dyn Metrics>>,
    /// Logs (CloudWatch Logs).
    pub logs: Option<Arc<dyn Logs>>,
    /// Cache counters (Redis `INFO stats`).
    pub cache_stats: Option<Arc<dyn CacheStats>>,
    /// The cache cluster (ElastiCache).
    pub cache_cluster: Option<Arc<dyn CacheCluster>>,
    /// The LLM budget (Cato admin API).
    pub budget: Option<Arc<dyn Budget>>,
    /// Service quotas.
    pub quotas: Option<Arc<dyn Quotas>>,
    /// Tables (DynamoDB).
    pub tables: Option<Arc<dyn Tables>>,
    /// Workloads (Kubernetes).
    pub workloads: Option<Arc<dyn Workloads>>,
    /// Traffic controls (Cato admin API).
    pub traffic: Option<Arc<dyn TrafficControl>>,
    /// Recent deployments.
    pub deployments: Option<Arc<dyn Deployments>>,
    /// The cloud's health dashboard.
    pub health: Option<Arc<dyn CloudHealth>>,
}

/// The name of one port, for messages and [`Providers::missing`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum PortName {
    /// [`ModelEndpoint`].
    Endpoint,
    /// [`Metrics`].
    Metrics,
    /// [`Logs`].
    Logs,
    /// [`CacheStats`].
    CacheStats,
    /// [`CacheCluster`].
    CacheCluster,
    /// [`Budget`].
    Budget,
    /// [`Quotas`].
    Quotas,
    /// [`Tables`].
    Tables,
    /// [`Workloads`].
    Workloads,
    /// [`TrafficControl`].
    Traffic,
    /// [`Deployments`].
    Deployments,
    /// [`CloudHealth`].
    Health,
}

impl PortName {
    /// The port's name as configuration spells it.
    pub fn as_str(self) -> &'static str {
        match self {
            PortName::Endpoint => "endpoint",
            PortName::Metrics => "metrics",
            PortName::Logs => "logs",
            PortName::CacheStats => "cache_stats",
            PortName::CacheCluster => "cache_cluster",
            PortName::Budget => "budget",
            PortName::Quotas => "quotas",
            PortName::Tables => "tables",
            PortName::Workloads => "workloads",
            PortName::Traffic => "traffic",
            PortName::Deployments => "deployments",
            PortName::Health => "health",
        }
    }
}

impl fmt::Display for PortName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Providers {
    /// A bundle with a clock and no port yet.
    pub fn new(clock: Arc<dyn Clock>) -> Self {
        Providers {
            clock,
            endpoint: None,
            metrics: None,
            logs: None,
            cache_stats: None,
            cache_cluster: None,
            budget: None,
            quotas: None,
            tables: None,
            workloads: None,
            traffic: None,
            deployments: None,
            health: None,
        }
    }

    fn has(&self, port: PortName) -> bool {
        match port {
            PortName::Endpoint => self.endpoint.is_some(),
            PortName::Metrics => self.metrics.is_some(),
            PortName::Logs => self.logs.is_some(),
            PortName::CacheStats => self.cache_stats.is_some(),
            PortName::CacheCluster => self.cache_cluster.is_some(),
            PortName::Budget => self.budget.is_some(),
            PortName::Quotas => self.quotas.is_some(),
            PortName::Tables => self.tables.is_some(),
            PortName::Workloads => self.workloads.is_some(),
            PortName::Traffic => self.traffic.is_some(),
            PortName::Deployments => self.deployments.is_some(),
            PortName::Health => self.health.is_some(),
        }
    }

    /// Which of `needed` are not configured.
    pub fn missing(&self, needed: &[PortName]) -> Vec<PortName> {
        needed.iter().copied().filter(|p| !self.has(*p)).collect()
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

macro_rules! port_getters {
    ($($field:ident: $trait:ident => $name:ident),* $(,)?) => {
        impl Providers {
            $(
                #[doc = concat!("The `", stringify!($field), "` port, or an error naming `runbook`.")]
                ///
                /// # Errors
                ///
                /// When the port is not configured.
                pub fn $field(&self, runbook: &str) -> Result<Arc<dyn $trait>> {
                    self.$field.clone().ok_or_else(|| missing_ports(runbook, &[PortName::$name]))
                }
            )*
        }
    };
}

port_getters!(
    endpoint: ModelEndpoint => Endpoint,
    metrics: Metrics => Metrics,
    logs: Logs => Logs,
    cache_stats: CacheStats => CacheStats,
    cache_cluster: CacheCluster => CacheCluster,
    budget: Budget => Budget,
    quotas: Quotas => Quotas,
    tables: Tables => Tables,
    workloads: Workloads => Workloads,
    traffic: TrafficControl => Traffic,
    deployments: Deployments => Deployments,
    health: CloudHealth => Health,
);

impl fmt::Debug for Providers {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fn show<T: ?Sized + fmt::Display>(p: &Option<Arc<T>>) -> String {
            p.as_ref().map_or_else(|| "-".to_owned(), |p| p.to_string())
        }
        f.debug_struct("Providers")
            .field("clock", &format_args!("{:?}", self.clock))
            .field("endpoint", &show(&self.endpoint))
            .field("metrics", &show(&self.metrics))
            .field("logs", &show(&self.logs))
            .field("cache_stats", &show(&self.cache_stats))
            .field("cache_cluster", &show(&self.cache_cluster))
            .field("budget", &show(&self.budget))
            .field("quotas", &show(&self.quotas))
            .field("tables", &show(&self.tables))
            .field("workloads", &show(&self.workloads))
            .field("traffic", &show(&self.traffic))
            .field("deployments", &show(&self.deployments))
            .field("health", &show(&self.health))
            .finish()
    }
}
