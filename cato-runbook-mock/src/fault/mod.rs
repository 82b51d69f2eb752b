//! Fault injection: scripted errors, latency and hangs, per operation.
//!
//! A [`Faults`] registry holds [`FaultRule`]s. Every fake of a [`World`](crate::World) consults
//! the world's registry before it acts, and [`FaultInjecting`] does the same in front of any
//! provider of any port — a real one included — so the same script runs against both.
//!
//! Rules are tried in the order they were added; the first one that applies to the call fires.
//! A rule with `times` fires that many times and then steps aside, so a sequence is a list of
//! rules: "fail twice, then succeed" is one rule with `times = 2`.
//!
//! ```
//! use std::time::Duration;
//! use cato_runbook_core::ports::Workloads;
//! use cato_runbook_core::{IdempotencyKey, Retry};
//! use cato_runbook_mock::{Op, World};
//!
//! # tokio::runtime::Builder::new_current_thread().enable_time().start_paused(true).build().unwrap().block_on(async {
//! let world = World::default();
//! world.faults().on(Op::WorkloadsScale).times(2).transient();
//! world.faults().on(Op::WorkloadsGet).latency(Duration::from_secs(3));
//!
//! let key = IdempotencyKey::new("INC-1:scale");
//! let workloads = world.workloads();
//! let err = workloads.scale("cato", "cato-orchestrator", 12, &key).await.unwrap_err();
//! assert_eq!(err.retry(), Retry::Transient);
//! assert!(workloads.scale("cato", "cato-orchestrator", 12, &key).await.is_err());
//! assert!(workloads.scale("cato", "cato-orchestrator", 12, &key).await.is_ok());
//! # });
//! ```

mod builder;
mod engine_ports;
mod garbage;
mod layer;
mod ports;
mod registry;
mod rule;

pub use builder::FaultBuilder;
pub use garbage::Garble;
pub use layer::{FaultInjecting, FaultInjectingLayer};
pub use registry::{Faults, INJECTED_KEPT, Injected, RuleId};
pub use rule::{Fault, FaultRule};
/// The layer trait [`FaultInjectingLayer`] implements (from `tower-layer`).
pub use tower_layer::Layer;
