//! The AWS providers against a real moto server (behind a translating proxy where moto falls
//! short) with the shared conformance suite, and against canned replies on the real wire
//! protocols for the failures moto cannot make. Every test checks that the AWS actions a
//! provider called are in its IAM policy.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::print_stderr
)]
#![allow(unreachable_pub, missing_docs, missing_debug_implementations)]

mod aws_support;

#[cfg(feature = "aws")]
mod catalog;
#[cfg(feature = "cloudwatch")]
mod cloudwatch;
#[cfg(feature = "cloudwatch-logs")]
mod cloudwatch_logs;
#[cfg(feature = "dynamodb")]
mod dynamodb;
#[cfg(feature = "elasticache")]
mod elasticache;
#[cfg(feature = "health")]
mod health;
#[cfg(feature = "sagemaker")]
mod sagemaker;
#[cfg(feature = "service-quotas")]
mod service_quotas;
