//! The runbook's general "Mitigation Strategies", as ladder steps any runbook can add.
//!
//! > **Mitigation Strategies:**
//! > - Failover to healthy region
//! > - Scale up resources
//! > - Enable emergency mode
//! > - Rollback recent changes
//!
//! | strategy | step | port |
//! |----------|------|------|
//! | scale up resources | [`ScaleEndpoint`] (the Shadow Self endpoint's instances), [`ScaleWorkload`] (a Deployment's replicas), each a step toward a cap | [`ModelEndpoint`](crate::ports::ModelEndpoint), [`Workloads`](crate::ports::Workloads) |
//! | enable emergency mode | [`EnableEmergencyMode`] | [`TrafficControl`](crate::ports::TrafficControl) |
//! | failover to a healthy region | [`FailoverRegion`] (Shadow Self traffic to another region's endpoint, once it serves; back when the incident resolves), configured by [`FailoverConfig`] | [`TrafficControl`](crate::ports::TrafficControl), the other region's [`ModelEndpoint`](crate::ports::ModelEndpoint) |
//! | rollback recent changes | [`RollbackWorkload`] (a Deployment back to the revision before its current one; forward again on revert) | [`Workloads`](crate::ports::Workloads) |
//!
//! Shadow Self Endpoint Down's `rollback-endpoint-config` is the other rollback, and stays that
//! runbook's own step: it rolls a SageMaker endpoint to an older endpoint config, which replaces
//! the model and cannot be undone, where [`RollbackWorkload`] moves a Deployment between pod
//! templates that both remain and is reverted by rolling forward. The two share no call and
//! no state; what they share — "the newest version before the current one" — is a line each.
//!
//! Every step plans exactly (before → after, with the capped [`Quantity`](crate::runbook::Quantity)), applies with the
//! step's idempotency key, verifies from the port's own state, and, in the strategy's
//! [`Style`], reverts only what it set: if someone changed the value since, the revert leaves
//! it and says so.
//!
//! A runbook whose own ladder scales (High Latency's "scale up Shadow Self", "scale up Ray
//! Serve") uses the same two steps, named after its rungs, growing by a [`Growth::Factor`],
//! with its own precondition ([`ScaleEndpoint::when`]) and in its commands' [`Style`].
//!
//! ```
//! use std::sync::Arc;
//! use cato_runbook_core::catalog::strategies::{EnableEmergencyMode, ScaleWorkload, Scaling};
//! use cato_runbook_core::runbook::Runbook;
//! # use cato_runbook_core::ports::{TrafficControl, Workloads};
//! # fn wire(traffic: Arc<dyn TrafficControl>, workloads: Arc<dyn Workloads>) -> cato_runbook_core::Result<Runbook> {
//! Runbook::builder("high-latency", "High Latency")
//!     .step(Arc::new(ScaleWorkload::new(workloads, "cato", "cato-orchestrator", Scaling::new(10, 50))))
//!     .step(Arc::new(EnableEmergencyMode::new(traffic)))
//!     .build()
//! # }
//! ```

mod emergency;
mod failover;
mod failover_config;
mod rollback_workload;
mod scale_endpoint;
mod scale_workload;
mod scaling;

pub use emergency::EnableEmergencyMode;
pub use failover::FailoverRegion;
pub use failover_config::{FailoverConfig, RegionEndpoint};
pub use rollback_workload::RollbackWorkload;
pub use scale_endpoint::ScaleEndpoint;
pub use scale_workload::ScaleWorkload;
pub use scaling::{Growth, Scaling, Style};
