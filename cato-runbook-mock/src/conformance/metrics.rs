//! What runbooks rely on from [`Metrics`]: many series per call, statistics over a period
//! (p99 included), custom metrics.

use std::time::Duration;

use cato_runbook_core::ErrorKind;
use cato_runbook_core::ports::{Dimension, MetricQuery, MetricSeries, Metrics, Statistic};
use cato_runbook_core::time::{self, Timestamp};
use chrono::DurationRound;

use super::{CheckResult, During, Failure, Settle, ensure, refused, run_checks};

/// Where the checks may write, and a series the harness publishes.
#[derive(Debug, Clone)]
pub struct MetricsFixture {
    /// A custom namespace the checks write to, e.g. `Custom/CatoConformance`.
    pub namespace: String,
    /// A metric name no one else writes (the checks also use it with the suffix `Pct`).
    pub metric: String,
    /// Its dimensions.
    pub dimensions: Vec<Dimension>,
    /// Whether the provider computes percentiles (CloudWatch does; moto does not).
    pub percentiles: bool,
    /// A series the harness publishes, expected to have data over the last `lookback`.
    pub published: Option<MetricQuery>,
    /// How far back `published` has data.
    pub lookback: Duration,
    /// How to wait for writes to show.
    pub settle: Settle,
}

const MINUTE: Duration = Duration::from_secs(60);

fn query(fixture: &MetricsFixture, id: &str, metric: &str, statistic: Statistic) -> MetricQuery {
    MetricQuery {
        id: id.into(),
        namespace: fixture.namespace.as_str().into(),
        metric: metric.into(),
        dimensions: fixture.dimensions.clone(),
        statistic,
        period: MINUTE,
    }
}

/// The start of the minute three minutes ago: writes land there, in one period.
fn slot(fixture: &MetricsFixture) -> Timestamp {
    let now = fixture.settle.clock.now();
    let minute = time::sub(now, 3 * MINUTE);
    minute
        .duration_trunc(chrono::TimeDelta::minutes(1))
        .unwrap_or(minute)
}

async fn values_at(
    port: &dyn Metrics,
    fixture: &MetricsFixture,
    check: &'static str,
    queries: &[MetricQuery],
    at: Timestamp,
    expected_count: f64,
) -> Result<Vec<MetricSeries>, Failure> {
    let start = time::sub(at, 5 * MINUTE);
    fixture
        .settle
        .until(check, "the written values to show", async || {
            let end = time::add(fixture.settle.clock.now(), MINUTE);
            let answer = port.query(queries, start, end).await.during(check)?;
            let complete = answer
                .first()
                .and_then(|s| s.points.iter().find(|p| p.at == at))
                .map(|p| p.value);
            Ok((complete == Some(expected_count)).then_some(answer))
        })
        .await
}

fn value_at(series: &MetricSeries, at: Timestamp) -> Option<f64> {
    series.points.iter().find(|p| p.at == at).map(|p| p.value)
}

/// Values put into a custom metric come back with the right statistics, one series per query,
/// in query order.
pub async fn put_then_query(port: &dyn Metrics, fixture: &MetricsFixture) -> CheckResult {
    const CHECK: &str = "metrics.put_then_query";
    let at = slot(fixture);
    for value in [10.0, 20.0, 30.0] {
        port.put(
            &fixture.namespace,
            &fixture.metric,
            &fixture.dimensions,
            value,
            time::add(at, Duration::from_secs(10)),
        )
        .await
        .during(CHECK)?;
    }
    let queries = [
        query(fixture, "count", &fixture.metric, Statistic::SampleCount),
        query(fixture, "sum", &fixture.metric, Statistic::Sum),
        query(fixture, "avg", &fixture.metric, Statistic::Average),
        query(fixture, "low", &fixture.metric, Statistic::Minimum),
        query(fixture, "high", &fixture.metric, Statistic::Maximum),
    ];
    let answer = values_at(port, fixture, CHECK, &queries, at, 3.0).await?;
    let ids: Vec<&str> = answer.iter().map(|s| s.id.as_str()).collect();
    ensure(ids == ["count", "sum", "avg", "low", "high"], CHECK, || {
        format!("series ids {ids:?}")
    })?;
    let got: Vec<Option<f64>> = answer.iter().map(|s| value_at(s, at)).collect();
    ensure(
        got == [Some(3.0), Some(60.0), Some(20.0), Some(10.0), Some(30.0)],
        CHECK,
        || format!("statistics {got:?}, expected count 3, sum 60, average 20, min 10, max 30"),
    )
}

