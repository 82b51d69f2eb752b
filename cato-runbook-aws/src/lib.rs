//! Real providers of the `cato-runbook-core` ports: the AWS SDK for SageMaker, CloudWatch,
//! CloudWatch Logs, ElastiCache, DynamoDB and Service Quotas; Redis; Kubernetes; and the HTTP
//! APIs (Cato admin, PagerDuty Events v2, Slack). Each service sits behind a cargo feature named
//! after it.
//!
//! The ports themselves, and the providers every build has, are re-exported here so that a host
//! names one crate for its wiring.
//!
//! # Redis, Kubernetes and the HTTP APIs
//!
//! | feature | provider | port |
//! | --- | --- | --- |
//! | `redis` | [`redis::RedisCacheStats`] | [`CacheStats`](ports::CacheStats) (`INFO stats`) |
//! | `kubernetes` | [`kubernetes::KubeWorkloads`] | [`Workloads`](ports::Workloads) (the scale subresource) |
//! | `kubernetes` | [`kubernetes::KubeLease`] | [`Lease`](ports::Lease) (a `coordination.k8s.io/v1` Lease; its `leaseTransitions` is the fence) |
//! | `cato-api` | [`cato_api::CatoAdminApi`] | [`Budget`](ports::Budget), [`TrafficControl`](ports::TrafficControl) |
//! | `pagerduty` | [`pagerduty::PagerDuty`] | [`Pager`](ports::Pager) (Events API v2) |
//! | `slack` | [`slack::Slack`] | [`Chat`](ports::Chat) (`chat.postMessage`) |
//! | `sendgrid` | [`sendgrid::SendGridMail`] | [`Mail`](ports::Mail) (Mail Send v3) |
//!
//! Every provider names itself (`Display`), takes its transport as a value (a `redis::Client`,
//! a `kube::Client`, a `reqwest::Client` and a base URL), bounds each call with a timeout and
//! turns every failure into a [`cato_runbook_core::Error`] that says which provider, operation
//! and resource failed and whether a retry can help. Tokens and routing keys are
//! [`SecretString`](secrecy::SecretString)s: they never reach `Debug`, `Display` or logs.
//!
//! # AWS
//!
//! | feature | module | provider | port |
//! |---|---|---|---|
//! | `sagemaker` | [`sagemaker`] | `SageMakerEndpoint` | `ModelEndpoint` |
//! | `sagemaker` | [`sagemaker`] | `SageMakerDeployments` | `Deployments` (the watched endpoints' config changes) |
//! | `health` | [`health`] | `AwsHealth` | `CloudHealth` (AWS Health `DescribeEvents`, `DescribeAffectedEntities`; global, from us-east-1) |
//! | `cloudwatch` | [`cloudwatch`] | `CloudWatchMetrics` | `Metrics` |
//! | `cloudwatch-logs` | [`cloudwatch_logs`] | `CloudWatchLogs` | `Logs` |
//! | `elasticache` | [`elasticache`] | `ElastiCacheCluster` | `CacheCluster` |
//! | `dynamodb` | [`dynamodb`] | `DynamoDbTables` | `Tables` |
//! | `dynamodb` | [`dynamodb`] | `DynamoDbIncidentStore` | `IncidentStore` (one table: create-if-absent, compare-and-swap, fencing) |
//! | `dynamodb` | [`dynamodb`] | `DynamoDbLease` | `Lease` (one item; the fence grows with every holder) |
//! | `service-quotas` | [`service_quotas`] | `ServiceQuotas` | `Quotas` |
//!
//! Each takes a ready `aws_config::SdkConfig` (`new`) or SDK client (`from_client`): region,
//! credentials, endpoint, the SDK's retries and timeouts come from there. Each bounds a port
//! call with its own timeout ([`with_timeout`](sagemaker::SageMakerEndpoint::with_timeout)) on
//! a [`Clock`](ports::Clock) of the caller's choosing, and maps every SDK error to the core
//! [`Error`](cato_runbook_core::Error) with a kind and retry class (throttling → throttled;
//! 5xx, timeouts and connection failures → transient; validation, not found and permission →
//! permanent), naming provider, operation and resource. [`iam`] gives the least-privilege
//! policy of the actions they call.
//!
//! ```no_run
//! # #[cfg(feature = "aws")]
//! # async fn example() -> Result<(), cato_runbook_core::Error> {
//! use std::sync::Arc;
//! use std::time::Duration;
//! use cato_runbook_aws::{cloudwatch::CloudWatchMetrics, sagemaker::SageMakerEndpoint};
//! use cato_runbook_aws::ports::ModelEndpoint;
//!
//! let sdk = aws_config::load_defaults(aws_config::BehaviorVersion::latest()).await;
//! let endpoint = SageMakerEndpoint::new(&sdk).with_timeout(Duration::from_secs(10));
//! let metrics = Arc::new(CloudWatchMetrics::new(&sdk));
//! let shadow_self = endpoint.describe("cato-shadow-self").await?;
//! println!("{} instances in service", shadow_self.current_instances());
//! # let _ = metrics;
//! # Ok(())
//! # }
//! ```

