//! The logs fake (CloudWatch Logs).

mod pattern;
mod synthetic;

use async_trait::async_trait;
use cato_runbook_core::Timestamp;
use cato_runbook_core::ports::{LogEvent, Logs};
use cato_runbook_core::{Error, Result};
use chrono::{DateTime, Utc};
use serde_json::json;

pub use pattern::FilterPattern;

use super::FakeLogs;
use crate::ops::Op;
use crate::world::{Reply, Sim};

const PROVIDER: &str = "fake-cloudwatch-logs";
/// `filter-log-events` returns at most this many events per call.
const MAX_LIMIT: usize = 10_000;

/// Every event of `group` in `[since, now]`, oldest first.
fn events(sim: &Sim, group: &str, since: Timestamp, now: Timestamp) -> Vec<LogEvent> {
    let mut out: Vec<LogEvent> = sim
        .records
        .logs
        .get(group)
        .map(|events| {
            events
                .iter()
                .filter(|e| e.at >= since && e.at <= now)
                .cloned()
                .collect()
        })
        .unwrap_or_default();
    let config = &sim.config;
    let writers = synthetic::Writers::of(sim.state(), group);
    let synthetic = config.logs.synthetic
        && (group == config.logs.app_group
            || sim.state().endpoints.iter().any(|e| e.log_group == group));
    if synthetic {
        let kept = sim
            .history
            .horizon()
            .map_or(sim.data_start, |h| h.max(sim.data_start));
        let from = since.max(kept);
        let mut minute = from.timestamp().div_euclid(60) * 60;
        loop {
            let m = DateTime::<Utc>::from_timestamp(minute, 0).unwrap_or(now);
            if m > now {
                break;
            }
            let lines = synthetic::lines(
                sim.state_at(m),
                group,
                &writers,
                &config.logs.app_group,
                (&config.bedrock.model_id, &config.bedrock.fallback_model_id),
                m,
            );
            out.extend(lines.into_iter().filter(|e| e.at >= from && e.at <= now));
            minute += 60;
        }
    }
    out.sort_by_key(|e| e.at);
    out
}

#[async_trait]
impl Logs for FakeLogs {
    async fn filter(
        &self,
        group: &str,
        pattern: &str,
        since: Timestamp,
        limit: usize,
    ) -> Result<Vec<LogEvent>> {
        let op = Op::LogsFilter;
        let args = json!({ "group": group, "pattern": pattern, "since": since, "limit": limit });
        self.world
            .call(op, PROVIDER, args, None, |sim, now| {
                let filter = FilterPattern::parse(pattern)?;
                if limit == 0 {
                    return Err(Error::invalid_input(
                        op.as_str(),
                        "limit must be at least 1",
                    ));
                }
                if !sim.records.logs.contains_key(group) {
                    return Err(Error::not_found(op.as_str(), group));
                }
                let found = events(sim, group, since, now)
                    .into_iter()
                    .filter(|e| filter.matches(&e.message))
                    .take(limit.min(MAX_LIMIT))
                    .collect();
                Ok(Reply::new(found))
            })
            .await
    }
}
