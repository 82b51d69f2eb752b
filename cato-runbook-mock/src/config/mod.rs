//! What a world looks like at its start: one section per service, with defaults that match
//! the runbook's names (`cato-shadow-self`, `cato-cache`, `cato-semantic-memory`,
//! `cato-orchestrator` in `cato`, …).
//!
//! Every section deserialises from data with defaults for missing fields, so a scenario file
//! says only what differs:
//!
//! ```
//! use cato_runbook_mock::WorldConfig;
//!
//! let config: WorldConfig = toml::from_str(r#"
//!     seed = 7
//!     [traffic]
//!     requests_per_minute = 3000
//!     [[endpoints]]
//!     name = "cato-shadow-self"
//!     instances = 4
//! "#)?;
//! assert_eq!(config.endpoints[0].instances, 4);
//! assert_eq!(config.endpoints[0].variant, "primary");
//! assert_eq!(config.caches[0].node_type, "cache.r7g.large");
//! config.validate()?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod alarms;
mod compute;
mod data;
mod events;
mod money;

use std::collections::BTreeSet;

use cato_runbook_core::ports::check_region_weights;
use cato_runbook_core::{Error, Result, Timestamp};
use serde::{Deserialize, Serialize};

pub use alarms::{AlarmMetric, AlarmSpec, Comparison};
pub use compute::{CrashCause, EndpointConfigSpec, EndpointSpec, WorkloadSpec};
pub use data::{CacheSpec, TableSpec};
pub use events::{
    ChatSpec, DeploymentSpec, HealthEventSpec, LogEventSpec, LogsSpec, MetricsSpec, PagerSpec,
    TrafficSpec,
};
pub use money::{BedrockSpec, BudgetSpec, QuotaDecision, QuotaSpec, QuotasSpec};

use crate::clock::VirtualClock;
use crate::world::node_memory_gib;

/// A world's start state.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct WorldConfig {
    /// The virtual clock's start.
    pub start: Timestamp,
    /// The seed of every random draw (latency samples).
    pub seed: u64,
    /// The home region: where the endpoints that name no region run. Default `us-east-1`.
    pub region: String,
    /// Traffic and its controls.
    pub traffic: TrafficSpec,
    /// Model endpoints; the first one serves Shadow Self traffic.
    pub endpoints: Vec<EndpointSpec>,
    /// Caches; the first one is the semantic cache in front of the LLMs.
    pub caches: Vec<CacheSpec>,
    /// Tables.
    pub tables: Vec<TableSpec>,
    /// Workloads; the first one is the orchestrator every request goes through.
    pub workloads: Vec<WorkloadSpec>,
    /// The LLM budget.
    pub budget: BudgetSpec,
    /// Bedrock.
    pub bedrock: BedrockSpec,
    /// Service quotas.
    pub quotas: QuotasSpec,
    /// Deployments before the start.
    pub deployments: Vec<DeploymentSpec>,
    /// The sources of deployments the world's deployments port reads, each a history of its
    /// own (`sagemaker`, `kubernetes`), combined as [`AllDeployments`](cato_runbook_core::ports::AllDeployments)
    /// reads them; one can be made unreachable (`deployment_source_down`). Empty (the
    /// default): one history.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub deployment_sources: Vec<String>,
    /// Cloud health events before the start.
    pub health_events: Vec<HealthEventSpec>,
    /// Logs.
    pub logs: LogsSpec,
    /// Metric data.
    pub metrics: MetricsSpec,
    /// The pager.
    pub pager: PagerSpec,
    /// Chat.
    pub chat: ChatSpec,
    /// CloudWatch alarms; none by default.
    pub alarms: Vec<AlarmSpec>,
}

impl Default for WorldConfig {
    fn default() -> Self {
        WorldConfig {
            start: VirtualClock::default_start(),
            seed: 0x00C4_7000,
            region: "us-east-1".into(),
            traffic: TrafficSpec::default(),
            endpoints: vec![EndpointSpec::default()],
            caches: vec![CacheSpec::default()],
            tables: vec![TableSpec::default()],
            workloads: vec![WorkloadSpec::default()],
            budget: BudgetSpec::default(),
            bedrock: BedrockSpec::default(),
            quotas: QuotasSpec::default(),
            deployments: vec![DeploymentSpec::default()],
            deployment_sources: Vec::new(),
            health_events: Vec::new(),
            logs: LogsSpec::default(),
            metrics: MetricsSpec::default(),
            pager: PagerSpec::default(),
            chat: ChatSpec::default(),
            alarms: Vec::new(),
        }
    }
}

fn invalid(field: impl std::fmt::Display, message: impl std::fmt::Display) -> Error {
    Error::invalid_input("world.config", format!("{field}: {message}"))
}

