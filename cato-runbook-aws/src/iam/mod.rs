//! The least-privilege IAM policy: the exact AWS actions the providers of this crate call, per
//! port, gathered for the runbooks that use them.
//!
//! The table below is the source of truth for the policy and is checked by the tests: every
//! AWS call a provider makes is recorded and must be listed here for its port, and every action
//! listed here is made by some test.
//!
//! | port | provider | actions |
//! |---|---|---|
//! | `endpoint` | [`SageMakerEndpoint`](crate::sagemaker) | `sagemaker:DescribeEndpoint`, `sagemaker:ListEndpointConfigs`, `sagemaker:DescribeEndpointConfig`; `sagemaker:UpdateEndpoint`, `sagemaker:UpdateEndpointWeightsAndCapacities` |
//! | `metrics` | [`CloudWatchMetrics`](crate::cloudwatch) | `cloudwatch:GetMetricData`; `cloudwatch:PutMetricData` |
//! | `alarms` (with `[runbooks.alarms]` rules) | [`CloudWatchAlarms`](crate::cloudwatch::CloudWatchAlarms) | `cloudwatch:DescribeAlarms` |
//! | `logs` | [`CloudWatchLogs`](crate::cloudwatch_logs) | `logs:FilterLogEvents` |
//! | `cache_cluster` | [`ElastiCacheCluster`](crate::elasticache) | `elasticache:DescribeReplicationGroups`; `elasticache:ModifyReplicationGroup` |
//! | `tables` | [`DynamoDbTables`](crate::dynamodb) | `dynamodb:DescribeTable`; `dynamodb:UpdateTable` |
//! | `quotas` | [`ServiceQuotas`](crate::service_quotas) | `servicequotas:GetServiceQuota`, `servicequotas:GetRequestedServiceQuotaChange`, `servicequotas:ListRequestedServiceQuotaChangeHistoryByQuota`; `servicequotas:RequestServiceQuotaIncrease` |
//! | `deployments` | [`SageMakerDeployments`](crate::sagemaker) | `sagemaker:DescribeEndpoint`, `sagemaker:ListEndpointConfigs` |
//! | `health` | [`AwsHealth`](crate::health) | `health:DescribeEvents`, `health:DescribeAffectedEntities` |
//!
//! (Before the semicolon: what diagnosis reads; after it: what mitigation changes.)
//!
//! No runbook needs `deployments` or `health` (the first five minutes run where they are
//! configured): [`Policy::with_ports`] adds them when `[providers.deployments]` and
//! `[providers.health]` are.
//!
//! A service on replicas also keeps its state in DynamoDB ([`Policy::with_state`]):
//!
//! | what | provider | actions |
//! |---|---|---|
//! | the incident store | [`DynamoDbIncidentStore`](crate::dynamodb::DynamoDbIncidentStore) | `dynamodb:GetItem`, `dynamodb:Query`, `dynamodb:Scan`; `dynamodb:TransactWriteItems` |
//! | the lease | [`DynamoDbLease`](crate::dynamodb::DynamoDbLease) | `dynamodb:GetItem`; `dynamodb:PutItem`, `dynamodb:UpdateItem` |
//! | making the table (`create_table`) | [`create_table`](crate::dynamodb::create_table) | `dynamodb:DescribeTable`; `dynamodb:CreateTable` |
//!
//! ```
//! use cato_runbook_aws::iam::{self, Scope};
//! use cato_runbook_core::catalog::PortName;
//!
//! let policy = iam::policy_for_ports(&[PortName::Endpoint, PortName::Logs], Scope::ReadOnly);
//! assert_eq!(
//!     policy.actions().into_iter().collect::<Vec<_>>(),
//!     [
//!         "logs:FilterLogEvents",
//!         "sagemaker:DescribeEndpoint",
//!         "sagemaker:DescribeEndpointConfig",
//!         "sagemaker:ListEndpointConfigs",
//!     ]
//! );
//! assert!(policy.to_json().contains("\"Version\": \"2012-10-17\""));
//! ```

use std::collections::{BTreeMap, BTreeSet};

use cato_runbook_core::catalog::{CatalogConfig, Entry, PortName};
use serde::Serialize;

/// Whether an action only reads or also changes something.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Access {
    /// Reads: what diagnosis and dry runs need.
    Read,
    /// Changes: what applying a mitigation needs.
    Write,
}

/// One IAM action a provider calls.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct Action {
    /// `service:Operation`, e.g. `sagemaker:DescribeEndpoint`.
    pub name: &'static str,
    /// Whether it reads or changes.
    pub access: Access,
}

const fn read(name: &'static str) -> Action {
    Action {
        name,
        access: Access::Read,
    }
}

const fn write(name: &'static str) -> Action {
    Action {
        name,
        access: Access::Write,
    }
}

