//! Changes to a world from outside its ports: what goes wrong in a game day.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::config::CrashCause;

fn default_crash() -> CrashCause {
    CrashCause::CrashLoop
}

fn default_namespace() -> String {
    "cato".into()
}

fn default_workload() -> String {
    "cato-orchestrator".into()
}

/// Something that happens to the world (not through a port): an outage, a traffic surge, a
/// spend spike. Applied now with [`World::apply`](crate::World::apply) or at a virtual time
/// with [`World::schedule`](crate::World::schedule).
///
/// In data, a change is tagged by `change`:
/// `{ change = "endpoint_loses_instances", endpoint = "cato-shadow-self", cause = "oom" }`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "change", rename_all = "snake_case", deny_unknown_fields)]
#[non_exhaustive]
pub enum WorldChange {
    /// Every instance of the endpoint's fleet goes away and stays away until an
    /// `update-endpoint` brings up a new fleet (the runbook's restart).
    EndpointLosesInstances {
        /// The endpoint.
        endpoint: String,
        /// Why; it shapes the endpoint's logs.
        #[serde(default = "default_crash")]
        cause: CrashCause,
    },
    /// A share of the endpoint's requests answer 5XX, whatever its capacity (0 stops it).
    EndpointErrorRate {
        /// The endpoint.
        endpoint: String,
        /// The share, `0.0 ..= 1.0`.
        rate: f64,
    },
    /// The model answers `factor` times slower (1 restores it).
    EndpointSlowdown {
        /// The endpoint.
        endpoint: String,
        /// The factor, at least 0.
        factor: f64,
    },
    /// The endpoint goes to `Failed` until an `update-endpoint`.
    EndpointFails {
        /// The endpoint.
        endpoint: String,
        /// Its failure reason.
        reason: String,
    },
    /// An endpoint config becomes broken (its fleet never passes the health check) or, without
    /// a cause, is repaired.
    ConfigBroken {
        /// The config.
        config: String,
        /// How its fleet fails; `None` repairs it.
        #[serde(default)]
        cause: Option<CrashCause>,
    },
    /// User traffic changes (a surge, a lull).
    RequestRate {
        /// User requests per minute.
        requests_per_minute: f64,
    },
    /// The cache's hit ratio at full memory changes (a query-pattern change, an aggressive
    /// invalidation after learning).
    CacheHitRatio {
        /// The cache.
        cache: String,
        /// The ratio, `0.0 ..= 1.0`.
        ratio: f64,
    },
    /// The data the workload would like cached changes; beyond the node's memory, evictions
    /// start and the hit ratio falls.
    CacheWorkingSet {
        /// The cache.
        cache: String,
        /// GiB.
        gib: f64,
    },
    /// Cache invalidations per minute change.
    CacheInvalidations {
        /// The cache.
        cache: String,
        /// Per minute.
        per_minute: f64,
    },
    /// The cache server restarts: its counters start again from zero under a new run id.
    CacheRestart {
        /// The cache.
        cache: String,
    },
    /// This month's spend becomes `usd`.
    Spend {
        /// US dollars.
        usd: f64,
    },
    /// This month's spend reaches the limit: the budget turns EMERGENCY.
    SpendReachesLimit,
    /// A share of Bedrock calls is throttled whatever the quota (0 stops it).
    BedrockThrottling {
        /// The share, `0.0 ..= 1.0`.
        share: f64,
    },
    /// A table's demand changes.
    TableDemand {
        /// The table.
        table: String,
        /// Read capacity units per second; unchanged when absent.
        #[serde(default)]
        read: Option<f64>,
        /// Write capacity units per second; unchanged when absent.
        #[serde(default)]
        write: Option<f64>,
    },
    /// A share of a table's demand lands on one partition (a hot key).
    TableHotPartition {
        /// The table.
        table: String,
        /// The share, `0.0 ..= 1.0`.
        share: f64,
    },
    /// Every pod of a workload dies; they come back one by one.
    PodsLost {
        /// The namespace.
        namespace: String,
        /// The workload.
        name: String,
    },
    /// A new pod template rolls out on a workload (`kubectl set image`): a new revision, or, for
    /// an image one of its revisions runs, that revision again. Its overhead serves once its
    /// pods are ready (`pod_startup` later); it is recorded as a deployment of the workload.
    Rollout {
        /// The namespace. Default `cato`.
        #[serde(default = "default_namespace")]
        namespace: String,
        /// The workload. Default `cato-orchestrator`.
        #[serde(default = "default_workload")]
        name: String,
        /// The image, e.g. `cato/orchestrator:v2`.
        image: String,
        /// Its `kubernetes.io/change-cause`.
        #[serde(default)]
        change_cause: Option<String>,
        /// Who rolled it out.
        #[serde(default)]
        author: Option<String>,
        /// The median overhead its replicas add to a request, ms; the serving revision's when
        /// absent.
        #[serde(default)]
        overhead_ms: Option<f64>,
    },
    /// A deployment happens.
    Deploy {
        /// What.
        service: String,
        /// Its version.
        version: String,
        /// Who.
        #[serde(default)]
        author: Option<String>,
        /// What changed.
        #[serde(default)]
        description: String,
        /// The source that records it (one of the world's `deployment_sources`); the first, or
        /// the one history, when absent.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        source: Option<String>,
    },
    /// A source of deployments stops answering: its reads fail as unreachable (transient).
    DeploymentSourceDown {
        /// The source (one of the world's `deployment_sources`).
        source: String,
    },
    /// A source of deployments answers again.
    DeploymentSourceUp {
        /// The source.
        source: String,
    },
    /// A cloud health event opens.
    HealthEvent {
        /// e.g. `SAGEMAKER`.
        service: String,
        /// e.g. `us-east-1`.
        region: String,
        /// What the provider says.
        description: String,
    },
    /// The open health events of a service in a region close.
    HealthEventResolved {
        /// e.g. `SAGEMAKER`.
        service: String,
        /// e.g. `us-east-1`.
        region: String,
    },
    /// An alarm's state is set (`SetAlarmState`): a metric alarm's until its next evaluation.
    AlarmState {
        /// The alarm.
        alarm: String,
        /// Its new state.
        state: cato_runbook_core::ports::AlarmValue,
        /// Why.
        #[serde(default)]
        reason: String,
    },
    /// A line is logged.
    Log {
        /// The group (created if new).
        group: String,
        /// The stream.
        stream: String,
        /// The message.
        message: String,
    },
}

