//! Names of port operations, as fault rules and call records use them.
//!
//! Each operation is `port.method`, e.g. `workloads.scale`. A selector ([`OpMatch`]) names one
//! operation, every operation of a port (`endpoint.*`) or all of them (`*`).

use std::fmt;
use std::str::FromStr;

use cato_runbook_core::{Error, Result};
use serde::{Deserialize, Serialize};

macro_rules! operations {
    ($( $(#[$doc:meta])* $variant:ident = $name:literal, $port:literal, $mutates:literal; )*) => {
        /// One operation of one port.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(try_from = "String", into = "String")]
        #[non_exhaustive]
        pub enum Op {
            $( $(#[$doc])* $variant, )*
        }

        impl Op {
            /// Every operation, port by port.
            pub const ALL: &'static [Op] = &[ $( Op::$variant, )* ];

            /// `port.method`, e.g. `workloads.scale`.
            pub fn as_str(self) -> &'static str {
                match self { $( Op::$variant => $name, )* }
            }

            /// The port, e.g. `workloads`.
            pub fn port(self) -> &'static str {
                match self { $( Op::$variant => $port, )* }
            }

            /// Whether the operation changes something (and so takes an idempotency key, or
            /// is a notification).
            pub fn mutates(self) -> bool {
                match self { $( Op::$variant => $mutates, )* }
            }
        }
    };
}

operations! {
    /// `ModelEndpoint::describe`.
    EndpointDescribe = "endpoint.describe", "endpoint", false;
    /// `ModelEndpoint::update_config`.
    EndpointUpdateConfig = "endpoint.update_config", "endpoint", true;
    /// `ModelEndpoint::list_configs`.
    EndpointListConfigs = "endpoint.list_configs", "endpoint", false;
    /// `ModelEndpoint::describe_config`.
    EndpointDescribeConfig = "endpoint.describe_config", "endpoint", false;
    /// `ModelEndpoint::set_instance_count`.
    EndpointSetInstanceCount = "endpoint.set_instance_count", "endpoint", true;
    /// `Metrics::query`.
    MetricsQuery = "metrics.query", "metrics", false;
    /// `Metrics::put`.
    MetricsPut = "metrics.put", "metrics", true;
    /// `Logs::filter`.
    LogsFilter = "logs.filter", "logs", false;
    /// `Alarms::describe`.
    AlarmsDescribe = "alarms.describe", "alarms", false;
    /// `CacheStats::counters`.
    CacheStatsCounters = "cache_stats.counters", "cache_stats", false;
    /// `CacheCluster::describe`.
    CacheClusterDescribe = "cache_cluster.describe", "cache_cluster", false;
    /// `CacheCluster::modify_node_type`.
    CacheClusterModifyNodeType = "cache_cluster.modify_node_type", "cache_cluster", true;
    /// `Budget::status`.
    BudgetStatus = "budget.status", "budget", false;
    /// `Budget::set_monthly_limit`.
    BudgetSetMonthlyLimit = "budget.set_monthly_limit", "budget", true;
    /// `Quotas::get`.
    QuotasGet = "quotas.get", "quotas", false;
    /// `Quotas::request_increase`.
    QuotasRequestIncrease = "quotas.request_increase", "quotas", true;
    /// `Quotas::request_status`.
    QuotasRequestStatus = "quotas.request_status", "quotas", false;
    /// `Tables::describe`.
    TablesDescribe = "tables.describe", "tables", false;
    /// `Tables::set_billing_mode`.
    TablesSetBillingMode = "tables.set_billing_mode", "tables", true;
    /// `Workloads::get`.
    WorkloadsGet = "workloads.get", "workloads", false;
    /// `Workloads::scale`.
    WorkloadsScale = "workloads.scale", "workloads", true;
    /// `Workloads::revisions`.
    WorkloadsRevisions = "workloads.revisions", "workloads", false;
    /// `Workloads::roll_back`.
    WorkloadsRollBack = "workloads.roll_back", "workloads", true;
    /// `TrafficControl::state`.
    TrafficState = "traffic.state", "traffic", false;
    /// `TrafficControl::set_shadow_self_share`.
    TrafficSetShadowSelfShare = "traffic.set_shadow_self_share", "traffic", true;
    /// `TrafficControl::set_cache_similarity_threshold`.
    TrafficSetCacheSimilarityThreshold = "traffic.set_cache_similarity_threshold", "traffic", true;
    /// `TrafficControl::set_emergency_mode`.
    TrafficSetEmergencyMode = "traffic.set_emergency_mode", "traffic", true;
    /// `TrafficControl::set_region_weights`.
    TrafficSetRegionWeights = "traffic.set_region_weights", "traffic", true;
    /// `Deployments::since`.
    DeploymentsSince = "deployments.since", "deployments", false;
    /// `CloudHealth::events`.
    CloudHealthEvents = "cloud_health.events", "cloud_health", false;
    /// `Pager::trigger`.
    PagerTrigger = "pager.trigger", "pager", true;
    /// `Pager::acknowledge`.
    PagerAcknowledge = "pager.acknowledge", "pager", true;
    /// `Pager::resolve`.
    PagerResolve = "pager.resolve", "pager", true;
    /// `Chat::post`.
    ChatPost = "chat.post", "chat", true;
    /// `Mail::send`.
    MailSend = "mail.send", "mail", true;
    /// `IncidentStore::create`.
    IncidentStoreCreate = "incident_store.create", "incident_store", true;
    /// `IncidentStore::update`.
    IncidentStoreUpdate = "incident_store.update", "incident_store", true;
    /// `IncidentStore::get`.
    IncidentStoreGet = "incident_store.get", "incident_store", false;
    /// `IncidentStore::open`.
    IncidentStoreOpen = "incident_store.open", "incident_store", false;
    /// `IncidentStore::open_versions`.
    IncidentStoreOpenVersions = "incident_store.open_versions", "incident_store", false;
    /// `IncidentStore::all`.
    IncidentStoreAll = "incident_store.all", "incident_store", false;
    /// `IncidentStore::awaiting_postmortem`.
    IncidentStoreAwaitingPostmortem = "incident_store.awaiting_postmortem", "incident_store", false;
    /// `IncidentStore::guardrails`.
    IncidentStoreGuardrails = "incident_store.guardrails", "incident_store", false;
    /// `IncidentStore::save_guardrails`.
    IncidentStoreSaveGuardrails = "incident_store.save_guardrails", "incident_store", true;
    /// `IncidentStore::delete_closed`.
    IncidentStoreDeleteClosed = "incident_store.delete_closed", "incident_store", true;
    /// `Lease::acquire`.
    LeaseAcquire = "lease.acquire", "lease", true;
    /// `Lease::release`.
    LeaseRelease = "lease.release", "lease", true;
}

impl Op {
    /// Every port name, in the order of [`Op::ALL`].
    pub fn ports() -> Vec<&'static str> {
        let mut ports: Vec<&'static str> = Vec::new();
        for op in Op::ALL {
            if !ports.contains(&op.port()) {
                ports.push(op.port());
            }
        }
        ports
    }
}

impl fmt::Display for Op {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Op {
    type Err = Error;

    fn from_str(text: &str) -> Result<Self> {
        Op::ALL
            .iter()
            .copied()
            .find(|op| op.as_str() == text)
            .ok_or_else(|| {
                Error::invalid_input(
                    "op.parse",
                    format!("{text:?} is not an operation; operations are port.method, e.g. workloads.scale"),
                )
            })
    }
}

impl TryFrom<String> for Op {
    type Error = Error;
    fn try_from(text: String) -> Result<Self> {
        text.parse()
    }
}

impl From<Op> for String {
    fn from(op: Op) -> String {
        op.as_str().to_owned()
    }
}

/// Which operations a fault rule or a call query is about. In data: `"*"`, `"endpoint.*"` or
/// `"endpoint.describe"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(into = "String")]
pub enum OpMatch {
    /// Every operation (`*`).
    Any,
    /// Every operation of one port (`endpoint.*`).
    Port(&'static str),
    /// One operation (`endpoint.describe`).
    Op(Op),
}

impl OpMatch {
    /// Every operation of `port` (`endpoint`, `workloads`, …).
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidInput`](cato_runbook_core::ErrorKind::InvalidInput) for a port that
    /// does not exist.
    pub fn port(port: &str) -> Result<Self> {
        Op::ports()
            .into_iter()
            .find(|p| *p == port)
            .map(OpMatch::Port)
            .ok_or_else(|| {
                Error::invalid_input(
                    "op.parse",
                    format!(
                        "{port:?} is not a port; ports are {}",
                        Op::ports().join(", ")
                    ),
                )
            })
    }

    /// Whether `op` is selected.
    pub fn matches(self, op: Op) -> bool {
        match self {
            OpMatch::Any => true,
            OpMatch::Port(port) => op.port() == port,
            OpMatch::Op(one) => one == op,
        }
    }
}

impl From<Op> for OpMatch {
    fn from(op: Op) -> Self {
        OpMatch::Op(op)
    }
}

impl FromStr for OpMatch {
    type Err = Error;

    /// `*`, `port.*` or `port.method`.
    fn from_str(text: &str) -> Result<Self> {
        if text == "*" {
            return Ok(OpMatch::Any);
        }
        if let Some(port) = text.strip_suffix(".*") {
            return OpMatch::port(port);
        }
        text.parse().map(OpMatch::Op)
    }
}

impl<'de> Deserialize<'de> for OpMatch {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

impl From<OpMatch> for String {
    fn from(selector: OpMatch) -> String {
        selector.to_string()
    }
}

impl fmt::Display for OpMatch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            OpMatch::Any => f.write_str("*"),
            OpMatch::Port(port) => write!(f, "{port}.*"),
            OpMatch::Op(op) => f.write_str(op.as_str()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for op in Op::ALL {
            assert_eq!(op.as_str().parse::<Op>().unwrap(), *op);
            assert!(op.as_str().starts_with(op.port()));
        }
        assert!("workloads.shrink".parse::<Op>().is_err());
    }

    #[test]
    fn selectors() {
        let port: OpMatch = "endpoint.*".parse().unwrap();
        assert!(port.matches(Op::EndpointDescribe));
        assert!(!port.matches(Op::WorkloadsScale));
        assert!("*".parse::<OpMatch>().unwrap().matches(Op::ChatPost));
        assert!("nowhere.*".parse::<OpMatch>().is_err());
        let json = serde_json::to_string(&OpMatch::Op(Op::WorkloadsScale)).unwrap();
        assert_eq!(json, "\"workloads.scale\"");
        assert_eq!(
            serde_json::from_str::<OpMatch>("\"pager.*\"").unwrap(),
            OpMatch::Port("pager")
        );
    }
}
