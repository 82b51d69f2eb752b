//! The symptom the metrics show: the throttled share of Bedrock calls. (The
//! `ThrottlingException` lines are the catalog's log symptom, assembled in the module.)

use std::sync::Arc;

use async_trait::async_trait;

use super::Config;
use super::signals::measure;
use crate::error::{Error, ErrorKind, Result};
use crate::ports::Metrics;
use crate::runbook::{Detector, Observation, ObserveContext, Symptom};
use crate::severity::Impact;
use crate::time::{self, HumanDuration};

/// "Increased error rate": the throttled share of Bedrock calls over the window.
#[derive(Debug)]
pub(super) struct ThrottleRate {
    pub metrics: Arc<dyn Metrics>,
    pub config: Arc<Config>,
}

#[async_trait]
impl Detector for ThrottleRate {
    fn name(&self) -> &str {
        "bedrock-throttle-rate"
    }

    fn resource(&self) -> &str {
        &self.config.model_id
    }

    async fn observe(&self, ctx: &ObserveContext) -> Result<Observation> {
        let start = time::sub(ctx.now, self.config.window);
        let measured =
            measure(self.metrics.as_ref(), &self.config.model_id, start, ctx.now).await?;
        // No data in the window is no look: the throttled share cannot be told.
        let Some(t) = measured else {
            return Err(Error::new(
                ErrorKind::Unavailable,
                "bedrock-throttle-rate",
                format!(
                    "no Invocations or InvocationThrottles data for {} in the last {}",
                    self.config.model_id,
                    HumanDuration(self.config.window)
                ),
            )
            .with_resource(self.config.model_id.clone()));
        };
        if !t.is_symptom(&self.config) {
            return Ok(Observation::Healthy);
        }
        let summary = format!(
            "Bedrock throttled {:.1} % of calls to {} over the last {}",
            t.rate() * 100.0,
            self.config.model_id,
            HumanDuration(self.config.window)
        );
        Ok(Observation::Symptom(
            Symptom::new(summary, Impact::degraded(t.rate())?).with_evidence(t.describe()),
        ))
    }
}