const ENDPOINT: &[Action] = &[
    read("sagemaker:DescribeEndpoint"),
    read("sagemaker:ListEndpointConfigs"),
    read("sagemaker:DescribeEndpointConfig"),
    write("sagemaker:UpdateEndpoint"),
    write("sagemaker:UpdateEndpointWeightsAndCapacities"),
];
const METRICS: &[Action] = &[
    read("cloudwatch:GetMetricData"),
    write("cloudwatch:PutMetricData"),
];
const ALARMS: &[Action] = &[read("cloudwatch:DescribeAlarms")];
const LOGS: &[Action] = &[read("logs:FilterLogEvents")];
const CACHE_CLUSTER: &[Action] = &[
    read("elasticache:DescribeReplicationGroups"),
    write("elasticache:ModifyReplicationGroup"),
];
const TABLES: &[Action] = &[
    read("dynamodb:DescribeTable"),
    write("dynamodb:UpdateTable"),
];
const QUOTAS: &[Action] = &[
    read("servicequotas:GetServiceQuota"),
    read("servicequotas:GetRequestedServiceQuotaChange"),
    read("servicequotas:ListRequestedServiceQuotaChangeHistoryByQuota"),
    write("servicequotas:RequestServiceQuotaIncrease"),
];

const DEPLOYMENTS: &[Action] = &[
    read("sagemaker:DescribeEndpoint"),
    read("sagemaker:ListEndpointConfigs"),
];
const HEALTH: &[Action] = &[
    read("health:DescribeEvents"),
    read("health:DescribeAffectedEntities"),
];

/// The actions of the DynamoDB incident store.
pub const STORE: &[Action] = &[
    read("dynamodb:GetItem"),
    read("dynamodb:Query"),
    read("dynamodb:Scan"),
    write("dynamodb:TransactWriteItems"),
    // IAM authorizes each item of a transaction as its own action: the store's transactions
    // put, update and delete items.
    write("dynamodb:PutItem"),
    write("dynamodb:UpdateItem"),
    write("dynamodb:DeleteItem"),
];

/// The actions of the DynamoDB lease.
pub const LEASE: &[Action] = &[
    read("dynamodb:GetItem"),
    write("dynamodb:PutItem"),
    write("dynamodb:UpdateItem"),
];

/// The actions of making the store's table.
pub const TABLE_SETUP: &[Action] = &[
    read("dynamodb:DescribeTable"),
    write("dynamodb:CreateTable"),
    // Closed incidents' items expire by their time to live.
    write("dynamodb:UpdateTimeToLive"),
];

/// Where a service keeps its state, for [`Policy::with_state`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct State {
    /// The incident store is a DynamoDB table.
    pub store: bool,
    /// The lease is a DynamoDB item.
    pub lease: bool,
    /// The service makes the table when it is missing.
    pub create_table: bool,
}

/// The AWS actions this crate's provider of `port` calls; empty for a port no AWS provider
/// serves (Redis counters, Kubernetes, HTTP APIs, …).
pub fn actions(port: PortName) -> &'static [Action] {
    match port {
        PortName::Endpoint => ENDPOINT,
        PortName::Metrics => METRICS,
        PortName::Logs => LOGS,
        PortName::Alarms => ALARMS,
        PortName::CacheCluster => CACHE_CLUSTER,
        PortName::Tables => TABLES,
        PortName::Quotas => QUOTAS,
        PortName::Deployments => DEPLOYMENTS,
        PortName::Health => HEALTH,
        _ => &[],
    }
}

/// Which actions a policy grants.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Scope {
    /// Everything the providers call: diagnosis and applying mitigations.
    #[default]
    All,
    /// Reads only: diagnosis and `mitigate --dry-run`.
    ReadOnly,
}

impl Scope {
    fn grants(self, action: &Action) -> bool {
        self == Scope::All || action.access == Access::Read
    }
}

/// An IAM policy document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Policy {
    #[serde(rename = "Version")]
    version: &'static str,
    #[serde(rename = "Statement")]
    statements: Vec<Statement>,
}

/// One `Allow` statement: the actions of one port.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Statement {
    /// e.g. `CatoRunbookEndpoint`.
    #[serde(rename = "Sid")]
    pub sid: String,
    /// Always `Allow`.
    #[serde(rename = "Effect")]
    pub effect: &'static str,
    /// The actions, sorted.
    #[serde(rename = "Action")]
    pub actions: Vec<&'static str>,
    /// `*`: GetMetricData, PutMetricData and FilterLogEvents take no narrower resource; narrow
    /// the others to the runbooks' ARNs when the account's names are known.
    #[serde(rename = "Resource")]
    pub resource: &'static str,
}

impl Policy {
    /// The statements, one per port that has AWS actions.
    pub fn statements(&self) -> &[Statement] {
        &self.statements
    }