fn share(field: &str, value: f64) -> Result<()> {
    if value.is_finite() && (0.0..=1.0).contains(&value) {
        Ok(())
    } else {
        Err(invalid(field, format!("{value} is not between 0 and 1")))
    }
}

fn non_negative(field: &str, value: f64) -> Result<()> {
    if value.is_finite() && value >= 0.0 {
        Ok(())
    } else {
        Err(invalid(
            field,
            format!("{value} is not a non-negative number"),
        ))
    }
}

fn unique<'a>(what: &str, names: impl IntoIterator<Item = &'a str>) -> Result<()> {
    let mut seen = BTreeSet::new();
    for name in names {
        if name.is_empty() {
            return Err(invalid(what, "a name is empty"));
        }
        if !seen.insert(name) {
            return Err(invalid(what, format!("{name:?} appears twice")));
        }
    }
    Ok(())
}

impl WorldConfig {
    /// Checks that the config describes a world that can exist: names unique and non-empty,
    /// current configs that exist, shares between 0 and 1, known node types.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidInput`](cato_runbook_core::ErrorKind::InvalidInput) naming the field.
    pub fn validate(&self) -> Result<()> {
        let t = &self.traffic;
        non_negative("traffic.requests_per_minute", t.requests_per_minute)?;
        share("traffic.shadow_self_share", t.shadow_self_share)?;
        share(
            "traffic.cache_similarity_threshold",
            t.cache_similarity_threshold,
        )?;
        non_negative("traffic.threshold_sensitivity", t.threshold_sensitivity)?;
        share("traffic.emergency_load_factor", t.emergency_load_factor)?;

        let endpoint_ids: Vec<String> = self
            .endpoints
            .iter()
            .map(
                |e| match e.region.as_deref().filter(|r| *r != self.region) {
                    Some(region) => format!("{region}/{}", e.name),
                    None => e.name.clone(),
                },
            )
            .collect();
        unique("endpoints", endpoint_ids.iter().map(String::as_str))?;
        self.check_regions()?;
        for (i, e) in self.endpoints.iter().enumerate() {
            let at = |field: &str| format!("endpoints[{i}].{field}");
            unique(&at("configs"), e.configs.iter().map(|c| c.name.as_str()))?;
            if !e.configs.iter().any(|c| c.name == e.current_config) {
                return Err(invalid(
                    at("current_config"),
                    format!("{:?} is not among the endpoint's configs", e.current_config),
                ));
            }
            if e.variant.is_empty() {
                return Err(invalid(at("variant"), "is empty"));
            }
            if e.instances > e.max_instances {
                return Err(invalid(at("instances"), "exceeds max_instances"));
            }
            share(&at("load_share"), e.load_share)?;
            for (field, value) in [
                (
                    "requests_per_minute_per_instance",
                    e.requests_per_minute_per_instance,
                ),
                ("model_latency_ms", e.model_latency_ms),
                ("latency_sigma", e.latency_sigma),
            ] {
                non_negative(&at(field), value)?;
            }
            if e.requests_per_minute_per_instance <= 0.0 {
                return Err(invalid(
                    at("requests_per_minute_per_instance"),
                    "must be positive",
                ));
            }
        }

        unique("caches", self.caches.iter().map(|c| c.id.as_str()))?;
        for (i, c) in self.caches.iter().enumerate() {
            let at = |field: &str| format!("caches[{i}].{field}");
            if node_memory_gib(&c.node_type).is_none() {
                return Err(invalid(
                    at("node_type"),
                    format!("{:?} is not a known node type", c.node_type),
                ));
            }
            share(&at("base_hit_ratio"), c.base_hit_ratio)?;
            non_negative(&at("working_set_gib"), c.working_set_gib)?;
            non_negative(&at("invalidations_per_minute"), c.invalidations_per_minute)?;
            non_negative(&at("expirations_per_second"), c.expirations_per_second)?;
        }

        unique("tables", self.tables.iter().map(|t| t.name.as_str()))?;
        for (i, tb) in self.tables.iter().enumerate() {
            let at = |field: &str| format!("tables[{i}].{field}");
            non_negative(&at("read_demand"), tb.read_demand)?;
            non_negative(&at("write_demand"), tb.write_demand)?;
            share(&at("hot_partition_share"), tb.hot_partition_share)?;
        }

        let workload_ids: Vec<String> = self
            .workloads
            .iter()
            .map(|w| format!("{}/{}", w.namespace, w.name))
            .collect();
        unique("workloads", workload_ids.iter().map(String::as_str))?;
        for (i, w) in self.workloads.iter().enumerate() {
            if w.requests_per_minute_per_replica <= 0.0
                || !w.requests_per_minute_per_replica.is_finite()
            {
                return Err(invalid(
                    format!("workloads[{i}].requests_per_minute_per_replica"),
                    "must be positive",
                ));
            }
            non_negative(&format!("workloads[{i}].overhead_ms"), w.overhead_ms)?;
            if w.image.is_empty() {
                return Err(invalid(
                    format!("workloads[{i}].image"),
                    "must not be empty",
                ));
            }
        }

        let b = &self.budget;
        non_negative("budget.monthly_limit_usd", b.monthly_limit_usd)?;
        non_negative("budget.spent_usd", b.spent_usd)?;
        non_negative("budget.usd_per_bedrock_request", b.usd_per_bedrock_request)?;
        non_negative("budget.curiosity_usd_per_hour", b.curiosity_usd_per_hour)?;
        if let Some(rate) = b.spend_rate_usd_per_hour {
            non_negative("budget.spend_rate_usd_per_hour", rate)?;
        }
        share("budget.warning_ratio", b.warning_ratio)?;

        let quota_ids: Vec<String> = self
            .quotas
            .quotas
            .iter()
            .map(|q| format!("{}/{}", q.service, q.code))
            .collect();
        unique("quotas.quotas", quota_ids.iter().map(String::as_str))?;
        for (i, q) in self.quotas.quotas.iter().enumerate() {
            non_negative(&format!("quotas.quotas[{i}].value"), q.value)?;
        }
        non_negative("bedrock.latency_ms", self.bedrock.latency_ms)?;
        non_negative("bedrock.throttle_retry_ms", self.bedrock.throttle_retry_ms)?;
        unique(
            "deployment_sources",
            self.deployment_sources.iter().map(String::as_str),
        )?;
        if self.deployment_sources.iter().any(|s| s.trim().is_empty()) {
            return Err(invalid("deployment_sources", "a source's name is empty"));
        }
        for (i, d) in self.deployments.iter().enumerate() {
            if let Some(source) = &d.source {
                self.deployment_source(source)
                    .map_err(|e| invalid(format!("deployments[{i}].source"), e.message()))?;
            }
        }
        if self.metrics.samples_per_minute == 0 {
            return Err(invalid("metrics.samples_per_minute", "must be at least 1"));
        }
        unique("alarms", self.alarms.iter().map(|a| a.name.as_str()))?;
        for (i, alarm) in self.alarms.iter().enumerate() {
            alarm.validate(i)?;
        }
        if self.pager.events_per_minute == 0 {
            return Err(invalid("pager.events_per_minute", "must be at least 1"));
        }
        Ok(())
    }

