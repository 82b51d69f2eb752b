//! `FaultInjecting<P>` implements every port `P` implements: the ports runbooks read and act
//! through here, the engine's own in `engine_ports.rs`.

use std::collections::BTreeMap;

use async_trait::async_trait;
use cato_runbook_core::ports::{
    AlarmPage, Alarms, BillingMode, Budget, BudgetStatus, CacheCluster, CacheClusterState,
    CacheCounters, CacheStats, CloudHealth, Deployment, Deployments, DeploymentsRead, Dimension,
    EndpointConfig, EndpointConfigDescription, EndpointDescription, HealthEvent, LogEvent, Logs,
    MetricQuery, MetricSeries, Metrics, ModelEndpoint, QuotaRequest, QuotaValue, Quotas, Revision,
    TableState, Tables, TrafficControl, TrafficState, WorkloadState, Workloads,
};
use cato_runbook_core::{IdempotencyKey, Result, Timestamp};

use super::layer::FaultInjecting;
use super::registry::Injected;
use crate::ops::Op;

impl<P: std::fmt::Display> FaultInjecting<P> {
    pub(super) async fn gate(&self, op: Op) -> Result<Injected> {
        self.faults.inject(op).await.map_err(|err| self.tag(err))
    }

    /// The inner provider's answer as the injection leaves it: spoiled, lost, or as it is.
    pub(super) fn answer<T: super::Garble>(&self, injected: Injected, answer: T) -> Result<T> {
        injected.apply(answer).map_err(|err| self.tag(err))
    }
}

#[async_trait]
impl<P: ModelEndpoint> ModelEndpoint for FaultInjecting<P> {
    async fn describe(&self, endpoint: &str) -> Result<EndpointDescription> {
        let injected = self.gate(Op::EndpointDescribe).await?;
        self.inner
            .describe(endpoint)
            .await
            .and_then(|answer| self.answer(injected, answer))
    }
    async fn update_config(
        &self,
        endpoint: &str,
        config: &str,
        key: &IdempotencyKey,
    ) -> Result<()> {
        let injected = self.gate(Op::EndpointUpdateConfig).await?;
        self.inner
            .update_config(endpoint, config, key)
            .await
            .and_then(|answer| self.answer(injected, answer))
    }
    async fn list_configs(&self, name_contains: &str) -> Result<Vec<EndpointConfig>> {
        let injected = self.gate(Op::EndpointListConfigs).await?;
        self.inner
            .list_configs(name_contains)
            .await
            .and_then(|answer| self.answer(injected, answer))
    }
    async fn describe_config(&self, config: &str) -> Result<EndpointConfigDescription> {
        let injected = self.gate(Op::EndpointDescribeConfig).await?;
        self.inner
            .describe_config(config)
            .await
            .and_then(|answer| self.answer(injected, answer))
    }
    async fn set_instance_count(
        &self,
        endpoint: &str,
        variant: &str,
        count: u32,
        key: &IdempotencyKey,
    ) -> Result<()> {
        let injected = self.gate(Op::EndpointSetInstanceCount).await?;
        self.inner
            .set_instance_count(endpoint, variant, count, key)
            .await
            .and_then(|answer| self.answer(injected, answer))
    }
}

#[async_trait]
impl<P: Metrics> Metrics for FaultInjecting<P> {
    async fn query(
        &self,
        queries: &[MetricQuery],
        start: Timestamp,
        end: Timestamp,
    ) -> Result<Vec<MetricSeries>> {
        let injected = self.gate(Op::MetricsQuery).await?;
        self.inner
            .query(queries, start, end)
            .await
            .and_then(|answer| self.answer(injected, answer))
    }
    async fn put(
        &self,
        namespace: &str,
        metric: &str,
        dimensions: &[Dimension],
        value: f64,
        at: Timestamp,
    ) -> Result<()> {
        let injected = self.gate(Op::MetricsPut).await?;
        self.inner
            .put(namespace, metric, dimensions, value, at)
            .await
            .and_then(|answer| self.answer(injected, answer))
    }
}

