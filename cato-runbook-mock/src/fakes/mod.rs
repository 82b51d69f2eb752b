//! One fake per port, each a handle on a [`World`].
//!
//! A fake answers as its service would — same states, same errors, same time it takes — from
//! the world's shared state. Every call is recorded ([`World::calls`]) and passes the world's
//! fault rules first ([`World::faults`]). Mutating calls honour their idempotency key: a repeat
//! with the same key and arguments answers as the first call did without applying again; with
//! other arguments it is a [`Conflict`](cato_runbook_core::ErrorKind::Conflict).

mod alarms;
mod budget;
mod cache;
mod changes;
mod chat;
mod endpoint;
mod lease;
mod logs;
mod mail;
mod metrics;
mod pager;
mod quotas;
mod store;
mod tables;
mod traffic;
mod workloads;

use std::collections::BTreeMap;
use std::fmt;
use std::sync::Arc;

use cato_runbook_core::ports::{
    Alarms, Budget, CacheCluster, CacheStats, Chat, Clock, CloudHealth, Deployments, IncidentStore,
    Lease, Logs, Mail, Metrics, ModelEndpoint, Pager, Quotas, Tables, TrafficControl, Workloads,
};

pub use lease::FakeLease;
pub use logs::FilterPattern;

use crate::world::World;
use cato_runbook_core::catalog::Providers;
use cato_runbook_core::engine::{Engine, EngineBuilder};

macro_rules! fakes {
    ($( $(#[$doc:meta])* $fake:ident, $ctor:ident, $name:literal; )*) => {$(
        $(#[$doc])*
        #[derive(Debug, Clone)]
        pub struct $fake {
            world: World,
        }

        impl $fake {
            /// The fake of `world`.
            pub fn new(world: &World) -> Self {
                $fake { world: world.clone() }
            }

            /// The world it belongs to.
            pub fn world(&self) -> &World {
                &self.world
            }
        }

        impl fmt::Display for $fake {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str($name)
            }
        }

        impl World {
            #[doc = concat!("The world's [`", stringify!($fake), "`].")]
            pub fn $ctor(&self) -> $fake {
                $fake::new(self)
            }
        }
    )*};
}

/// SageMaker's endpoints of one region (the world's home region unless made with
/// [`World::model_endpoint_in`]): an update goes through `Updating` (and `RollingBack` when the
/// config's fleet fails its health check) before `InService`; new instances serve only when the
/// capacity change completes. Another region's fake sees only that region's endpoints and
/// configs, and records its calls with the region among their arguments.
#[derive(Debug, Clone)]
pub struct FakeModelEndpoint {
    world: World,
    /// `None`: the home region.
    region: Option<String>,
}

impl FakeModelEndpoint {
    /// The fake of `world`'s home region.
    pub fn new(world: &World) -> Self {
        FakeModelEndpoint {
            world: world.clone(),
            region: None,
        }
    }

    /// The fake of `world`'s region `region` (the home region's when it names that).
    pub fn in_region(world: &World, region: &str) -> Self {
        let home = world.config().region == region;
        FakeModelEndpoint {
            world: world.clone(),
            region: (!home).then(|| region.to_owned()),
        }
    }

    /// The world it belongs to.
    pub fn world(&self) -> &World {
        &self.world
    }
}

impl fmt::Display for FakeModelEndpoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.region {
            Some(region) => write!(f, "fake sagemaker {region}"),
            None => f.write_str("fake sagemaker"),
        }
    }
}

impl World {
    /// The world's [`FakeModelEndpoint`] of its home region.
    pub fn model_endpoint(&self) -> FakeModelEndpoint {
        FakeModelEndpoint::new(self)
    }

    /// The world's [`FakeModelEndpoint`] of `region`.
    pub fn model_endpoint_in(&self, region: &str) -> FakeModelEndpoint {
        FakeModelEndpoint::in_region(self, region)
    }
}

/// A deployment history: the world's one history, or one of its
/// [`deployment_sources`](crate::WorldConfig::deployment_sources), which a
/// `deployment_source_down` change makes unreachable (a transient
/// [`Unavailable`](cato_runbook_core::ErrorKind::Unavailable)).
#[derive(Debug, Clone)]
pub struct FakeDeployments {
    world: World,
    /// `None`: the world's one history.
    source: Option<String>,
}

impl FakeDeployments {
    /// The fake of `world`'s deployments: its one history, or its first source.
    pub fn new(world: &World) -> Self {
        FakeDeployments {
            world: world.clone(),
            source: world.config().source_of(None),
        }
    }