    /// Checks that `source` is one of [`deployment_sources`](Self::deployment_sources).
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidInput`](cato_runbook_core::ErrorKind::InvalidInput) naming the
    /// sources there are.
    pub fn deployment_source(&self, source: &str) -> Result<()> {
        if self.deployment_sources.iter().any(|s| s == source) {
            return Ok(());
        }
        Err(invalid(
            "deployment_sources",
            format!(
                "no deployment source {source:?}; the world has: {:?}",
                self.deployment_sources
            ),
        ))
    }

    /// The source a deployment naming `source` (or none) is recorded by: the named one, else the
    /// first source, else the one history (`None`).
    pub fn source_of(&self, source: Option<&str>) -> Option<String> {
        source
            .map(str::to_owned)
            .or_else(|| self.deployment_sources.first().cloned())
    }

    /// Regions other than the home one, as the endpoints name them, each once.
    pub fn other_regions(&self) -> Vec<&str> {
        let mut regions: Vec<&str> = self
            .endpoints
            .iter()
            .filter_map(|e| e.region.as_deref())
            .filter(|r| *r != self.region)
            .collect();
        regions.sort_unstable();
        regions.dedup();
        regions
    }

    /// The home region named, endpoints' regions not blank, and the starting split of Shadow
    /// Self traffic one the traffic controls would take, over known regions.
    fn check_regions(&self) -> Result<()> {
        if self.region.trim().is_empty() {
            return Err(invalid("region", "is empty"));
        }
        for (i, e) in self.endpoints.iter().enumerate() {
            if e.region.as_deref().is_some_and(|r| r.trim().is_empty()) {
                return Err(invalid(format!("endpoints[{i}].region"), "is empty"));
            }
        }
        let regions = &self.traffic.regions;
        if regions.is_empty() {
            return Ok(());
        }
        check_region_weights("world.config", regions)
            .map_err(|e| invalid("traffic.regions", e.message()))?;
        let others = self.other_regions();
        let known = |r: &String| *r == self.region || others.contains(&r.as_str());
        match regions.keys().find(|r| !known(r)) {
            Some(unknown) => Err(invalid(
                "traffic.regions",
                format!("{unknown:?} is neither the home region nor an endpoint's"),
            )),
            None => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests;