    /// Every action the policy grants, sorted, once each.
    pub fn actions(&self) -> BTreeSet<&'static str> {
        self.statements
            .iter()
            .flat_map(|s| s.actions.iter().copied())
            .collect()
    }

    /// Whether the policy grants `action` (`service:Operation`).
    pub fn allows(&self, action: &str) -> bool {
        self.statements.iter().any(|s| s.actions.contains(&action))
    }

    /// Adds a statement for each of `ports` the policy has none for yet (the ports no runbook
    /// needs, served because they are configured: `deployments`, `health`).
    #[must_use]
    pub fn with_ports(mut self, ports: &[PortName], scope: Scope) -> Self {
        let more = policy_for_ports(ports, scope);
        for statement in more.statements {
            if !self.statements.iter().any(|s| s.sid == statement.sid) {
                self.statements.push(statement);
            }
        }
        self
    }

    /// Adds what a service's state in DynamoDB needs: the store's, the lease's and the table
    /// set-up's actions, a statement each.
    #[must_use]
    pub fn with_state(mut self, state: State) -> Self {
        for (wanted, sid, actions) in [
            (state.store, "CatoRunbookIncidentStore", STORE),
            (state.lease, "CatoRunbookLease", LEASE),
            (state.create_table, "CatoRunbookTableSetup", TABLE_SETUP),
        ] {
            if wanted {
                let mut names: Vec<&'static str> = actions.iter().map(|a| a.name).collect();
                names.sort_unstable();
                self.statements.push(Statement {
                    sid: sid.to_owned(),
                    effect: "Allow",
                    actions: names,
                    resource: "*",
                });
            }
        }
        self
    }

    /// The policy document as pretty-printed JSON.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_default()
    }
}

fn sid(port: PortName) -> String {
    let camel: String = port
        .as_str()
        .split('_')
        .map(|word| {
            let mut chars = word.chars();
            chars
                .next()
                .map(|c| c.to_ascii_uppercase().to_string() + chars.as_str())
                .unwrap_or_default()
        })
        .collect();
    format!("CatoRunbook{camel}")
}

/// The policy for providers of `ports`: one statement per port that has AWS actions.
pub fn policy_for_ports(ports: &[PortName], scope: Scope) -> Policy {
    let ports: BTreeSet<PortName> = ports.iter().copied().collect();
    let statements = ports
        .into_iter()
        .filter_map(|port| {
            let mut actions: Vec<&'static str> = actions(port)
                .iter()
                .filter(|a| scope.grants(a))
                .map(|a| a.name)
                .collect();
            actions.sort_unstable();
            actions.dedup();
            (!actions.is_empty()).then(|| Statement {
                sid: sid(port),
                effect: "Allow",
                actions,
                resource: "*",
            })
        })
        .collect();
    Policy {
        version: "2012-10-17",
        statements,
    }
}

/// The policy for the runbooks `entries` together: the ports they need, once each.
pub fn policy_for_runbooks(entries: &[&Entry], scope: Scope) -> Policy {
    let ports: Vec<PortName> = entries
        .iter()
        .flat_map(|e| e.needs.iter().copied())
        .collect();
    policy_for_ports(&ports, scope)
}

/// The ports runbook `entry` talks through as `catalog` configures it: what it needs, and the
/// alarms port when `[runbooks.alarms]` has rules for it.
pub fn configured_ports(entry: &Entry, catalog: &CatalogConfig) -> Vec<PortName> {
    let mut ports = entry.needs.to_vec();
    if !catalog.alarms.rules(entry.id).is_empty() {
        ports.push(PortName::Alarms);
    }
    ports
}

/// The policy for the runbooks `entries` together as `catalog` configures them
/// ([`configured_ports`]).
pub fn policy_for_configured(entries: &[&Entry], catalog: &CatalogConfig, scope: Scope) -> Policy {
    let ports: Vec<PortName> = entries
        .iter()
        .flat_map(|e| configured_ports(e, catalog))
        .collect();
    policy_for_ports(&ports, scope)
}

/// One policy per runbook as `catalog` configures it, by id.
pub fn policies_by_configured_runbook(
    entries: &[&Entry],
    catalog: &CatalogConfig,
    scope: Scope,
) -> BTreeMap<&'static str, Policy> {
    entries
        .iter()
        .map(|e| (e.id, policy_for_ports(&configured_ports(e, catalog), scope)))
        .collect()
}

/// One policy per runbook, by id.
pub fn policies_by_runbook(entries: &[&Entry], scope: Scope) -> BTreeMap<&'static str, Policy> {
    entries
        .iter()
        .map(|e| (e.id, policy_for_ports(e.needs, scope)))
        .collect()
}

#[cfg(test)]
mod tests;
