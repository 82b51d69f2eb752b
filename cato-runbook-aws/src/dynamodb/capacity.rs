//! Consumed capacity and throttles of a table, from CloudWatch's `AWS/DynamoDB` metrics.

use cato_runbook_core::ports::{Dimension, MetricQuery, MetricSeries, Statistic, TableCapacity};
use cato_runbook_core::{Result, Timestamp};

use crate::cloudwatch::{get_metric_data, period_for_age};
use crate::sdk::Call;

const METRICS: [&str; 4] = [
    "ConsumedReadCapacityUnits",
    "ConsumedWriteCapacityUnits",
    "ReadThrottleEvents",
    "WriteThrottleEvents",
];

/// Peak consumed capacity per second and throttled requests of `table` over `[start, end)`, in
/// one `GetMetricData` call. Provisioned figures are left at 0 for the caller to fill.
pub(super) async fn consumed(
    cloudwatch: &aws_sdk_cloudwatch::Client,
    call: &Call<'_>,
    table: &str,
    start: Timestamp,
    end: Timestamp,
    now: Timestamp,
) -> Result<TableCapacity> {
    let age = (now - start).to_std().unwrap_or_default();
    let period = period_for_age(age);
    let queries: Vec<MetricQuery> = METRICS
        .iter()
        .enumerate()
        .map(|(i, metric)| MetricQuery {
            id: format!("m{i}"),
            namespace: "AWS/DynamoDB".into(),
            metric: (*metric).into(),
            dimensions: vec![Dimension::new("TableName", table)],
            statistic: Statistic::Sum,
            period,
        })
        .collect();
    let series = get_metric_data(cloudwatch, call, &queries, start, end).await?;
    let per_second = |s: Option<&MetricSeries>| {
        s.map_or(0.0, |s| {
            s.points
                .iter()
                .map(|p| p.value / period.as_secs_f64())
                .fold(0.0, f64::max)
        })
    };
    let total = |s: Option<&MetricSeries>| {
        s.map_or(0.0, |s| {
            s.points.iter().map(|p| p.value.max(0.0)).sum::<f64>()
        })
    };
    let throttles = total(series.get(2)) + total(series.get(3));
    Ok(TableCapacity {
        consumed_read: per_second(series.first()),
        consumed_write: per_second(series.get(1)),
        provisioned_read: 0.0,
        provisioned_write: 0.0,
        throttle_events: cato_runbook_core::convert::saturating_u64(throttles),
    })
}
