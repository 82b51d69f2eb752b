//! The rounds, over ports that count their calls: metrics here, the change history's reads in
//! `changes`, series of several period lengths in `periods`.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;
use futures::future::join_all;

use super::*;
use crate::error::{Error, ErrorKind, Result};
use crate::ports::{
    Datapoint, Deployment, DeploymentsRead, Dimension, HealthEvent, MetricQuery, MetricSeries,
    Statistic,
};
use crate::time::Timestamp;

fn at(secs: i64) -> Timestamp {
    chrono::DateTime::from_timestamp(secs, 0).unwrap()
}

const NOW: i64 = 1_000 * 3_600;

fn query(id: &str, endpoint: &str, metric: &str) -> MetricQuery {
    MetricQuery {
        id: id.to_owned(),
        namespace: "AWS/SageMaker".into(),
        metric: metric.into(),
        dimensions: vec![Dimension::new("EndpointName", endpoint)],
        statistic: Statistic::Sum,
        period: Duration::from_secs(60),
    }
}

/// A metrics port answering one point a minute (the minute's number), counting its calls;
/// it fails with `fail`, and waits for `gate` when one is set.
#[derive(Debug, Default)]
struct Counting {
    calls: Mutex<Vec<(usize, Timestamp, Timestamp)>>,
    fail: Option<ErrorKind>,
    gate: Option<Arc<tokio::sync::Notify>>,
}

impl std::fmt::Display for Counting {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("counting metrics")
    }
}

impl Counting {
    fn calls(&self) -> Vec<(usize, Timestamp, Timestamp)> {
        self.calls.lock().unwrap().clone()
    }
}

#[async_trait]
impl Metrics for Counting {
    async fn query(
        &self,
        queries: &[MetricQuery],
        start: Timestamp,
        end: Timestamp,
    ) -> Result<Vec<MetricSeries>> {
        self.calls.lock().unwrap().push((queries.len(), start, end));
        if let Some(gate) = &self.gate {
            gate.notified().await;
        }
        if let Some(kind) = self.fail {
            return Err(Error::new(kind, "GetMetricData", "slow down").with_provider("counting"));
        }
        if queries.iter().any(|q| q.period.as_secs() == 0) {
            return Err(Error::invalid_input("GetMetricData", "a period of 0"));
        }
        assert!(
            queries.len() <= MAX_SERIES_PER_CALL,
            "{} queries",
            queries.len()
        );
        let first = start.timestamp().div_euclid(60) * 60;
        Ok(queries
            .iter()
            .map(|q| MetricSeries {
                id: q.id.clone(),
                points: (first..end.timestamp())
                    .step_by(60)
                    .map(|s| Datapoint {
                        at: at(s),
                        value: (s / 60) as f64,
                    })
                    .collect(),
            })
            .collect())
    }

    async fn put(&self, _: &str, _: &str, _: &[Dimension], _: f64, _: Timestamp) -> Result<()> {
        Ok(())
    }
}

fn minutes(series: &MetricSeries) -> Vec<i64> {
    series
        .points
        .iter()
        .map(|p| p.at.timestamp() / 60)
        .collect()
}

#[tokio::test(start_paused = true)]
async fn twelve_hundred_series_of_twelve_callers_cost_three_calls() {
    let port = Arc::new(Counting::default());
    let batched = BatchedMetrics::new(port.clone());
    let (start, end) = (at(NOW - 300), at(NOW));
    let asks: Vec<Vec<MetricQuery>> = (0..12)
        .map(|caller| {
            (0..100)
                .map(|n| query(&format!("m{n}"), &format!("ep-{caller}-{n}"), "Invocations"))
                .collect()
        })
        .collect();
    let answers = join_all(asks.iter().map(|qs| batched.query(qs, start, end))).await;
    let calls = port.calls();
    assert_eq!(
        calls.iter().map(|c| c.0).collect::<Vec<_>>(),
        [500, 500, 200]
    );
    for (qs, answer) in asks.iter().zip(answers) {
        let answer = answer.unwrap();
        let ids: Vec<&str> = answer.iter().map(|s| s.id.as_str()).collect();
        let asked: Vec<&str> = qs.iter().map(|q| q.id.as_str()).collect();
        assert_eq!(ids, asked);
        assert!(answer.iter().all(|s| s.points.len() == 5));
    }
    // Later callers open a round of their own.
    batched.query(&asks[0], start, end).await.unwrap();
    assert_eq!(port.calls().len(), 4);
}

#[tokio::test(start_paused = true)]
async fn one_series_asked_thrice_is_fetched_once_and_trimmed_to_each_window() {
    let port = Arc::new(Counting::default());
    let batched = BatchedMetrics::new(port.clone());
    let q = |id: &str| query(id, "cato-shadow-self", "Invocations");
    // Same series, other ids, other dimension order, three windows.
    let mut reordered = q("b");
    reordered
        .dimensions
        .insert(0, Dimension::new("Variant", "AllTraffic"));
    let mut plain = q("a");
    plain
        .dimensions
        .push(Dimension::new("Variant", "AllTraffic"));
    let short = [plain.clone()];
    let long = [reordered];
    let late = [q("other"), plain];
    let (five, fifteen) = (at(NOW - 300 + 30), at(NOW - 900));
    let (a, b, c) = futures::join!(
        batched.query(&short, five, at(NOW)),
        batched.query(&long, fifteen, at(NOW - 600)),
        batched.query(&late, at(NOW - 120), at(NOW + 120)),
    );
    let calls = port.calls();
    assert_eq!(
        calls,
        [(2, fifteen, at(NOW + 120))],
        "two distinct series, one call"
    );
    let (a, b, c) = (a.unwrap(), b.unwrap(), c.unwrap());
    let m = NOW / 60;
    // A start inside a minute reads from that minute, as CloudWatch does.
    assert_eq!(minutes(&a[0]), (m - 5..m).collect::<Vec<_>>());
    assert_eq!(a[0].id, "a");
    assert_eq!(minutes(&b[0]), (m - 15..m - 10).collect::<Vec<_>>());
    assert_eq!(b[0].id, "b");
    assert_eq!(
        c.iter().map(|s| s.id.as_str()).collect::<Vec<_>>(),
        ["other", "a"]
    );
    assert_eq!(minutes(&c[1]), (m - 2..m + 2).collect::<Vec<_>>());
    assert_eq!(c[0].points.len(), 4);
}

