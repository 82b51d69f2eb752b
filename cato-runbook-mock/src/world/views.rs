//! The state as each port reports it.

use cato_runbook_core::Timestamp;
use cato_runbook_core::ports::{
    BudgetMode, BudgetStatus, CacheClusterState, EndpointDescription, TableState, Variant,
    WorkloadState,
};

use super::models::{EndpointModel, TableModel, WorkloadModel, next_month_start};
use super::state::State;

impl EndpointModel {
    pub(crate) fn describe(&self) -> EndpointDescription {
        EndpointDescription {
            name: self.name.clone(),
            status: self.status(),
            config_name: self.config.clone(),
            variants: vec![Variant {
                name: self.variant.clone(),
                current_instances: self.serving(),
                desired_instances: self.desired,
                weight: 1.0,
            }],
            failure_reason: self.failure_reason.clone(),
            last_modified: self.last_modified,
        }
    }
}

impl TableModel {
    pub(crate) fn describe(&self) -> TableState {
        let provisioned =
            self.reported_mode() == cato_runbook_core::ports::BillingMode::Provisioned;
        TableState {
            name: self.name.clone(),
            status: if self.pending.is_some() {
                "UPDATING".into()
            } else {
                "ACTIVE".into()
            },
            billing_mode: self.reported_mode(),
            read_capacity: if provisioned { self.read_capacity } else { 0 },
            write_capacity: if provisioned { self.write_capacity } else { 0 },
        }
    }
}

impl WorkloadModel {
    pub(crate) fn describe(&self, at: Timestamp) -> WorkloadState {
        WorkloadState {
            namespace: self.namespace.clone(),
            name: self.name.clone(),
            desired_replicas: self.desired,
            ready_replicas: self.ready(at),
        }
    }
}

impl State {
    pub(crate) fn cache_cluster(&self, i: usize) -> Option<CacheClusterState> {
        let c = self.caches.get(i)?;
        Some(CacheClusterState {
            id: c.id.clone(),
            status: if c.pending.is_some() {
                "modifying".into()
            } else {
                "available".into()
            },
            node_type: c.node_type.clone(),
            nodes: c.nodes,
        })
    }

    pub(crate) fn budget_status(&self, at: Timestamp) -> BudgetStatus {
        let b = &self.budget;
        let spent = b.spent(at, self.spend_rate_per_hour());
        let mode = if spent >= b.limit {
            BudgetMode::Emergency
        } else if spent >= b.limit * b.warning_ratio {
            BudgetMode::Warning
        } else {
            BudgetMode::Normal
        };
        BudgetStatus {
            mode,
            spent_usd: (spent * 100.0).round() / 100.0,
            monthly_limit_usd: b.limit,
            next_reset: next_month_start(at),
            curiosity_enabled: mode != BudgetMode::Emergency,
        }
    }
}
