//! The catalog's runbooks against the fakes: the right incident and severity, the ladder in the
//! runbook's order, every branch, approvals, root causes from evidence, nothing done twice.

#![allow(clippy::unwrap_used)] // A test that cannot set up fails loudly.

mod budget_exceeded;
mod cache_miss_spike;
mod high_latency;
mod shadow_self_down;
mod world_engine;
