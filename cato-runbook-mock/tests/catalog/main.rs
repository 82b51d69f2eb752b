//! The catalog's runbooks against the fakes: the right incident and severity, the ladder in the
//! runbook's order, every branch, approvals, root causes from evidence, nothing done twice.

// A test that cannot set up fails loudly.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod alarms;
mod apply_twice;
mod bedrock_throttling;
mod budget_exceeded;
mod cache_miss_spike;
mod diagnose_all;
mod dynamodb_hot_partition;
mod engine_on_world;
mod failover;
mod first_five_minutes;
mod high_latency;
mod no_data;
mod shadow_self_down;
mod strategies;
mod world_engine;
