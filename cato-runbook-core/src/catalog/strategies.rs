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
//! | failover to a healthy region | none: no port knows a second region | — |
//! | rollback recent changes | none in general: the deployment history is read-only; an endpoint config rollback is the Shadow Self runbook's own step | — |
//!
//! Every step plans exactly (before → after, with the capped [`Quantity`](crate::runbook::Quantity)), applies with the
//! step's idempotency key, verifies from the port's own state, and reverts only what it set:
//! if someone changed the value since, the revert leaves it and says so.
//!
//! ```
//! use std::sync::Arc;
//! use cato_runbook_core::catalog::strategies::{EnableEmergencyMode, ScaleWorkload, Scaling};
//! use cato_runbook_core::engine::Runbook;
//! # use cato_runbook_core::ports::{TrafficControl, Workloads};
//! # fn wire(traffic: Arc<dyn TrafficControl>, workloads: Arc<dyn Workloads>) -> cato_runbook_core::Result<Runbook> {
//! Runbook::builder("high-latency", "High Latency")
//!     .step(Arc::new(ScaleWorkload::new(workloads, "cato", "cato-orchestrator", Scaling::new(10, 50))))
//!     .step(Arc::new(EnableEmergencyMode::new(traffic)))
//!     .build()
//! # }
//! ```

mod emergency;
mod scale;

use crate::incident::IdempotencyKey;
use crate::runbook::{Plan, StepContext};

pub use emergency::EnableEmergencyMode;
pub(crate) use scale::ScaleMemo;
pub use scale::{ScaleEndpoint, ScaleWorkload, Scaling};

/// The key of a step's revert: `incident:step:revert`, so that the revert is a side effect of
/// its own and not a repeat of the apply.
pub(crate) fn revert_key(ctx: &StepContext, plan: &Plan) -> IdempotencyKey {
    IdempotencyKey::derive(&ctx.incident, &format!("{}:revert", plan.step))
}
