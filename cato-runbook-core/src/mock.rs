//! [`mockall`] mocks of every port and runbook trait, behind the `mock` feature: for people
//! writing tools on top who want call expectations ("apply is never called after a halt")
//! rather than the stateful fakes of the `cato-runbook-mock` crate.
//!
//! Each mock is `Mock<Trait>`, made with `Mock<Trait>::new()` and set up with
//! `expect_<method>()`. The ports' `Display` (what the engine prints of a provider) is
//! `mock <port>`, so no expectation is needed for it.
//!
//! ```
//! use cato_runbook_core::mock::MockPager;
//! use cato_runbook_core::ports::Pager;
//!
//! # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
//! let mut pager = MockPager::new();
//! pager.expect_resolve().times(1).returning(|_, _| Ok(()));
//! pager.resolve("on-call", "INC-1").await?;
//! assert_eq!(pager.to_string(), "mock pager");
//! # Ok::<(), cato_runbook_core::Error>(())
//! # }).unwrap();
//! ```

#![allow(missing_docs)]

use std::collections::BTreeMap;
use std::fmt;
use std::time::Duration;

use async_trait::async_trait;
use mockall::mock;

use crate::error::Result;
use crate::incident::{IdempotencyKey, Incident, IncidentId};
use crate::ports::{
    AlarmPage, Alarms, BillingMode, Budget, BudgetStatus, CacheCluster, CacheClusterState,
    CacheCounters, CacheStats, Chat, ChatMessage, Clock, CloudHealth, Created, Deployment,
    Deployments, Dimension, Email, EndpointConfig, EndpointConfigDescription, EndpointDescription,
    Fence, Guardrails, HealthEvent, IncidentStore, Leadership, Lease, LogEvent, Logs, Mail,
    MetricQuery, MetricSeries, Metrics, ModelEndpoint, Page, Pager, Posted, QuotaRequest,
    QuotaValue, Quotas, Revision, Stored, TableState, Tables, TrafficControl, TrafficState,
    WorkloadState, Workloads,
};
use crate::runbook::{
    Detector, DiagnoseContext, Diagnosis, DiagnosisReport, Findings, Landed, Mitigation,
    Observation, ObserveContext, Plan, StepContext, Verification,
};
use crate::time::Timestamp;

/// `Debug` for a mock: its name.
macro_rules! debug {
    ($($mock:ident),* $(,)?) => {$(
        impl fmt::Debug for $mock {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(stringify!($mock))
            }
        }
    )*};
}

/// `Display` and `Debug` for a port's mock: `mock <port>`.
macro_rules! named {
    ($($mock:ident => $name:literal),* $(,)?) => {$(
        impl fmt::Display for $mock {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(concat!("mock ", $name))
            }
        }
        debug!($mock);
    )*};
}

debug!(MockClock, MockDetector, MockDiagnosis, MockMitigation);

named!(
    MockAlarms => "alarms",
    MockBudget => "budget",
    MockCacheStats => "cache stats",
    MockCacheCluster => "cache cluster",
    MockDeployments => "deployments",
    MockCloudHealth => "cloud health",
    MockLease => "lease",
    MockModelEndpoint => "model endpoint",
    MockLogs => "logs",
    MockMetrics => "metrics",
    MockPager => "pager",
    MockChat => "chat",
    MockMail => "mail",
    MockQuotas => "quotas",
    MockIncidentStore => "incident store",
    MockTables => "tables",
    MockTrafficControl => "traffic control",
    MockWorkloads => "workloads",
);

mock! {
    pub Budget {}
    #[async_trait]
    impl Budget for Budget {
        async fn status(&self) -> Result<BudgetStatus>;
        async fn set_monthly_limit(&self, usd: f64, key: &IdempotencyKey) -> Result<()>;
    }
}