#[tokio::test(start_paused = true)]
async fn a_failed_round_fails_every_caller() {
    let port = Arc::new(Counting {
        fail: Some(ErrorKind::Throttled),
        ..Counting::default()
    });
    let batched = BatchedMetrics::new(port.clone());
    let asks: Vec<[MetricQuery; 1]> = (0..5)
        .map(|n| [query("m", &format!("ep{n}"), "Invocations")])
        .collect();
    let answers = join_all(
        asks.iter()
            .map(|qs| batched.query(qs, at(NOW - 300), at(NOW))),
    )
    .await;
    assert_eq!(port.calls().len(), 1);
    for answer in answers {
        let err = answer.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Throttled);
        assert!(err.is_retryable());
        assert_eq!(
            err.to_string(),
            "counting: GetMetricData failed (throttled, throttled): slow down"
        );
    }
}

#[tokio::test(start_paused = true)]
async fn a_refused_round_is_asked_again_by_each_caller_alone() {
    let port = Arc::new(Counting::default());
    let batched = BatchedMetrics::new(port.clone());
    let good = [query("m", "ep", "Invocations")];
    let mut zero = query("m", "ep", "Latency");
    zero.period = Duration::ZERO;
    let bad = [zero];
    let (good_answer, bad_answer) = futures::join!(
        batched.query(&good, at(NOW - 300), at(NOW)),
        batched.query(&bad, at(NOW - 300), at(NOW)),
    );
    assert_eq!(good_answer.unwrap()[0].points.len(), 5);
    assert_eq!(bad_answer.unwrap_err().kind(), ErrorKind::InvalidInput);
    // The round (a call per period class: two), then each caller alone.
    assert_eq!(port.calls().len(), 4);
}

#[tokio::test(start_paused = true)]
async fn a_dropped_first_caller_strands_nobody() {
    let gate = Arc::new(tokio::sync::Notify::new());
    let port = Arc::new(Counting {
        gate: Some(gate.clone()),
        ..Counting::default()
    });
    let batched = Arc::new(BatchedMetrics::new(port.clone()));
    let first = [query("m", "ep1", "Invocations")];
    let second = [query("m", "ep2", "Invocations")];
    let mut opener = Box::pin(batched.query(&first, at(NOW - 300), at(NOW)));
    assert!(futures::poll!(opener.as_mut()).is_pending());
    let other = batched.clone();
    let waiter = tokio::spawn(async move { other.query(&second, at(NOW - 300), at(NOW)).await });
    // The waiter joins the round and drives it once the opener is gone.
    tokio::task::yield_now().await;
    drop(opener);
    for _ in 0..10 {
        tokio::task::yield_now().await;
    }
    assert_eq!(port.calls(), [(2, at(NOW - 300), at(NOW))]);
    gate.notify_waiters();
    let answer = waiter.await.unwrap().unwrap();
    assert_eq!(answer[0].points.len(), 5);
}

#[tokio::test(start_paused = true)]
async fn a_caller_that_times_out_leaves_the_round_to_the_others() {
    let gate = Arc::new(tokio::sync::Notify::new());
    let port = Arc::new(Counting {
        gate: Some(gate.clone()),
        ..Counting::default()
    });
    let batched = BatchedMetrics::new(port.clone());
    let clock = crate::ports::SystemClock;
    let qs = [query("m", "ep", "Invocations")];
    let impatient = crate::call::within(
        &clock,
        Duration::from_secs(1),
        batched.query(&qs, at(NOW - 300), at(NOW)),
    );
    let patient = batched.query(&qs, at(NOW - 120), at(NOW));
    let release = async {
        crate::ports::Clock::sleep(&clock, Duration::from_secs(5)).await;
        gate.notify_waiters();
    };
    let (impatient, patient, ()) = futures::join!(impatient, patient, release);
    assert!(impatient.is_none(), "timed out");
    assert_eq!(patient.unwrap()[0].points.len(), 2);
    assert_eq!(port.calls().len(), 1);
}

#[test]
fn every_clone_of_a_bundle_reads_through_one_wrapper_per_port() {
    let port: Arc<dyn Metrics> = Arc::new(Counting::default());
    let providers = crate::catalog::Providers::builder(Arc::new(crate::ports::SystemClock))
        .metrics(port.clone())
        .build();
    let a = providers.metrics("a").unwrap();
    let b = providers.clone().metrics("b").unwrap();
    assert!(Arc::ptr_eq(&a, &b));
    assert!(!std::ptr::addr_eq(Arc::as_ptr(&a), Arc::as_ptr(&port)));
    assert_eq!(a.to_string(), "counting metrics");
    // A wrapper handed back is not wrapped again.
    let mut again = providers.clone();
    again.metrics = Some(a.clone());
    assert!(Arc::ptr_eq(&again.metrics("c").unwrap(), &a));
}

mod changes;
mod periods;
mod tasks;