/// A query for a series with no data answers an empty series, not an error.
pub async fn unknown_series_is_empty(port: &dyn Metrics, fixture: &MetricsFixture) -> CheckResult {
    const CHECK: &str = "metrics.unknown_series_is_empty";
    let now = fixture.settle.clock.now();
    let q = query(
        fixture,
        "nothing",
        &format!("{}Missing", fixture.metric),
        Statistic::Average,
    );
    let answer = port
        .query(&[q], time::sub(now, 10 * MINUTE), now)
        .await
        .during(CHECK)?;
    ensure(
        answer.len() == 1 && answer[0].id == "nothing" && answer[0].points.is_empty(),
        CHECK,
        || format!("{answer:?}"),
    )
}

/// p50 and p99 of 1..=100 are about 50 and 99.
pub async fn percentiles(port: &dyn Metrics, fixture: &MetricsFixture) -> CheckResult {
    const CHECK: &str = "metrics.percentiles";
    if !fixture.percentiles {
        return Ok(());
    }
    let metric = format!("{}Pct", fixture.metric);
    let at = slot(fixture);
    for value in 1..=100 {
        port.put(
            &fixture.namespace,
            &metric,
            &fixture.dimensions,
            f64::from(value),
            time::add(at, Duration::from_secs(5)),
        )
        .await
        .during(CHECK)?;
    }
    let queries = [
        query(fixture, "n", &metric, Statistic::SampleCount),
        query(fixture, "p50", &metric, Statistic::Percentile(50.0)),
        query(fixture, "p99", &metric, Statistic::Percentile(99.0)),
    ];
    let answer = values_at(port, fixture, CHECK, &queries, at, 100.0).await?;
    let p50 = answer.get(1).and_then(|s| value_at(s, at));
    let p99 = answer.get(2).and_then(|s| value_at(s, at));
    let near = |v: Option<f64>, target: f64| v.is_some_and(|v| (v - target).abs() <= 1.5);
    ensure(near(p50, 50.0) && near(p99, 99.0), CHECK, || {
        format!("p50 {p50:?}, p99 {p99:?}")
    })
}

/// Malformed queries and writes are refused as invalid input.
pub async fn rejects_bad_requests(port: &dyn Metrics, fixture: &MetricsFixture) -> CheckResult {
    const CHECK: &str = "metrics.rejects_bad_requests";
    let now = fixture.settle.clock.now();
    let mut zero = query(fixture, "zero", &fixture.metric, Statistic::Sum);
    zero.period = Duration::ZERO;
    refused(
        port.query(&[zero], time::sub(now, MINUTE * 10), now).await,
        CHECK,
        &[ErrorKind::InvalidInput],
    )?;
    let q = query(fixture, "backwards", &fixture.metric, Statistic::Sum);
    refused(
        port.query(&[q], now, time::sub(now, MINUTE)).await,
        CHECK,
        &[ErrorKind::InvalidInput],
    )?;
    refused(
        port.put("AWS/SageMaker", &fixture.metric, &[], 1.0, now)
            .await,
        CHECK,
        &[ErrorKind::InvalidInput],
    )
}

/// The series the harness publishes has data over the lookback.
pub async fn published_series_has_data(
    port: &dyn Metrics,
    fixture: &MetricsFixture,
) -> CheckResult {
    const CHECK: &str = "metrics.published_series_has_data";
    let Some(q) = &fixture.published else {
        return Ok(());
    };
    let now = fixture.settle.clock.now();
    let answer = port
        .query(
            std::slice::from_ref(q),
            time::sub(now, fixture.lookback),
            now,
        )
        .await
        .during(CHECK)?;
    let series = answer.first();
    ensure(
        series.is_some_and(|s| !s.points.is_empty() && s.id == q.id),
        CHECK,
        || {
            format!(
                "no data for {}/{} over the lookback: {answer:?}",
                q.namespace, q.metric
            )
        },
    )?;
    let points = series.map(|s| s.points.as_slice()).unwrap_or_default();
    ensure(points.windows(2).all(|w| w[0].at < w[1].at), CHECK, || {
        "points not oldest first".into()
    })
}

/// Every check.
pub async fn run_all(port: &dyn Metrics, fixture: &MetricsFixture) -> CheckResult {
    run_checks!(port, fixture;
        put_then_query,
        unknown_series_is_empty,
        percentiles,
        rejects_bad_requests,
        published_series_has_data,
    )
}
