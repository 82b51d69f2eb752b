//! Ports: one small async trait per capability the runbook uses, named after the capability,
//! not the vendor.
//!
//! The runbooks are written against these traits only. `cato-runbook-aws` implements them with
//! the AWS SDK, Redis, Kubernetes and HTTP clients; `cato-runbook-mock` implements them with
//! stateful in-memory fakes on a virtual clock; one conformance suite proves that both agree.
//!
//! | port | the runbook's command |
//! |------|-----------------------|
//! | [`ModelEndpoint`] | `aws sagemaker describe-endpoint`, `update-endpoint`, `list-endpoint-configs`, `update-endpoint-weights-and-capacities` |
//! | [`Metrics`] | `aws cloudwatch get-metric-statistics` (many series per call), custom metrics |
//! | [`Logs`] | `aws logs filter-log-events` |
//! | [`Alarms`] | "CloudWatch alarms → PagerDuty → On-call": `aws cloudwatch describe-alarms --alarm-name-prefix` (many alarms per call, paged) |
//! | [`CacheStats`] | `redis-cli INFO stats` |
//! | [`CacheCluster`] | `aws elasticache modify-replication-group` |
//! | [`Budget`] | `GET /api/admin/cato/budget/status`, `PUT …/budget/config` |
//! | [`Quotas`] | `aws service-quotas get-service-quota`, `request-service-quota-increase` |
//! | [`Tables`] | `aws dynamodb update-table --billing-mode`, consumed capacity |
//! | [`Workloads`] | `kubectl scale deployment`, `kubectl rollout history`, `kubectl rollout undo --to-revision` |
//! | [`TrafficControl`] | Bedrock vs Shadow Self share, cache similarity threshold, emergency mode, Shadow Self traffic by region (failover) |
//! | [`Deployments`], [`CloudHealth`] | "review recent deployments", "check AWS Health Dashboard"; [`AllDeployments`] reads several sources of deployments as one |
//! | [`Pager`], [`Chat`] | PagerDuty → on-call, Slack `#cato-alerts` / `#cato-incident` |
//! | [`Mail`] | the AWS TAM at `aws-support@company.com` |
//! | [`IncidentStore`] | the incident log |
//! | [`Lease`] | one leader across the orchestrator's replicas, and its fencing token |
//! | [`Clock`] | time |
//!
//! Every side effect takes the step's [`IdempotencyKey`](crate::IdempotencyKey).
//!
//! `Arc<T>` and `Box<T>` of a port implement the port, so wrappers generic over their inner
//! provider take `Arc<dyn Port>` too.

mod alarms;
mod all_deployments;
mod budget;
mod cache;
mod changes;
mod checked;
mod clock;
mod endpoint;
mod forward;
mod lease;
mod logs;
mod metrics;
mod notify;
mod quotas;
mod store;
mod tables;
mod traffic;
mod workloads;

pub use alarms::{AlarmPage, AlarmState, AlarmValue, Alarms, MAX_ALARMS_PER_PAGE, all_alarms};
pub use all_deployments::AllDeployments;
pub use budget::{Budget, BudgetMode, BudgetStatus};
pub use cache::{CacheCluster, CacheClusterState, CacheCounters, CacheStats, CacheWindow};
pub use changes::{
    CloudHealth, Deployment, Deployments, DeploymentsRead, HealthEvent, UnreadSource,
};
pub use checked::{Answer, Checkable, Checked, Fields, MAX_COUNT, MAX_ITEMS, MAX_TEXT, check};
pub use clock::{Clock, SystemClock};
pub use endpoint::{
    ConfigVariant, EndpointConfig, EndpointConfigDescription, EndpointDescription, EndpointStatus,
    ModelEndpoint, Variant,
};
pub use lease::{Alone, Fence, Leadership, Lease};
pub use logs::{LogEvent, Logs};
pub use metrics::{Datapoint, Dimension, MetricQuery, MetricSeries, Metrics, SmolStr, Statistic};
pub use notify::{Chat, ChatMessage, Email, Mail, Page, PageSeverity, Pager, Posted};
pub use quotas::{QuotaRequest, QuotaRequestStatus, QuotaValue, Quotas};
pub use store::{
    Created, Guardrails, Halt, InMemoryIncidentStore, IncidentStore, Stored, closed_before_time,
    fenced, stale,
};
pub use tables::{BillingMode, TableState, Tables};
pub use traffic::{REGION_WEIGHTS_TOLERANCE, TrafficControl, TrafficState, check_region_weights};
pub use workloads::{Revision, WorkloadState, Workloads};