    /// The fake of `world`'s source of deployments `source`.
    pub fn of_source(world: &World, source: &str) -> Self {
        FakeDeployments {
            world: world.clone(),
            source: Some(source.to_owned()),
        }
    }

    /// The world it belongs to.
    pub fn world(&self) -> &World {
        &self.world
    }

    /// The source it reads (`None`: the world's one history).
    pub fn source(&self) -> Option<&str> {
        self.source.as_deref()
    }
}

impl fmt::Display for FakeDeployments {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.source {
            Some(source) => write!(f, "fake {source} deployments"),
            None => f.write_str("fake deployment history"),
        }
    }
}

impl World {
    /// The world's [`FakeDeployments`]: its one history, or its first source.
    pub fn deployments(&self) -> FakeDeployments {
        FakeDeployments::new(self)
    }

    /// The world's [`FakeDeployments`] of the source `source`.
    pub fn deployments_of(&self, source: &str) -> FakeDeployments {
        FakeDeployments::of_source(self, source)
    }

    /// The deployments port: the one history, or every source combined as
    /// [`AllDeployments`](cato_runbook_core::ports::AllDeployments) reads them.
    pub fn deployments_port(&self) -> Arc<dyn Deployments> {
        let sources = &self.config().deployment_sources;
        if sources.is_empty() {
            return Arc::new(self.deployments());
        }
        let mut all = cato_runbook_core::ports::AllDeployments::new();
        for source in sources {
            all.push(Arc::new(self.deployments_of(source)));
        }
        Arc::new(all)
    }
}

fakes! {
    /// CloudWatch metrics: series computed minute by minute from the world's state (p99 from
    /// seeded samples), plus the custom metrics put into it. Dimensions must match exactly, a
    /// period is a multiple of 60 s starting at the query's start, and only complete minutes
    /// have data. The world publishes:
    ///
    /// | namespace | metrics | dimensions |
    /// |-----------|---------|------------|
    /// | `AWS/SageMaker` | `ModelLatency` (microseconds, as SageMaker's), `Invocations`, `Invocation5XXErrors`, `Invocation4XXErrors`, `InvocationsPerInstance` | `EndpointName`, or `EndpointName` + `VariantName` |
    /// | `AWS/ElastiCache` | `CacheHits`, `CacheMisses`, `Evictions`, `CacheHitRate` (%) | `CacheClusterId` (the group id, or its first node `<id>-001`) |
    /// | `AWS/DynamoDB` | `ConsumedReadCapacityUnits`, `ConsumedWriteCapacityUnits` (per minute: divide a `Sum` by the period's seconds), `ProvisionedReadCapacityUnits`, `ProvisionedWriteCapacityUnits`, `ReadThrottleEvents`, `WriteThrottleEvents`, `ThrottledRequests` | `TableName` |
    /// | `AWS/Bedrock` | `Invocations`, `InvocationThrottles`, `InvocationLatency` (ms) | `ModelId` |
    /// | `Custom/Cato` | `CacheInvalidations`, `RequestLatency` (ms, end to end) | none |
    FakeMetrics, metrics, "fake cloudwatch";
    /// CloudWatch alarms, paged by name: scripted ones hold their state until a
    /// [`WorldChange::AlarmState`](crate::WorldChange::AlarmState); an alarm on a metric is
    /// evaluated at each minute from the world's metrics, `INSUFFICIENT_DATA` when the metric
    /// has no data (see [`AlarmSpec`](crate::config::AlarmSpec)).
    FakeAlarms, alarms, "fake cloudwatch alarms";
    /// CloudWatch Logs: the lines the world's services write, filtered by CloudWatch Logs
    /// filter patterns (terms, quoted phrases, `?` alternatives, `-` exclusions).
    FakeLogs, logs, "fake cloudwatch logs";
    /// Redis `INFO stats`: lifetime counters that grow with the traffic and restart with the
    /// server.
    FakeCacheStats, cache_stats, "fake redis";
    /// ElastiCache replication groups: a node-type change stays `modifying` for a while, then
    /// the new nodes serve (and Redis's counters restart).
    FakeCacheCluster, cache_cluster, "fake elasticache";
    /// Cato's budget API: EMERGENCY when spend reaches the limit, reset at the month boundary.
    FakeBudget, budget, "fake cato budget api";
    /// Service Quotas: increase requests move from `PENDING` to a decision over time.
    FakeQuotas, quotas, "fake service quotas";
    /// DynamoDB tables: billing mode, capacity, throttling; `update-table` stays `UPDATING`
    /// for a while.
    FakeTables, tables, "fake dynamodb";
    /// Kubernetes Deployments: ready replicas lag a scale-up.
    FakeWorkloads, workloads, "fake kubernetes";
    /// Cato's traffic controls.
    FakeTrafficControl, traffic, "fake cato traffic api";
    /// The AWS Health Dashboard.
    FakeCloudHealth, cloud_health, "fake aws health";
    /// PagerDuty Events v2: one alert per dedup key until resolved; acknowledge and resolve of
    /// a resolved alert are dropped; a trigger after a resolve opens a new alert; 429 beyond
    /// the per-minute event limit.
    FakePager, pager, "fake pagerduty";
    /// Slack: channels and threads.
    FakeChat, chat, "fake slack";
    /// Email, as the AWS TAM is reached: every message recorded.
    FakeMail, mail, "fake mail";
    /// The incident store (in memory, shared by every replica of the world).
    FakeIncidentStore, incident_store, "fake incident store";
}