impl fmt::Display for WorldChange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            WorldChange::EndpointLosesInstances { endpoint, cause } => {
                write!(f, "{endpoint} loses all instances ({cause:?})")
            }
            WorldChange::EndpointErrorRate { endpoint, rate } => {
                write!(f, "{endpoint} answers {:.0} % 5XX", rate * 100.0)
            }
            WorldChange::EndpointSlowdown { endpoint, factor } => {
                write!(f, "{endpoint} model {factor}× slower")
            }
            WorldChange::EndpointFails { endpoint, reason } => {
                write!(f, "{endpoint} fails: {reason}")
            }
            WorldChange::ConfigBroken { config, cause } => match cause {
                Some(cause) => write!(f, "config {config} broken ({cause:?})"),
                None => write!(f, "config {config} repaired"),
            },
            WorldChange::RequestRate {
                requests_per_minute,
            } => write!(f, "traffic at {requests_per_minute} requests/min"),
            WorldChange::CacheHitRatio { cache, ratio } => {
                write!(f, "{cache} hit ratio {:.0} %", ratio * 100.0)
            }
            WorldChange::CacheWorkingSet { cache, gib } => {
                write!(f, "{cache} working set {gib} GiB")
            }
            WorldChange::CacheInvalidations { cache, per_minute } => {
                write!(f, "{cache} {per_minute} invalidations/min")
            }
            WorldChange::CacheRestart { cache } => write!(f, "{cache} restarts"),
            WorldChange::Spend { usd } => write!(f, "spend at ${usd}"),
            WorldChange::SpendReachesLimit => f.write_str("spend reaches the monthly limit"),
            WorldChange::BedrockThrottling { share } => {
                write!(f, "Bedrock throttles {:.0} %", share * 100.0)
            }
            WorldChange::TableDemand { table, read, write } => {
                write!(f, "{table} demand read {read:?} write {write:?}")
            }
            WorldChange::TableHotPartition { table, share } => {
                write!(f, "{table} hot partition {:.0} %", share * 100.0)
            }
            WorldChange::PodsLost { namespace, name } => {
                write!(f, "{namespace}/{name} loses its pods")
            }
            WorldChange::Rollout {
                namespace,
                name,
                image,
                ..
            } => write!(f, "roll out {image} on {namespace}/{name}"),
            WorldChange::Deploy {
                service, version, ..
            } => write!(f, "deploy {service} {version}"),
            WorldChange::DeploymentSourceDown { source } => {
                write!(f, "deployment source {source} down")
            }
            WorldChange::DeploymentSourceUp { source } => {
                write!(f, "deployment source {source} up")
            }
            WorldChange::HealthEvent {
                service, region, ..
            } => write!(f, "health event {service} {region}"),
            WorldChange::HealthEventResolved { service, region } => {
                write!(f, "health event {service} {region} resolved")
            }
            WorldChange::Log { group, message, .. } => write!(f, "log {group}: {message}"),
            WorldChange::AlarmState { alarm, state, .. } => write!(f, "alarm {alarm} {state}"),
        }
    }
}
