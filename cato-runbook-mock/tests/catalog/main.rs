//! The catalog's runbooks on the fakes: the right incident and severity, the ladder in the
//! runbook's order, every branch, approvals, root causes from evidence, nothing done twice.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // A test that cannot set up fails loudly.

mod bedrock_throttling;
mod dynamodb_hot_partition;
mod engine_on_world;
mod first_five_minutes;
mod strategies;
