//! The alarms fake (CloudWatch alarms): scripted alarms, and alarms evaluated each minute on
//! the world's metrics.

use async_trait::async_trait;
use cato_runbook_core::ports::{
    AlarmPage, AlarmState, AlarmValue, Alarms, MAX_ALARMS_PER_PAGE, MetricQuery,
};
use cato_runbook_core::time::{self, Timestamp};
use cato_runbook_core::{Error, Result};
use chrono::DateTime;
use serde_json::json;

use super::FakeAlarms;
use super::metrics::series;
use crate::config::AlarmMetric;
use crate::ops::Op;
use crate::world::{Reply, Sim};

const PROVIDER: &str = "fake-cloudwatch";
/// What the fake's page tokens start with.
const TOKEN: &str = "fake-alarms-after:";
/// Most evaluations one read catches up on (an hour of minutes).
const MAX_CATCH_UP: i64 = 60;

fn minute_at(secs: i64) -> Timestamp {
    DateTime::from_timestamp(secs, 0).unwrap_or(DateTime::UNIX_EPOCH)
}

/// The alarm on `metric` evaluated at the minute `at`: its state and reason.
fn evaluate(sim: &Sim, metric: &AlarmMetric, at: Timestamp) -> (AlarmValue, String) {
    let span = metric.period * metric.evaluation_periods;
    let query = MetricQuery {
        id: "alarm".into(),
        namespace: metric.namespace.as_str().into(),
        metric: metric.metric.as_str().into(),
        dimensions: metric.dimensions.clone(),
        statistic: metric.statistic,
        period: metric.period,
    };
    let points = series(sim, &query, time::sub(at, span), at, at).points;
    let periods = metric.evaluation_periods;
    if points.is_empty() {
        return (
            AlarmValue::InsufficientData,
            format!("Insufficient Data: 0 datapoints were received for {periods} period(s)."),
        );
    }
    let crossing = points
        .iter()
        .all(|p| metric.comparison.crosses(p.value, metric.threshold));
    let values: Vec<String> = points
        .iter()
        .map(|p| format!("{} ({})", p.value, p.at.format("%d/%m/%y %H:%M:%S")))
        .collect();
    let (state, not) = if crossing {
        (AlarmValue::Alarm, "")
    } else {
        (AlarmValue::Ok, "not ")
    };
    let reason = format!(
        "Threshold Crossed: {} datapoint(s) [{}] {not}{} the threshold ({}).",
        points.len(),
        values.join(", "),
        metric.comparison.words(),
        metric.threshold
    );
    (state, reason)
}

/// Brings every metric alarm up to `now`, minute by minute.
fn catch_up(sim: &mut Sim, now: Timestamp) {
    let last = now.timestamp().div_euclid(60) * 60;
    let mut changes = Vec::new();
    for (name, record) in &sim.records.alarms {
        let Some(metric) = &record.metric else {
            continue;
        };
        let first = (record.evaluated_at.timestamp().div_euclid(60) * 60 + 60)
            .max(last - (MAX_CATCH_UP - 1) * 60);
        let (mut state, mut reason, mut updated) =
            (record.state, record.reason.clone(), record.updated_at);
        let mut minute = first;
        while minute <= last {
            let at = minute_at(minute);
            let (next, why) = evaluate(sim, metric, at);
            if next != state {
                updated = at;
            }
            (state, reason) = (next, why);
            minute += 60;
        }
        if first <= last {
            changes.push((name.clone(), state, reason, updated, minute_at(last)));
        }
    }
    for (name, state, reason, updated_at, evaluated_at) in changes {
        if let Some(record) = sim.records.alarms.get_mut(&name) {
            record.state = state;
            record.reason = reason;
            record.updated_at = updated_at;
            record.evaluated_at = evaluated_at;
        }
    }
}

#[async_trait]
impl Alarms for FakeAlarms {
    async fn describe(
        &self,
        prefix: &str,
        max_records: u32,
        next_token: Option<String>,
    ) -> Result<AlarmPage> {
        let op = Op::AlarmsDescribe;
        let args =
            json!({ "prefix": prefix, "max_records": max_records, "next_token": next_token });
        self.world
            .call(op, PROVIDER, args, None, |sim, now| {
                if !(1..=MAX_ALARMS_PER_PAGE).contains(&max_records) {
                    return Err(Error::invalid_input(
                        op.as_str(),
                        format!("MaxRecords {max_records} is outside 1..={MAX_ALARMS_PER_PAGE}"),
                    ));
                }
                let after = match &next_token {
                    None => None,
                    Some(token) => Some(token.strip_prefix(TOKEN).ok_or_else(|| {
                        Error::invalid_input(op.as_str(), format!("invalid NextToken {token:?}"))
                    })?),
                };
                catch_up(sim, now);
                let mut names = sim
                    .records
                    .alarms
                    .iter()
                    .filter(|(name, _)| name.starts_with(prefix))
                    .filter(|(name, _)| after.is_none_or(|a| name.as_str() > a));
                let alarms: Vec<AlarmState> = names
                    .by_ref()
                    .take(max_records as usize)
                    .map(|(name, r)| AlarmState {
                        name: name.clone(),
                        state: r.state,
                        reason: r.reason.clone(),
                        updated_at: r.updated_at,
                    })
                    .collect();
                let next_token = match (names.next(), alarms.last()) {
                    (Some(_), Some(last)) => Some(format!("{TOKEN}{}", last.name)),
                    _ => None,
                };
                Ok(Reply::new(AlarmPage { alarms, next_token }))
            })
            .await
    }
}
