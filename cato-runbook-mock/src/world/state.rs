//! The world's versioned state: everything that shapes metrics, logs and answers.

use cato_runbook_core::time::{self, Timestamp};

use super::models::{
    BudgetModel, CacheModel, ConfigModel, Counters, EndpointModel, QuotaModel, QuotaRequestModel,
    TableModel, TrafficModel, WorkloadModel,
};
use super::names::Names;
use super::rollouts::RevisionModel;
use crate::config::{EndpointSpec, WorldConfig};

/// The state of every simulated service at one moment. A new version is made (a clone) at
/// each change, so that metrics and logs of any past minute read the state of that minute.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct State {
    pub traffic: TrafficModel,
    pub endpoints: Vec<EndpointModel>,
    pub configs: Vec<ConfigModel>,
    pub caches: Vec<CacheModel>,
    pub tables: Vec<TableModel>,
    pub workloads: Vec<WorkloadModel>,
    pub budget: BudgetModel,
    pub quotas: Vec<QuotaModel>,
    pub requests: Vec<QuotaRequestModel>,
    /// A throttled share of Bedrock calls imposed from outside (0 = none).
    pub bedrock_forced_throttle: f64,
    /// The names of the alarms (their states are records).
    pub alarms: std::collections::BTreeSet<String>,
    /// Where each endpoint, cache and table is in its list (shared by the state's versions).
    names: std::sync::Arc<Names>,
}

impl State {
    pub(crate) fn from_config(config: &WorldConfig) -> State {
        let start = config.start;
        let t = &config.traffic;
        let mut configs: Vec<ConfigModel> = Vec::new();
        // An endpoint of the home region names none (its region, when given, is another one).
        let region_of = |e: &EndpointSpec| e.region.clone().filter(|r| *r != config.region);
        for e in &config.endpoints {
            let region = region_of(e);
            for spec in &e.configs {
                let seen = |c: &ConfigModel| c.name == spec.name && c.region == region;
                if configs.iter().any(seen) {
                    continue;
                }
                configs.push(ConfigModel {
                    name: spec.name.clone(),
                    region: region.clone(),
                    created_at: time::sub(start, spec.created_ago),
                    instances: spec.instances,
                    variant: e.variant.clone(),
                    instance_type: e.instance_type.clone(),
                    broken: spec.broken,
                });
            }
        }
        configs.sort_by(|a, b| a.created_at.cmp(&b.created_at).then(a.name.cmp(&b.name)));
        let last_modified = |e: &crate::config::EndpointSpec| {
            let region = region_of(e);
            configs
                .iter()
                .find(|c| c.name == e.current_config && c.region == region)
                .map_or(start, |c| c.created_at)
        };
        let mut endpoints: Vec<EndpointModel> = config
            .endpoints
            .iter()
            .map(|e| EndpointModel {
                name: e.name.clone(),
                region: region_of(e),
                variant: e.variant.clone(),
                config: e.current_config.clone(),
                failed: None,
                failure_reason: None,
                last_modified: last_modified(e),
                current: e.instances,
                desired: e.instances,
                op: None,
                crash: None,
                error_rate: 0.0,
                latency_factor: 1.0,
                load_share: e.load_share,
                per_instance_rpm: e.requests_per_minute_per_instance,
                latency_ms: e.model_latency_ms,
                sigma: e.latency_sigma,
                max_instances: e.max_instances,
                update_duration: e.update_duration,
                scale_duration: e.scale_duration,
                rollback_duration: e.rollback_duration,
                log_group: e.log_group(),
            })
            .collect();
        // The home region's first: the first endpoint serves Shadow Self traffic.
        endpoints.sort_by_key(|e| e.region.is_some());
        let mut state = State {
            traffic: TrafficModel {
                requests_per_minute: t.requests_per_minute,
                shadow_self_share: t.shadow_self_share,
                threshold: t.cache_similarity_threshold,
                threshold_start: t.cache_similarity_threshold,
                sensitivity: t.threshold_sensitivity,
                emergency_mode: t.emergency_mode,
                emergency_load_factor: t.emergency_load_factor,
                regions: t.regions.clone(),
                home_region: config.region.clone(),
            },
            endpoints,
            configs,
            caches: config
                .caches
                .iter()
                .map(|c| CacheModel {
                    id: c.id.clone(),
                    node_type: c.node_type.clone(),
                    nodes: c.nodes,
                    pending: None,
                    base_hit_ratio: c.base_hit_ratio,
                    working_set_gib: c.working_set_gib,
                    invalidations_per_minute: c.invalidations_per_minute,
                    expirations_per_second: c.expirations_per_second,
                    modify_duration: c.modify_duration,
                    run: 0,
                    counters: Counters::default(),
                    counted_at: time::sub(start, config.metrics.history),
                })
                .collect(),
            tables: config
                .tables
                .iter()
                .map(|tb| TableModel {
                    name: tb.name.clone(),
                    billing_mode: tb.billing_mode,
                    read_capacity: tb.read_capacity,
                    write_capacity: tb.write_capacity,
                    read_demand: tb.read_demand,
                    write_demand: tb.write_demand,
                    hot_partition_share: tb.hot_partition_share,
                    pending: None,
                    update_duration: tb.update_duration,
                })
                .collect(),
            workloads: config
                .workloads
                .iter()
                .map(|w| WorkloadModel {
                    namespace: w.namespace.clone(),
                    name: w.name.clone(),
                    desired: w.replicas,
                    ready_from: w.replicas,
                    changed_at: start,
                    startup: w.pod_startup,
                    stagger: w.pod_stagger,
                    per_replica_rpm: w.requests_per_minute_per_replica,
                    overhead_ms: w.overhead_ms,
                    revisions: vec![RevisionModel::first(&w.image, w.overhead_ms, start)],
                })
                .collect(),
            budget: BudgetModel {
                limit: config.budget.monthly_limit_usd,
                spent: config.budget.spent_usd,
                spent_at: start,
                usd_per_bedrock_request: config.budget.usd_per_bedrock_request,
                curiosity_usd_per_hour: config.budget.curiosity_usd_per_hour,
                fixed_rate: config.budget.spend_rate_usd_per_hour,
                warning_ratio: config.budget.warning_ratio,
            },
            quotas: config
                .quotas
                .quotas
                .iter()
                .map(|q| QuotaModel {
                    service: q.service.clone(),
                    code: q.code.clone(),
                    name: q.name.clone(),
                    value: q.value,
                })
                .collect(),
            requests: Vec::new(),
            bedrock_forced_throttle: 0.0,
            alarms: config.alarms.iter().map(|a| a.name.clone()).collect(),
            names: Default::default(),
        };
        state.names = std::sync::Arc::new(Names::of(
            state
                .endpoints
                .iter()
                .map(|e| (e.region.as_deref(), e.name.as_str())),
            state.caches.iter().map(|c| c.id.as_str()),
            state.tables.iter().map(|t| t.name.as_str()),
        ));
        state
    }

