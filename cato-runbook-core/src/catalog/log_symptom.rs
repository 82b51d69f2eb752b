//! A symptom the runbook names as a log line (`ThrottlingException` in logs,
//! `ProvisionedThroughputExceededException`): `filter-log-events` over a recent window.

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;

use crate::catalog::kit;
use crate::error::Result;
use crate::ports::{LogEvent, Logs};
use crate::runbook::{Detector, Observation, ObserveContext, Symptom};
use crate::severity::Impact;
use crate::time::{self, HumanDuration, Timestamp};

/// Most lines one look reads.
pub(crate) const MAX_LINES: usize = 1000;
/// Lines quoted as evidence.
const QUOTED: usize = 3;

/// What to look for, and where.
#[derive(Debug, Clone)]
pub(crate) struct LogQuery {
    /// The log group.
    pub group: String,
    /// A CloudWatch Logs filter pattern.
    pub pattern: String,
}

impl LogQuery {
    /// The matching lines since `since`, oldest first.
    pub(crate) async fn lines(&self, logs: &dyn Logs, since: Timestamp) -> Result<Vec<LogEvent>> {
        logs.filter(&self.group, &self.pattern, since, MAX_LINES)
            .await
    }
}

/// Reports a symptom when at least `min_lines` lines match within `window`.
///
/// Lines alone do not say how many users are hurt, so the symptom carries a fixed `impact` —
/// the runbook's judgement of what the line means; a metric detector on the same resource,
/// which can measure the share, raises it when it sees more.
#[derive(Debug)]
pub(crate) struct LogSymptom {
    pub name: &'static str,
    pub resource: String,
    pub logs: Arc<dyn Logs>,
    pub query: LogQuery,
    pub window: Duration,
    pub min_lines: usize,
    pub impact: Impact,
    /// A word that marks a line as evidence of fallback or other consequence, counted apart.
    pub consequence: Option<&'static str>,
}

#[async_trait]
impl Detector for LogSymptom {
    fn name(&self) -> &str {
        self.name
    }

    fn resource(&self) -> &str {
        &self.resource
    }

    async fn observe(&self, ctx: &ObserveContext) -> Result<Observation> {
        let since = time::sub(ctx.now, self.window);
        let lines = self.query.lines(self.logs.as_ref(), since).await?;
        if lines.len() < self.min_lines.max(1) {
            return Ok(Observation::Healthy);
        }
        let mut summary = format!(
            "{} {:?} line(s) in {} over the last {}",
            lines.len(),
            self.query.pattern,
            self.query.group,
            HumanDuration(self.window)
        );
        if let Some(word) = self.consequence {
            let consequences = lines
                .iter()
                .filter(|l| l.message.to_lowercase().contains(word))
                .count();
            if consequences > 0 {
                summary.push_str(&format!(", {consequences} mentioning {word}"));
            }
        }
        let mut symptom = Symptom::new(summary, self.impact);
        for line in lines.iter().rev().take(QUOTED) {
            symptom = symptom.with_evidence(kit::log_line(line));
        }
        Ok(Observation::Symptom(symptom))
    }
}
