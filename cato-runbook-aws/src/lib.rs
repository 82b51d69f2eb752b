//! Real providers of the `cato-runbook-core` ports: the AWS SDK for SageMaker, CloudWatch,
//! CloudWatch Logs, ElastiCache, DynamoDB and Service Quotas; Redis; Kubernetes; and the HTTP
//! APIs (Cato admin, PagerDuty Events v2, Slack). Each service sits behind a cargo feature named
//! after it.
//!
//! The ports themselves, and the providers every build has, are re-exported here so that a host
//! names one crate for its wiring.
//!
//! | feature | provider | port |
//! | --- | --- | --- |
//! | `redis` | [`redis::RedisCacheStats`] | [`CacheStats`](ports::CacheStats) (`INFO stats`) |
//! | `kubernetes` | [`kubernetes::KubeWorkloads`] | [`Workloads`](ports::Workloads) (the scale subresource) |
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

#![forbid(unsafe_code)]

pub use cato_runbook_core::ports;
pub use cato_runbook_core::ports::{InMemoryIncidentStore, SingleProcess, SystemClock};

#[cfg(feature = "http")]
pub mod http;

#[cfg(feature = "cato-api")]
pub mod cato_api;
#[cfg(feature = "kubernetes")]
pub mod kubernetes;
#[cfg(feature = "pagerduty")]
pub mod pagerduty;
#[cfg(feature = "redis")]
pub mod redis;
#[cfg(feature = "sendgrid")]
pub mod sendgrid;
#[cfg(feature = "slack")]
pub mod slack;

#[cfg(feature = "http")]
pub use secrecy;
