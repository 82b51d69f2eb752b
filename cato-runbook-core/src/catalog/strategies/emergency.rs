//! "Enable emergency mode".

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;

use crate::catalog::kit::revert_key;
use crate::error::{Error, ErrorKind, Result};
use crate::ports::TrafficControl;
use crate::runbook::{Mitigation, Plan, Risk, StepContext, Verification};

/// "Enable emergency mode": curiosity exploration stops and responses are limited, for every
/// user — disruptive, so risk high and, by default, only with an operator's approval.
/// Reversible: the revert turns it off again if this step turned it on.
pub struct EnableEmergencyMode {
    port: Arc<dyn TrafficControl>,
    approval: bool,
    verify_after: Duration,
}

impl EnableEmergencyMode {
    /// The step, named `enable-emergency-mode`, asking for approval, verified after 2 minutes.
    pub fn new(port: Arc<dyn TrafficControl>) -> Self {
        EnableEmergencyMode {
            port,
            approval: true,
            verify_after: Duration::from_secs(120),
        }
    }

    /// Whether the step always asks for approval (default yes).
    pub fn with_approval(mut self, approval: bool) -> Self {
        self.approval = approval;
        self
    }

    /// How long after applying to verify.
    pub fn verify_after(mut self, after: Duration) -> Self {
        self.verify_after = after;
        self
    }
}

impl fmt::Debug for EnableEmergencyMode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EnableEmergencyMode")
            .field("port", &format_args!("{}", self.port))
            .field("approval", &self.approval)
            .finish_non_exhaustive()
    }
}

const EMERGENCY: &str = "emergency mode";

#[async_trait]
impl Mitigation for EnableEmergencyMode {
    fn name(&self) -> &str {
        "enable-emergency-mode"
    }

    async fn plan(&self, ctx: &StepContext) -> Result<Plan> {
        let state = self.port.state().await?;
        if state.emergency_mode {
            return Err(Error::new(
                ErrorKind::Refused,
                "strategies.emergency_mode",
                "emergency mode is already on",
            ));
        }
        let plan = Plan::new(
            self,
            ctx,
            Risk::High,
            "enable emergency mode: curiosity exploration stops, responses are limited",
        )
        .change(EMERGENCY, "off", "on")
        .reversible()
        .verify_after(self.verify_after);
        Ok(if self.approval {
            plan.needs_approval("emergency mode limits every user's responses")
        } else {
            plan
        })
    }

    async fn apply(&self, ctx: &StepContext, _plan: &Plan) -> Result<String> {
        self.port
            .set_emergency_mode(true, &ctx.idempotency_key)
            .await?;
        Ok("emergency mode on".into())
    }

    async fn verify(&self, _ctx: &StepContext, _plan: &Plan) -> Result<Verification> {
        Ok(if self.port.state().await?.emergency_mode {
            Verification::Passed("emergency mode is on".into())
        } else {
            Verification::Failed("emergency mode is off".into())
        })
    }

    async fn revert(&self, ctx: &StepContext, plan: &Plan) -> Result<String> {
        if !self.port.state().await?.emergency_mode {
            return Ok("emergency mode already off".into());
        }
        self.port
            .set_emergency_mode(false, &revert_key(ctx, plan))
            .await?;
        Ok("emergency mode off".into())
    }
}
