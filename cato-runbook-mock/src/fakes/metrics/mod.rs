//! The metrics fake (CloudWatch).

mod catalog;
mod stats;

use std::time::Duration;

use async_trait::async_trait;
use cato_runbook_core::ports::{Datapoint, Dimension, MetricQuery, MetricSeries, Metrics};
use cato_runbook_core::time::{self, Timestamp};
use cato_runbook_core::{Error, Result};
use chrono::{DateTime, Utc};
use serde_json::json;

use self::catalog::{Draw, Series, stable_hash};
use self::stats::Bucket;
use super::FakeMetrics;
use crate::ops::Op;
use crate::world::{PutDatapoint, Reply, Sim};

pub(crate) use catalog::stable_hash as hash;

const PROVIDER: &str = "fake-cloudwatch";
/// At most this many queries per call (`GetMetricData`).
const MAX_QUERIES: usize = 500;
/// Points older than this cannot be put.
const PUT_PAST: Duration = Duration::from_secs(14 * 24 * 3600);
/// Points further ahead than this cannot be put.
const PUT_FUTURE: Duration = Duration::from_secs(2 * 3600);

fn valid_id(id: &str) -> bool {
    let mut chars = id.chars();
    chars.next().is_some_and(|c| c.is_ascii_lowercase())
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

fn check_queries(op: Op, queries: &[MetricQuery], start: Timestamp, end: Timestamp) -> Result<()> {
    let bad = |message: String| Err(Error::invalid_input(op.as_str(), message));
    if start >= end {
        return bad("the start time must be before the end time".into());
    }
    if queries.len() > MAX_QUERIES {
        return bad(format!("at most {MAX_QUERIES} queries per call"));
    }
    for (i, q) in queries.iter().enumerate() {
        if !valid_id(&q.id) {
            return bad(format!("query id {:?} must match [a-z][a-zA-Z0-9_]*", q.id));
        }
        if queries[..i].iter().any(|other| other.id == q.id) {
            return bad(format!("query id {:?} appears twice", q.id));
        }
        let secs = q.period.as_secs();
        if secs == 0 || secs % 60 != 0 || q.period.subsec_nanos() != 0 {
            return bad(format!(
                "period of {:?} must be a positive multiple of 60 seconds",
                q.id
            ));
        }
        if q.namespace.is_empty() || q.metric.is_empty() {
            return bad(format!("query {:?} needs a namespace and a metric", q.id));
        }
    }
    Ok(())
}

fn sorted(dimensions: &[Dimension]) -> Vec<Dimension> {
    let mut dims = dimensions.to_vec();
    dims.sort();
    dims
}

fn at_seconds(secs: i64) -> Timestamp {
    DateTime::<Utc>::from_timestamp(secs, 0).unwrap_or(DateTime::<Utc>::MIN_UTC)
}

/// One query's series over `[start, end)`, from data complete before `now`.
pub(super) fn series(
    sim: &Sim,
    query: &MetricQuery,
    start: Timestamp,
    end: Timestamp,
    now: Timestamp,
) -> MetricSeries {
    let config = &sim.config;
    let dims = sorted(&query.dimensions);
    let published = Series::resolve(
        sim.state(),
        &config.bedrock.model_id,
        &query.namespace,
        &query.metric,
        &dims,
    );
    let key = format!("{}/{}/{:?}", query.namespace, query.metric, dims);
    let draw = Draw {
        seed: config.seed,
        series_key: stable_hash(&key),
        samples_cap: config.metrics.samples_per_minute,
        bedrock_latency_ms: config.bedrock.latency_ms,
        throttle_retry_ms: config.bedrock.throttle_retry_ms,
    };
    let period = query.period.as_secs() as i64;
    let mut points = Vec::new();
    // Periods start at `start`, rounded down to the minute, as CloudWatch's do.
    let mut bucket_start = start.timestamp().div_euclid(60) * 60;
    while at_seconds(bucket_start) < end {
        let from = at_seconds(bucket_start);
        let to = at_seconds(bucket_start + period);
        let mut bucket = Bucket::default();
        if let Some(series) = &published {
            let mut minute = bucket_start;
            while minute < bucket_start + period {
                let m = at_seconds(minute);
                let complete = time::add(m, Duration::from_secs(60)) <= now;
                if complete && m >= sim.data_start {
                    series.minute(sim.state_at(m), m, &draw, &mut bucket);
                }
                minute += 60;
            }
        }
        for p in sim.records.datapoints.iter().filter(|p| {
            p.at >= from
                && p.at < to
                && p.at <= now
                && p.namespace == query.namespace
                && p.metric == query.metric
                && p.dimensions == dims
        }) {
            bucket.add_value(p.value);
        }
        if let Some(value) = bucket.statistic(query.statistic) {
            points.push(Datapoint { at: from, value });
        }
        bucket_start += period;
    }
    MetricSeries {
        id: query.id.clone(),
        points,
    }
}

impl FakeMetrics {
    /// One `GetMetricData` call: at most 500 queries.
    async fn get_metric_data(
        &self,
        queries: &[MetricQuery],
        start: Timestamp,
        end: Timestamp,
    ) -> Result<Vec<MetricSeries>> {
        let op = Op::MetricsQuery;
        let args = json!({
            "queries": queries.iter().map(|q| json!({
                "id": q.id, "namespace": q.namespace, "metric": q.metric,
                "dimensions": q.dimensions.iter().map(|d| format!("{}={}", d.name, d.value)).collect::<Vec<_>>(),
                "statistic": q.statistic.to_string(), "period_s": q.period.as_secs(),
            })).collect::<Vec<_>>(),
            "start": start, "end": end,
        });
        self.world
            .call(op, PROVIDER, args, None, |sim, now| {
                check_queries(op, queries, start, end)?;
                Ok(Reply::new(
                    queries
                        .iter()
                        .map(|q| series(sim, q, start, end, now))
                        .collect(),
                ))
            })
            .await
    }
}

#[async_trait]
impl Metrics for FakeMetrics {
    /// As the CloudWatch provider does: one `GetMetricData` call per 500 queries, one after
    /// the other, each recorded (and faulted) on its own; the first failure fails the query.
    async fn query(
        &self,
        queries: &[MetricQuery],
        start: Timestamp,
        end: Timestamp,
    ) -> Result<Vec<MetricSeries>> {
        if queries.len() <= MAX_QUERIES {
            return self.get_metric_data(queries, start, end).await;
        }
        let mut out = Vec::with_capacity(queries.len());
        for chunk in queries.chunks(MAX_QUERIES) {
            out.extend(self.get_metric_data(chunk, start, end).await?);
        }
        Ok(out)
    }

    async fn put(
        &self,
        namespace: &str,
        metric: &str,
        dimensions: &[Dimension],
        value: f64,
        at: Timestamp,
    ) -> Result<()> {
        let op = Op::MetricsPut;
        let args = json!({
            "namespace": namespace, "metric": metric, "value": value, "at": at,
            "dimensions": dimensions.iter().map(|d| format!("{}={}", d.name, d.value)).collect::<Vec<_>>(),
        });
        self.world
            .call(op, PROVIDER, args, None, |sim, now| {
                let bad = |message: String| Err(Error::invalid_input(op.as_str(), message));
                if namespace.is_empty() || metric.is_empty() {
                    return bad("a namespace and a metric name are required".into());
                }
                if namespace.starts_with("AWS/") {
                    return bad(format!("the namespace {namespace} is reserved for AWS"));
                }
                if !value.is_finite() {
                    return bad(format!("the value {value} is not a finite number"));
                }
                if dimensions.len() > 30 {
                    return bad("at most 30 dimensions".into());
                }
                if at < time::sub(now, PUT_PAST) || at > time::add(now, PUT_FUTURE) {
                    return bad(
                        "the timestamp must be within the last two weeks and the next two hours"
                            .into(),
                    );
                }
                sim.records.datapoints.push(PutDatapoint {
                    namespace: namespace.to_owned(),
                    metric: metric.to_owned(),
                    dimensions: sorted(dimensions),
                    value,
                    at,
                });
                Ok(Reply::new(()))
            })
            .await
    }
}