#[async_trait]
impl<P: Logs> Logs for FaultInjecting<P> {
    async fn filter(
        &self,
        group: &str,
        pattern: &str,
        since: Timestamp,
        limit: usize,
    ) -> Result<Vec<LogEvent>> {
        let injected = self.gate(Op::LogsFilter).await?;
        self.inner
            .filter(group, pattern, since, limit)
            .await
            .and_then(|answer| self.answer(injected, answer))
    }
}

#[async_trait]
impl<P: CacheStats> CacheStats for FaultInjecting<P> {
    async fn counters(&self, cache: &str) -> Result<CacheCounters> {
        let injected = self.gate(Op::CacheStatsCounters).await?;
        self.inner
            .counters(cache)
            .await
            .and_then(|answer| self.answer(injected, answer))
    }
}

#[async_trait]
impl<P: CacheCluster> CacheCluster for FaultInjecting<P> {
    async fn describe(&self, id: &str) -> Result<CacheClusterState> {
        let injected = self.gate(Op::CacheClusterDescribe).await?;
        self.inner
            .describe(id)
            .await
            .and_then(|answer| self.answer(injected, answer))
    }
    async fn modify_node_type(
        &self,
        id: &str,
        node_type: &str,
        key: &IdempotencyKey,
    ) -> Result<()> {
        let injected = self.gate(Op::CacheClusterModifyNodeType).await?;
        self.inner
            .modify_node_type(id, node_type, key)
            .await
            .and_then(|answer| self.answer(injected, answer))
    }
}

#[async_trait]
impl<P: Budget> Budget for FaultInjecting<P> {
    async fn status(&self) -> Result<BudgetStatus> {
        let injected = self.gate(Op::BudgetStatus).await?;
        self.inner
            .status()
            .await
            .and_then(|answer| self.answer(injected, answer))
    }
    async fn set_monthly_limit(&self, usd: f64, key: &IdempotencyKey) -> Result<()> {
        let injected = self.gate(Op::BudgetSetMonthlyLimit).await?;
        self.inner
            .set_monthly_limit(usd, key)
            .await
            .and_then(|answer| self.answer(injected, answer))
    }
}

#[async_trait]
impl<P: Quotas> Quotas for FaultInjecting<P> {
    async fn get(&self, service: &str, code: &str) -> Result<QuotaValue> {
        let injected = self.gate(Op::QuotasGet).await?;
        self.inner
            .get(service, code)
            .await
            .and_then(|answer| self.answer(injected, answer))
    }
    async fn request_increase(
        &self,
        service: &str,
        code: &str,
        desired: f64,
        key: &IdempotencyKey,
    ) -> Result<QuotaRequest> {
        let injected = self.gate(Op::QuotasRequestIncrease).await?;
        self.inner
            .request_increase(service, code, desired, key)
            .await
            .and_then(|answer| self.answer(injected, answer))
    }
    async fn request_status(&self, request_id: &str) -> Result<QuotaRequest> {
        let injected = self.gate(Op::QuotasRequestStatus).await?;
        self.inner
            .request_status(request_id)
            .await
            .and_then(|answer| self.answer(injected, answer))
    }
}

#[async_trait]
impl<P: Tables> Tables for FaultInjecting<P> {
    async fn describe(&self, table: &str) -> Result<TableState> {
        let injected = self.gate(Op::TablesDescribe).await?;
        self.inner
            .describe(table)
            .await
            .and_then(|answer| self.answer(injected, answer))
    }
    async fn set_billing_mode(
        &self,
        table: &str,
        mode: BillingMode,
        key: &IdempotencyKey,
    ) -> Result<()> {
        let injected = self.gate(Op::TablesSetBillingMode).await?;
        self.inner
            .set_billing_mode(table, mode, key)
            .await
            .and_then(|answer| self.answer(injected, answer))
    }
}

