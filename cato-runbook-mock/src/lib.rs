//! In-memory fakes of every `cato-runbook-core` port on a virtual clock, fault injection, call
//! records, and the conformance suite every provider runs.

#![forbid(unsafe_code)]

pub mod calls;
pub mod clock;
pub mod config;
pub mod conformance;
pub mod fakes;
pub mod fault;
pub mod gameday;
pub mod ops;
pub mod world;

pub use calls::{CallOutcome, CallRecord, Calls};
pub use clock::VirtualClock;
pub use config::WorldConfig;
pub use fault::{Fault, FaultInjecting, FaultInjectingLayer, FaultRule, Faults};
pub use ops::{Op, OpMatch};
pub use world::{World, WorldChange};
