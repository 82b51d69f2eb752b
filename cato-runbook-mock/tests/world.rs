//! The fakes of one world interact as the real services do.

mod support;

#[path = "world/cache.rs"]
mod cache;
#[path = "world/determinism.rs"]
mod determinism;
#[path = "world/endpoint.rs"]
mod endpoint;
#[path = "world/orchestrator.rs"]
mod orchestrator;
#[path = "world/quotas.rs"]
mod quotas;
#[path = "world/tables.rs"]
mod tables;