    /// Brings every accruing quantity (cache counters, spend) up to `at` at the current rates,
    /// so that a change made at `at` starts from the right values.
    pub(crate) fn settle(&mut self, at: Timestamp) {
        for i in 0..self.caches.len() {
            let counters = self.cache_counters(i, at);
            if let Some(cache) = self.caches.get_mut(i)
                && at > cache.counted_at
            {
                cache.counters = counters;
                cache.counted_at = at;
            }
        }
        if at > self.budget.spent_at {
            let rate = self.spend_rate_per_hour();
            self.budget.spent = self.budget.spent(at, rate);
            self.budget.spent_at = at;
        }
    }

    /// The home region's endpoint `name`.
    pub(crate) fn endpoint(&self, name: &str) -> Option<&EndpointModel> {
        self.endpoint_in(None, name)
    }

    pub(crate) fn endpoint_mut(&mut self, name: &str) -> Option<&mut EndpointModel> {
        self.endpoint_in_mut(None, name)
    }

    /// The endpoint `name` of `region` (`None`: the home region).
    pub(crate) fn endpoint_in(&self, region: Option<&str>, name: &str) -> Option<&EndpointModel> {
        self.endpoints.get(self.endpoint_index(region, name)?)
    }

    pub(crate) fn endpoint_in_mut(
        &mut self,
        region: Option<&str>,
        name: &str,
    ) -> Option<&mut EndpointModel> {
        let at = self.endpoint_index(region, name)?;
        self.endpoints.get_mut(at)
    }

    fn endpoint_index(&self, region: Option<&str>, name: &str) -> Option<usize> {
        found(self.names.endpoint(region, name), &self.endpoints, |e| {
            e.name == name && e.region.as_deref() == region
        })
    }

    /// The config `name` of `region` (`None`: the home region).
    pub(crate) fn config_in(&self, region: Option<&str>, name: &str) -> Option<&ConfigModel> {
        self.configs
            .iter()
            .find(|c| c.name == name && c.region.as_deref() == region)
    }

    pub(crate) fn cache_index(&self, id: &str) -> Option<usize> {
        found(self.names.cache(id), &self.caches, |c| c.id == id)
    }

    pub(crate) fn cache(&self, id: &str) -> Option<&CacheModel> {
        self.caches.get(self.cache_index(id)?)
    }

    pub(crate) fn cache_mut(&mut self, id: &str) -> Option<&mut CacheModel> {
        let at = self.cache_index(id)?;
        self.caches.get_mut(at)
    }

    fn table_index(&self, name: &str) -> Option<usize> {
        found(self.names.table(name), &self.tables, |t| t.name == name)
    }

    pub(crate) fn table(&self, name: &str) -> Option<&TableModel> {
        self.tables.get(self.table_index(name)?)
    }

    pub(crate) fn table_mut(&mut self, name: &str) -> Option<&mut TableModel> {
        let at = self.table_index(name)?;
        self.tables.get_mut(at)
    }

    pub(crate) fn workload(&self, namespace: &str, name: &str) -> Option<&WorkloadModel> {
        self.workloads
            .iter()
            .find(|w| w.namespace == namespace && w.name == name)
    }

    pub(crate) fn workload_mut(
        &mut self,
        namespace: &str,
        name: &str,
    ) -> Option<&mut WorkloadModel> {
        self.workloads
            .iter_mut()
            .find(|w| w.namespace == namespace && w.name == name)
    }

    pub(crate) fn quota(&self, service: &str, code: &str) -> Option<&QuotaModel> {
        self.quotas
            .iter()
            .find(|q| q.service == service && q.code == code)
    }
}

/// Where in `list` the member that `is` is: at the index's position `at` when that member is
/// it, else the first such member down the list (so a stale index never answers wrong).
fn found<T>(at: Option<usize>, list: &[T], is: impl Fn(&T) -> bool) -> Option<usize> {
    at.filter(|&at| list.get(at).is_some_and(&is))
        .or_else(|| list.iter().position(is))
}
