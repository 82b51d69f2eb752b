//! The alarm detector: `ALARM` is a symptom, `OK` healthy, anything else unknown.

use std::sync::Arc;

use async_trait::async_trait;

use super::AlarmRule;
use super::board::AlarmBoard;
use crate::error::{Error, ErrorKind, Result};
use crate::ports::{AlarmState, AlarmValue};
use crate::runbook::{Detector, Observation, ObserveContext, Symptom};
use crate::severity::Impact;

/// Watches the alarms of one rule.
#[derive(Debug)]
pub(super) struct AlarmDetector {
    name: String,
    rule: AlarmRule,
    impact: Impact,
    board: Arc<AlarmBoard>,
}

impl AlarmDetector {
    pub(super) fn new(rule: &AlarmRule, board: Arc<AlarmBoard>) -> Result<Self> {
        Ok(AlarmDetector {
            name: format!("alarms:{}", rule.prefix),
            impact: rule.impact()?,
            rule: rule.clone(),
            board,
        })
    }

    fn unknown(&self, message: String) -> Error {
        Error::new(ErrorKind::Unavailable, "alarms.observe", message)
            .with_resource(self.rule.resource.clone())
    }
}

fn evidence(alarm: &AlarmState) -> String {
    format!(
        "{} {} since {}: {}",
        alarm.name,
        alarm.state,
        alarm.updated_at.format("%H:%M:%S"),
        alarm.reason
    )
}

#[async_trait]
impl Detector for AlarmDetector {
    fn name(&self) -> &str {
        &self.name
    }

    fn resource(&self) -> &str {
        &self.rule.resource
    }

    async fn observe(&self, ctx: &ObserveContext) -> Result<Observation> {
        let alarms = self.board.read(ctx.now).await?;
        let mine: Vec<&AlarmState> = alarms
            .iter()
            .filter(|a| a.name.starts_with(&self.rule.prefix))
            .collect();
        let firing: Vec<&AlarmState> = mine
            .iter()
            .copied()
            .filter(|a| a.state == AlarmValue::Alarm)
            .collect();
        if let Some(first) = firing.first() {
            let summary = match firing.len() {
                1 => format!("alarm {} in ALARM: {}", first.name, first.reason),
                n => format!("{n} alarms {}… in ALARM", self.rule.prefix),
            };
            let symptom = firing
                .iter()
                .fold(Symptom::new(summary, self.impact), |s, a| {
                    s.with_evidence(evidence(a))
                });
            return Ok(Observation::Symptom(symptom));
        }
        if mine.is_empty() {
            return Err(self.unknown(format!("no alarm named {}…", self.rule.prefix)));
        }
        let unsure: Vec<&str> = mine
            .iter()
            .filter(|a| a.state == AlarmValue::InsufficientData)
            .map(|a| a.name.as_str())
            .collect();
        if !unsure.is_empty() {
            return Err(self.unknown(format!(
                "alarm(s) {} in INSUFFICIENT_DATA",
                unsure.join(", ")
            )));
        }
        Ok(Observation::Healthy)
    }
}
