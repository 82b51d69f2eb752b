//! `GetMetricData`: batches of up to 500 queries, every page, answers in query order.

use std::collections::HashMap;

use chrono::DurationRound;

use aws_sdk_cloudwatch::Client;
use aws_sdk_cloudwatch::types::{Metric, MetricDataQuery, MetricStat, ScanBy, StatusCode};
use cato_runbook_core::ports::{Datapoint, MetricQuery, MetricSeries};
use cato_runbook_core::{ErrorKind, Result, Timestamp};

use super::sdk_dimension;
use crate::sdk::{Call, from_timestamp, to_timestamp};

/// The most queries one `GetMetricData` call takes.
pub const MAX_QUERIES_PER_CALL: usize = 500;
/// Pages read at most for one batch.
const MAX_PAGES: usize = 100;

fn period_seconds(call: &Call<'_>, q: &MetricQuery) -> Result<i32> {
    let p = q.period;
    let secs = p.as_secs();
    let ok = p.subsec_nanos() == 0
        && (matches!(secs, 1 | 5 | 10 | 30) || (secs > 0 && secs.is_multiple_of(60)));
    if !ok {
        return Err(call.invalid(format!(
            "query {}: a period of {p:?} is not 1, 5, 10, 30 s or a multiple of 60 s",
            q.id
        )));
    }
    i32::try_from(secs).map_err(|_| call.invalid(format!("query {}: period too long", q.id)))
}

fn sdk_query(call: &Call<'_>, index: usize, q: &MetricQuery) -> Result<MetricDataQuery> {
    let metric = Metric::builder()
        .namespace(q.namespace.as_str())
        .metric_name(q.metric.as_str())
        .set_dimensions(Some(q.dimensions.iter().map(sdk_dimension).collect()))
        .build();
    let stat = MetricStat::builder()
        .metric(metric)
        .period(period_seconds(call, q)?)
        .stat(q.statistic.to_string())
        .build();
    Ok(MetricDataQuery::builder()
        .id(format!("q{index}"))
        .metric_stat(stat)
        .return_data(true)
        .build())
}

/// Fetches every query over `[start, end)` in calls of up to [`MAX_QUERIES_PER_CALL`]
/// queries, reading every page.
pub(crate) async fn get_metric_data(
    client: &Client,
    call: &Call<'_>,
    queries: &[MetricQuery],
    start: Timestamp,
    end: Timestamp,
) -> Result<Vec<MetricSeries>> {
    if start >= end {
        return Err(call.invalid("the start time must be before the end time"));
    }
    let sdk_queries = queries
        .iter()
        .enumerate()
        .map(|(i, q)| sdk_query(call, i, q))
        .collect::<Result<Vec<_>>>()?;
    // CloudWatch rounds a recent start down to the whole minute; ask for that start, so that
    // periods begin on the minute whichever service answers.
    let start = if queries
        .iter()
        .all(|q| q.period.as_secs().is_multiple_of(60))
    {
        start
            .duration_trunc(chrono::TimeDelta::minutes(1))
            .unwrap_or(start)
    } else {
        start
    };
    let mut points: HashMap<String, Vec<Datapoint>> = HashMap::new();
    for batch in sdk_queries.chunks(MAX_QUERIES_PER_CALL) {
        fetch_batch(client, call, batch, start, end, &mut points).await?;
    }
    Ok(queries
        .iter()
        .enumerate()
        .map(|(i, q)| {
            let mut series = points.remove(&format!("q{i}")).unwrap_or_default();
            series.sort_by_key(|p| p.at);
            series.dedup_by_key(|p| p.at);
            MetricSeries {
                id: q.id.clone(),
                points: series,
            }
        })
        .collect())
}

async fn fetch_batch(
    client: &Client,
    call: &Call<'_>,
    batch: &[MetricDataQuery],
    start: Timestamp,
    end: Timestamp,
    points: &mut HashMap<String, Vec<Datapoint>>,
) -> Result<()> {
    let mut token: Option<String> = None;
    for _ in 0..MAX_PAGES {
        let out = client
            .get_metric_data()
            .set_metric_data_queries(Some(batch.to_vec()))
            .start_time(from_timestamp(start))
            .end_time(from_timestamp(end))
            .scan_by(ScanBy::TimestampAscending)
            .set_next_token(token.take())
            .send()
            .await
            .map_err(|e| call.sdk(e))?;
        for result in out.metric_data_results() {
            let id = result
                .id()
                .ok_or_else(|| call.malformed("a result has no id"))?;
            match result.status_code() {
                Some(StatusCode::Forbidden) => {
                    return Err(call.error(
                        ErrorKind::PermissionDenied,
                        format!("not allowed to read series {id}"),
                    ));
                }
                Some(StatusCode::InternalError) => {
                    return Err(call.error(
                        ErrorKind::Unavailable,
                        format!("CloudWatch failed series {id}"),
                    ));
                }
                _ => {}
            }
            if result.timestamps().len() != result.values().len() {
                return Err(call.malformed(format!(
                    "series {id} has {} timestamps and {} values",
                    result.timestamps().len(),
                    result.values().len()
                )));
            }
            let series = points.entry(id.to_owned()).or_default();
            for (at, value) in result.timestamps().iter().zip(result.values()) {
                let at = to_timestamp(at).ok_or_else(|| {
                    call.malformed(format!("series {id}: a timestamp out of range"))
                })?;
                series.push(Datapoint { at, value: *value });
            }
        }
        match out.next_token() {
            Some(next) if !next.is_empty() => token = Some(next.to_owned()),
            _ => return Ok(()),
        }
    }
    tracing::warn!(
        pages = MAX_PAGES,
        "GetMetricData still had pages after the most this provider reads; answering what it read"
    );
    Ok(())
}
