//! In-memory fakes of every `cato-runbook-core` port on a virtual clock, fault injection, the
//! game-day scenario runner, and the conformance suite every real provider runs.
//!
//! Until the fakes land, this crate offers the stores core already has.

#![forbid(unsafe_code)]

pub use cato_runbook_core::ports::{InMemoryIncidentStore, SingleProcess};