#![forbid(unsafe_code)]
#![cfg_attr(docsrs, feature(doc_cfg))]

pub use cato_runbook_core::ports;
pub use cato_runbook_core::ports::{Alone, InMemoryIncidentStore, SystemClock};

#[cfg(feature = "http")]
#[cfg_attr(docsrs, doc(cfg(feature = "http")))]
pub mod http;

#[cfg(feature = "cato-api")]
#[cfg_attr(docsrs, doc(cfg(feature = "cato-api")))]
pub mod cato_api;
#[cfg(feature = "kubernetes")]
#[cfg_attr(docsrs, doc(cfg(feature = "kubernetes")))]
pub mod kubernetes;
#[cfg(feature = "pagerduty")]
#[cfg_attr(docsrs, doc(cfg(feature = "pagerduty")))]
pub mod pagerduty;
#[cfg(feature = "redis")]
#[cfg_attr(docsrs, doc(cfg(feature = "redis")))]
pub mod redis;
#[cfg(feature = "sendgrid")]
#[cfg_attr(docsrs, doc(cfg(feature = "sendgrid")))]
pub mod sendgrid;
#[cfg(feature = "slack")]
#[cfg_attr(docsrs, doc(cfg(feature = "slack")))]
pub mod slack;
#[cfg(feature = "sqlite")]
#[cfg_attr(docsrs, doc(cfg(feature = "sqlite")))]
pub mod sqlite;

#[cfg(feature = "http")]
#[cfg_attr(docsrs, doc(cfg(feature = "http")))]
pub use secrecy;

#[cfg(feature = "config")]
#[cfg_attr(docsrs, doc(cfg(feature = "config")))]
pub mod config;
mod defaults;
pub mod iam;
#[cfg(feature = "preflight")]
#[cfg_attr(docsrs, doc(cfg(feature = "preflight")))]
pub mod preflight;
#[cfg(feature = "service")]
#[cfg_attr(docsrs, doc(cfg(feature = "service")))]
pub mod service;
pub mod trace;

#[cfg(test)]
#[path = "../tests/props/mod.rs"]
mod props;

#[cfg(feature = "_sdk")]
mod sdk;
#[cfg(feature = "_sdk")]
#[cfg_attr(docsrs, doc(cfg(feature = "_sdk")))]
pub use sdk::Settings;

#[cfg(feature = "cloudwatch")]
#[cfg_attr(docsrs, doc(cfg(feature = "cloudwatch")))]
pub mod cloudwatch;
#[cfg(feature = "cloudwatch-logs")]
#[cfg_attr(docsrs, doc(cfg(feature = "cloudwatch-logs")))]
pub mod cloudwatch_logs;
#[cfg(feature = "dynamodb")]
#[cfg_attr(docsrs, doc(cfg(feature = "dynamodb")))]
pub mod dynamodb;
#[cfg(feature = "elasticache")]
#[cfg_attr(docsrs, doc(cfg(feature = "elasticache")))]
pub mod elasticache;
#[cfg(feature = "health")]
#[cfg_attr(docsrs, doc(cfg(feature = "health")))]
pub mod health;
#[cfg(feature = "sagemaker")]
#[cfg_attr(docsrs, doc(cfg(feature = "sagemaker")))]
pub mod sagemaker;
#[cfg(feature = "service-quotas")]
#[cfg_attr(docsrs, doc(cfg(feature = "service-quotas")))]
pub mod service_quotas;