#[async_trait]
impl<P: Workloads> Workloads for FaultInjecting<P> {
    async fn get(&self, namespace: &str, name: &str) -> Result<WorkloadState> {
        let injected = self.gate(Op::WorkloadsGet).await?;
        self.inner
            .get(namespace, name)
            .await
            .and_then(|answer| self.answer(injected, answer))
    }
    async fn scale(
        &self,
        namespace: &str,
        name: &str,
        replicas: u32,
        key: &IdempotencyKey,
    ) -> Result<()> {
        let injected = self.gate(Op::WorkloadsScale).await?;
        self.inner
            .scale(namespace, name, replicas, key)
            .await
            .and_then(|answer| self.answer(injected, answer))
    }
    async fn revisions(&self, namespace: &str, name: &str) -> Result<Vec<Revision>> {
        let injected = self.gate(Op::WorkloadsRevisions).await?;
        self.inner
            .revisions(namespace, name)
            .await
            .and_then(|answer| self.answer(injected, answer))
    }
    async fn roll_back(
        &self,
        namespace: &str,
        name: &str,
        to_revision: u64,
        key: &IdempotencyKey,
    ) -> Result<()> {
        let injected = self.gate(Op::WorkloadsRollBack).await?;
        self.inner
            .roll_back(namespace, name, to_revision, key)
            .await
            .and_then(|answer| self.answer(injected, answer))
    }
}

#[async_trait]
impl<P: TrafficControl> TrafficControl for FaultInjecting<P> {
    async fn state(&self) -> Result<TrafficState> {
        let injected = self.gate(Op::TrafficState).await?;
        self.inner
            .state()
            .await
            .and_then(|answer| self.answer(injected, answer))
    }
    async fn set_shadow_self_share(&self, share: f64, key: &IdempotencyKey) -> Result<()> {
        let injected = self.gate(Op::TrafficSetShadowSelfShare).await?;
        self.inner
            .set_shadow_self_share(share, key)
            .await
            .and_then(|answer| self.answer(injected, answer))
    }
    async fn set_cache_similarity_threshold(
        &self,
        threshold: f64,
        key: &IdempotencyKey,
    ) -> Result<()> {
        let injected = self.gate(Op::TrafficSetCacheSimilarityThreshold).await?;
        self.inner
            .set_cache_similarity_threshold(threshold, key)
            .await
            .and_then(|answer| self.answer(injected, answer))
    }
    async fn set_emergency_mode(&self, on: bool, key: &IdempotencyKey) -> Result<()> {
        let injected = self.gate(Op::TrafficSetEmergencyMode).await?;
        self.inner
            .set_emergency_mode(on, key)
            .await
            .and_then(|answer| self.answer(injected, answer))
    }
    async fn set_region_weights(
        &self,
        weights: &BTreeMap<String, f64>,
        key: &IdempotencyKey,
    ) -> Result<()> {
        let injected = self.gate(Op::TrafficSetRegionWeights).await?;
        self.inner
            .set_region_weights(weights, key)
            .await
            .and_then(|answer| self.answer(injected, answer))
    }
}

#[async_trait]
impl<P: Alarms> Alarms for FaultInjecting<P> {
    async fn describe(
        &self,
        prefix: &str,
        max_records: u32,
        next_token: Option<String>,
    ) -> Result<AlarmPage> {
        let injected = self.gate(Op::AlarmsDescribe).await?;
        self.inner
            .describe(prefix, max_records, next_token)
            .await
            .and_then(|answer| self.answer(injected, answer))
    }
}

#[async_trait]
impl<P: Deployments> Deployments for FaultInjecting<P> {
    async fn since(&self, since: Timestamp) -> Result<Vec<Deployment>> {
        let injected = self.gate(Op::DeploymentsSince).await?;
        self.inner
            .since(since)
            .await
            .and_then(|answer| self.answer(injected, answer))
    }
    async fn read(&self, since: Timestamp) -> Result<DeploymentsRead> {
        let injected = self.gate(Op::DeploymentsSince).await?;
        self.inner
            .read(since)
            .await
            .and_then(|answer| self.answer(injected, answer))
    }
}

#[async_trait]
impl<P: CloudHealth> CloudHealth for FaultInjecting<P> {
    async fn events(&self, since: Timestamp) -> Result<Vec<HealthEvent>> {
        let injected = self.gate(Op::CloudHealthEvents).await?;
        self.inner
            .events(since)
            .await
            .and_then(|answer| self.answer(injected, answer))
    }
}
