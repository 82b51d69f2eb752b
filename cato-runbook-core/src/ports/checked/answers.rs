//! What an absurd answer is, port by port.

use super::{Answer, Fields};
use crate::error::Result;
use crate::ports::{
    AlarmPage, AlarmState, BudgetStatus, CacheClusterState, CacheCounters, ConfigVariant,
    Datapoint, Deployment, DeploymentsRead, EndpointConfig, EndpointConfigDescription,
    EndpointDescription, HealthEvent, LogEvent, MetricSeries, Posted, QuotaRequest, QuotaValue,
    Revision, TableState, TrafficState, Variant, WorkloadState,
};

/// Most instances, replicas or nodes an answer may report: more than any account holds.
pub const MAX_COUNT: u64 = 1_000_000;

impl Answer for () {
    fn check(&self, _: &Fields<'_>) -> Result<()> {
        Ok(())
    }
}

impl<T: Answer> Answer for Vec<T> {
    fn check(&self, f: &Fields<'_>) -> Result<()> {
        f.len("items", self.len())?;
        self.iter().try_for_each(|item| item.check(f))
    }
}

impl Answer for EndpointDescription {
    fn check(&self, f: &Fields<'_>) -> Result<()> {
        f.text("name", &self.name)?;
        f.text("config_name", &self.config_name)?;
        if let Some(reason) = &self.failure_reason {
            f.text("failure_reason", reason)?;
        }
        self.variants.check(f)
    }
}

impl Answer for Variant {
    fn check(&self, f: &Fields<'_>) -> Result<()> {
        f.text("variant", &self.name)?;
        f.count("current_instances", self.current_instances.into())?;
        f.count("desired_instances", self.desired_instances.into())?;
        f.amount("weight", self.weight)
    }
}

impl Answer for EndpointConfig {
    fn check(&self, f: &Fields<'_>) -> Result<()> {
        f.text("name", &self.name)
    }
}

impl Answer for EndpointConfigDescription {
    fn check(&self, f: &Fields<'_>) -> Result<()> {
        f.text("name", &self.name)?;
        self.variants.check(f)
    }
}

impl Answer for ConfigVariant {
    fn check(&self, f: &Fields<'_>) -> Result<()> {
        f.text("variant", &self.name)?;
        f.text("instance_type", &self.instance_type)?;
        f.count("initial_instances", self.initial_instances.into())
    }
}

impl Answer for MetricSeries {
    fn check(&self, f: &Fields<'_>) -> Result<()> {
        f.text("id", &self.id)?;
        f.len("points", self.points.len())?;
        let mut previous: Option<&Datapoint> = None;
        for point in &self.points {
            if !point.value.is_finite() {
                return Err(f.absurd(format!(
                    "series {} has the value {} at {}",
                    self.id, point.value, point.at
                )));
            }
            if let Some(before) = previous
                && before.at >= point.at
            {
                return Err(f.absurd(format!(
                    "series {} is out of order ({} after {})",
                    self.id, point.at, before.at
                )));
            }
            previous = Some(point);
        }
        Ok(())
    }
}

impl Answer for LogEvent {
    fn check(&self, f: &Fields<'_>) -> Result<()> {
        f.text("stream", &self.stream)?;
        f.text("message", &self.message)
    }
}

impl Answer for CacheCounters {
    fn check(&self, f: &Fields<'_>) -> Result<()> {
        if let Some(run) = &self.run_id {
            f.text("run_id", run)?;
        }
        if self.hits.checked_add(self.misses).is_none() {
            return Err(f.absurd(format!(
                "keyspace_hits {} + keyspace_misses {} overflow",
                self.hits, self.misses
            )));
        }
        Ok(())
    }
}

impl Answer for CacheClusterState {
    fn check(&self, f: &Fields<'_>) -> Result<()> {
        f.text("id", &self.id)?;
        f.text("status", &self.status)?;
        f.text("node_type", &self.node_type)?;
        f.count("nodes", self.nodes.into())
    }
}

impl Answer for BudgetStatus {
    fn check(&self, f: &Fields<'_>) -> Result<()> {
        f.amount("spent_usd", self.spent_usd)?;
        f.amount("monthly_limit_usd", self.monthly_limit_usd)
    }
}

impl Answer for QuotaValue {
    fn check(&self, f: &Fields<'_>) -> Result<()> {
        f.text("service", &self.service)?;
        f.text("code", &self.code)?;
        f.text("name", &self.name)?;
        f.amount("value", self.value)
    }
}

impl Answer for QuotaRequest {
    fn check(&self, f: &Fields<'_>) -> Result<()> {
        f.text("id", &self.id)?;
        f.amount("desired", self.desired)
    }
}

impl Answer for TableState {
    fn check(&self, f: &Fields<'_>) -> Result<()> {
        f.text("name", &self.name)?;
        f.text("status", &self.status)
    }
}

impl Answer for WorkloadState {
    fn check(&self, f: &Fields<'_>) -> Result<()> {
        f.text("name", &self.name)?;
        f.count("desired_replicas", self.desired_replicas.into())?;
        f.count("ready_replicas", self.ready_replicas.into())
    }
}

impl Answer for Revision {
    fn check(&self, f: &Fields<'_>) -> Result<()> {
        f.text("template_hash", &self.template_hash)?;
        if let Some(cause) = &self.change_cause {
            f.text("change_cause", cause)?;
        }
        self.images.iter().try_for_each(|i| f.text("images", i))
    }
}

impl Answer for TrafficState {
    fn check(&self, f: &Fields<'_>) -> Result<()> {
        f.share("shadow_self_share", self.shadow_self_share)?;
        f.share(
            "cache_similarity_threshold",
            self.cache_similarity_threshold,
        )?;
        self.regions.iter().try_for_each(|(region, weight)| {
            f.text("regions", region)?;
            f.share("regions", *weight)
        })
    }
}

impl Answer for AlarmPage {
    fn check(&self, f: &Fields<'_>) -> Result<()> {
        if let Some(token) = &self.next_token {
            f.text("next_token", token)?;
        }
        self.alarms.check(f)
    }
}

impl Answer for AlarmState {
    fn check(&self, f: &Fields<'_>) -> Result<()> {
        f.text("name", &self.name)?;
        f.text("reason", &self.reason)
    }
}

impl Answer for Deployment {
    fn check(&self, f: &Fields<'_>) -> Result<()> {
        f.text("service", &self.service)?;
        f.text("version", &self.version)?;
        f.text("description", &self.description)
    }
}

impl Answer for DeploymentsRead {
    fn check(&self, f: &Fields<'_>) -> Result<()> {
        self.deployments.check(f)
    }
}

impl Answer for HealthEvent {
    fn check(&self, f: &Fields<'_>) -> Result<()> {
        f.text("service", &self.service)?;
        f.text("region", &self.region)?;
        f.text("description", &self.description)
    }
}

impl Answer for Posted {
    fn check(&self, f: &Fields<'_>) -> Result<()> {
        f.text("channel", &self.channel)?;
        f.text("thread", &self.thread)
    }
}
