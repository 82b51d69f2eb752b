//! The six incidents of Cato's runbook, as runbooks written once against the ports.
//!
//! Each module reads like the runbook's section it implements: its *symptoms* are detectors,
//! its *diagnosis* commands are diagnoses, its *mitigation* commands are the ladder, in the
//! runbook's order, and its root causes are ranked from evidence. Every threshold and target is
//! in the module's `Config`, whose `Default` is the runbook's value.
//!
//! A runbook is built from [`Providers`] (the ports it talks through) and its config; a port it
//! needs but that is not configured is an error naming both.

mod providers;

pub use providers::{PortName, Providers};
