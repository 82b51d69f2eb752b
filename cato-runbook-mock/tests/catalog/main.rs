//! The catalog's runbooks on the fakes, one module per runbook.

#![allow(clippy::unwrap_used)] // A test that cannot set up fails loudly.

mod budget_exceeded;
mod cache_miss_spike;