mock! {
    pub Alarms {}
    #[async_trait]
    impl Alarms for Alarms {
        async fn describe(
            &self,
            prefix: &str,
            max_records: u32,
            next_token: Option<String>,
        ) -> Result<AlarmPage>;
    }
}

mock! {
    pub CacheStats {}
    #[async_trait]
    impl CacheStats for CacheStats {
        async fn counters(&self, cache: &str) -> Result<CacheCounters>;
    }
}

mock! {
    pub CacheCluster {}
    #[async_trait]
    impl CacheCluster for CacheCluster {
        async fn describe(&self, id: &str) -> Result<CacheClusterState>;
        async fn modify_node_type(&self, id: &str, node_type: &str, key: &IdempotencyKey)
            -> Result<()>;
    }
}

mock! {
    pub Deployments {}
    #[async_trait]
    impl Deployments for Deployments {
        async fn since(&self, since: Timestamp) -> Result<Vec<Deployment>>;
    }
}

mock! {
    pub CloudHealth {}
    #[async_trait]
    impl CloudHealth for CloudHealth {
        async fn events(&self, since: Timestamp) -> Result<Vec<HealthEvent>>;
    }
}

mock! {
    pub Clock {}
    #[async_trait]
    impl Clock for Clock {
        fn now(&self) -> Timestamp;
        async fn sleep(&self, duration: Duration);
    }
}

mock! {
    pub Lease {}
    #[async_trait]
    impl Lease for Lease {
        fn replica(&self) -> &str;
        async fn acquire(&self, ttl: Duration) -> Result<Leadership>;
        async fn release(&self) -> Result<()>;
    }
}

mock! {
    pub ModelEndpoint {}
    #[async_trait]
    impl ModelEndpoint for ModelEndpoint {
        async fn describe(&self, endpoint: &str) -> Result<EndpointDescription>;
        async fn update_config(&self, endpoint: &str, config: &str, key: &IdempotencyKey)
            -> Result<()>;
        async fn list_configs(&self, name_contains: &str) -> Result<Vec<EndpointConfig>>;
        async fn describe_config(&self, config: &str) -> Result<EndpointConfigDescription>;
        async fn set_instance_count(
            &self,
            endpoint: &str,
            variant: &str,
            count: u32,
            key: &IdempotencyKey,
        ) -> Result<()>;
    }
}

mock! {
    pub Logs {}
    #[async_trait]
    impl Logs for Logs {
        async fn filter(
            &self,
            group: &str,
            pattern: &str,
            since: Timestamp,
            limit: usize,
        ) -> Result<Vec<LogEvent>>;
    }
}

mock! {
    pub Metrics {}
    #[async_trait]
    impl Metrics for Metrics {
        async fn query(
            &self,
            queries: &[MetricQuery],
            start: Timestamp,
            end: Timestamp,
        ) -> Result<Vec<MetricSeries>>;
        async fn put(
            &self,
            namespace: &str,
            metric: &str,
            dimensions: &[Dimension],
            value: f64,
            at: Timestamp,
        ) -> Result<()>;
    }
}

mock! {
    pub Pager {}
    #[async_trait]
    impl Pager for Pager {
        async fn trigger(&self, page: &Page) -> Result<()>;
        async fn acknowledge(&self, target: &str, dedup_key: &str) -> Result<()>;
        async fn resolve(&self, target: &str, dedup_key: &str) -> Result<()>;
    }
}

mock! {
    pub Chat {}
    #[async_trait]
    impl Chat for Chat {
        async fn post(&self, message: &ChatMessage) -> Result<Posted>;
    }
}

mock! {
    pub Mail {}
    #[async_trait]
    impl Mail for Mail {
        async fn send(&self, email: &Email) -> Result<()>;
    }
}

mock! {
    pub Quotas {}
    #[async_trait]
    impl Quotas for Quotas {
        async fn get(&self, service: &str, code: &str) -> Result<QuotaValue>;
        async fn request_increase(
            &self,
            service: &str,
            code: &str,
            desired: f64,
            key: &IdempotencyKey,
        ) -> Result<QuotaRequest>;
        async fn request_status(&self, request_id: &str) -> Result<QuotaRequest>;
    }
}

