//! Real providers of the `cato-runbook-core` ports: the AWS SDK for SageMaker, CloudWatch,
//! CloudWatch Logs, ElastiCache, DynamoDB and Service Quotas; Redis; Kubernetes; and the HTTP
//! APIs (Cato admin, PagerDuty Events v2, Slack). Each service sits behind a cargo feature named
//! after it.
//!
//! The ports themselves, and the providers every build has, are re-exported here so that a host
//! names one crate for its wiring.

#![forbid(unsafe_code)]

pub use cato_runbook_core::ports;
pub use cato_runbook_core::ports::{InMemoryIncidentStore, SingleProcess, SystemClock};