macro_rules! fake_ports {
    ([] $($field:ident: $trait:ident => $name:ident, $config:literal, $doc:literal;)*) => {
        /// Every port of one world, as the trait objects an engine takes: the catalog's ports
        /// (from the same table as [`Providers`], so the two never drift apart) and the
        /// engine's own.
        #[derive(Debug, Clone)]
        pub struct FakePorts {
            $(
                #[doc = $doc]
                pub $field: Arc<dyn $trait>,
            )*
            /// The pager.
            pub pager: Arc<dyn Pager>,
            /// Chat.
            pub chat: Arc<dyn Chat>,
            /// Mail.
            pub mail: Arc<dyn Mail>,
            /// The incident store the engine writes (the one `incidents` reads).
            pub store: Arc<dyn IncidentStore>,
            /// The leader lease, as one replica.
            pub lease: Arc<dyn Lease>,
            /// The endpoint port of each region but the home one, by region.
            pub region_endpoints: BTreeMap<String, Arc<dyn ModelEndpoint>>,
        }

        impl FakePorts {
            /// The catalog's ports of this world, on `clock`.
            pub fn providers(&self, clock: Arc<dyn Clock>) -> Providers {
                let mut providers = Providers::new(clock);
                $(providers.$field = Some(self.$field.clone());)*
                providers.region_endpoints = self.region_endpoints.clone();
                providers
            }
        }
    };
}

cato_runbook_core::catalog_ports!(fake_ports);

impl World {
    /// An engine builder wired to this world: its virtual clock, and the incident store, pager,
    /// chat, mail, lease and budget (whose mode gates steps that add spend) of `ports`. Add
    /// runbooks, a policy and settings, then build.
    pub fn engine_builder(&self, ports: &FakePorts) -> EngineBuilder {
        Engine::builder()
            .clock(self.clock_handle())
            .budget(ports.budget.clone())
            .store(ports.store.clone())
            .pager(ports.pager.clone())
            .chat(ports.chat.clone())
            .mail(ports.mail.clone())
            .lease(ports.lease.clone())
    }

    /// Every fake of the world, with the lease as replica `replica`.
    pub fn ports(&self, replica: &str) -> FakePorts {
        FakePorts {
            endpoint: Arc::new(self.model_endpoint()),
            metrics: Arc::new(self.metrics()),
            logs: Arc::new(self.logs()),
            alarms: Arc::new(self.alarms()),
            cache_stats: Arc::new(self.cache_stats()),
            cache_cluster: Arc::new(self.cache_cluster()),
            budget: Arc::new(self.budget()),
            quotas: Arc::new(self.quotas()),
            tables: Arc::new(self.tables()),
            workloads: Arc::new(self.workloads()),
            traffic: Arc::new(self.traffic()),
            deployments: self.deployments_port(),
            health: Arc::new(self.cloud_health()),
            incidents: Arc::new(self.incident_store()),
            pager: Arc::new(self.pager()),
            chat: Arc::new(self.chat()),
            mail: Arc::new(self.mail()),
            store: Arc::new(self.incident_store()),
            lease: Arc::new(self.lease(replica)),
            region_endpoints: self
                .config()
                .other_regions()
                .into_iter()
                .map(|region| {
                    let port: Arc<dyn ModelEndpoint> = Arc::new(self.model_endpoint_in(region));
                    (region.to_owned(), port)
                })
                .collect(),
        }
    }
}