mock! {
    pub IncidentStore {}
    #[async_trait]
    impl IncidentStore for IncidentStore {
        async fn create(&self, incident: &Incident, fence: Fence) -> Result<Created>;
        async fn update(&self, incident: &Incident, version: u64, fence: Fence) -> Result<u64>;
        async fn get(&self, id: &IncidentId) -> Result<Option<Stored<Incident>>>;
        async fn open(&self) -> Result<Vec<Stored<Incident>>>;
        async fn all(&self) -> Result<Vec<Incident>>;
        async fn open_versions(&self) -> Result<Vec<(IncidentId, u64)>>;
        async fn guardrails(&self) -> Result<Stored<Guardrails>>;
        async fn save_guardrails(&self, guardrails: &Guardrails, version: u64, fence: Fence)
            -> Result<u64>;
    }
}

mock! {
    pub Tables {}
    #[async_trait]
    impl Tables for Tables {
        async fn describe(&self, table: &str) -> Result<TableState>;
        async fn set_billing_mode(
            &self,
            table: &str,
            mode: BillingMode,
            key: &IdempotencyKey,
        ) -> Result<()>;
    }
}

mock! {
    pub TrafficControl {}
    #[async_trait]
    impl TrafficControl for TrafficControl {
        async fn state(&self) -> Result<TrafficState>;
        async fn set_shadow_self_share(&self, share: f64, key: &IdempotencyKey) -> Result<()>;
        async fn set_cache_similarity_threshold(
            &self,
            threshold: f64,
            key: &IdempotencyKey,
        ) -> Result<()>;
        async fn set_emergency_mode(&self, on: bool, key: &IdempotencyKey) -> Result<()>;
        async fn set_region_weights(
            &self,
            weights: &BTreeMap<String, f64>,
            key: &IdempotencyKey,
        ) -> Result<()>;
    }
}

mock! {
    pub Workloads {}
    #[async_trait]
    impl Workloads for Workloads {
        async fn get(&self, namespace: &str, name: &str) -> Result<WorkloadState>;
        async fn scale(
            &self,
            namespace: &str,
            name: &str,
            replicas: u32,
            key: &IdempotencyKey,
        ) -> Result<()>;
        async fn revisions(&self, namespace: &str, name: &str) -> Result<Vec<Revision>>;
        async fn roll_back(
            &self,
            namespace: &str,
            name: &str,
            to_revision: u64,
            key: &IdempotencyKey,
        ) -> Result<()>;
    }
}

mock! {
    pub Detector {}
    #[async_trait]
    impl Detector for Detector {
        fn name(&self) -> &str;
        fn resource(&self) -> &str;
        async fn observe(&self, ctx: &ObserveContext) -> Result<Observation>;
    }
}

mock! {
    pub Diagnosis {}
    #[async_trait]
    impl Diagnosis for Diagnosis {
        fn name(&self) -> &str;
        async fn diagnose(&self, ctx: &DiagnoseContext) -> Result<DiagnosisReport>;
    }
}

mock! {
    pub Mitigation {}
    #[async_trait]
    impl Mitigation for Mitigation {
        fn name(&self) -> &str;
        fn precondition<'a>(&self, findings: Findings<'a>) -> bool;
        async fn plan(&self, ctx: &StepContext) -> Result<Plan>;
        async fn apply(&self, ctx: &StepContext, plan: &Plan) -> Result<String>;
        async fn verify(&self, ctx: &StepContext, plan: &Plan) -> Result<Verification>;
        async fn landed(&self, ctx: &StepContext, plan: &Plan) -> Result<Landed>;
        async fn revert(&self, ctx: &StepContext, plan: &Plan) -> Result<String>;
    }
}
