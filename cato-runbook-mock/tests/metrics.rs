//! The metrics fake: many series per call, statistics over periods, custom metrics.

mod support;

use std::time::Duration;

use cato_runbook_core::ErrorKind;
use cato_runbook_core::ports::Clock;
use cato_runbook_core::ports::{Dimension, Metrics, Statistic};
use cato_runbook_mock::{Op, World};
use support::{MINUTE, query};

#[tokio::test(start_paused = true)]
async fn many_series_in_one_call() {
    let world = World::default();
    world.clock().sleep(10 * MINUTE).await;
    let ep = [("EndpointName", "cato-shadow-self")];
    let by_variant = [
        ("EndpointName", "cato-shadow-self"),
        ("VariantName", "primary"),
    ];
    let queries = [
        query(
            "p99",
            "AWS/SageMaker",
            "ModelLatency",
            &ep,
            Statistic::Percentile(99.0),
        ),
        query(
            "calls",
            "AWS/SageMaker",
            "Invocations",
            &by_variant,
            Statistic::Sum,
        ),
        query(
            "reads",
            "AWS/DynamoDB",
            "ConsumedReadCapacityUnits",
            &[("TableName", "cato-semantic-memory")],
            Statistic::Sum,
        ),
        query(
            "inval",
            "Custom/Cato",
            "CacheInvalidations",
            &[],
            Statistic::Sum,
        ),
        query(
            "wrongdims",
            "AWS/SageMaker",
            "ModelLatency",
            &[("EndpointName", "cato-shadow-self"), ("Region", "x")],
            Statistic::Average,
        ),
    ];
    let now = world.now();
    let answer = world
        .metrics()
        .query(&queries, now - chrono::TimeDelta::minutes(10), now)
        .await
        .unwrap();
    assert_eq!(world.calls().count(Op::MetricsQuery), 1);
    let ids: Vec<&str> = answer.iter().map(|s| s.id.as_str()).collect();
    assert_eq!(ids, ["p99", "calls", "reads", "inval", "wrongdims"]);
    for s in &answer[..4] {
        assert_eq!(s.points.len(), 10, "{}", s.id);
    }
    assert!(answer[4].points.is_empty(), "dimensions must match exactly");
    let p99 = answer[0].latest().unwrap();
    assert!((500_000.0..2_000_000.0).contains(&p99), "p99 {p99} µs");
    assert_eq!(answer[1].latest(), Some(150.0));
    assert_eq!(answer[2].latest(), Some(600.0 * 60.0));
    assert_eq!(answer[3].latest(), Some(2.0));
}

#[tokio::test(start_paused = true)]
async fn periods_aggregate_minutes_and_only_complete_minutes_count() {
    let world = World::default();
    world.clock().sleep(Duration::from_secs(10 * 60 + 30)).await;
    let now = world.now();
    let mut q = query(
        "calls",
        "AWS/SageMaker",
        "Invocations",
        &[("EndpointName", "cato-shadow-self")],
        Statistic::Sum,
    );
    q.period = 5 * MINUTE;
    let start = world.at(Duration::ZERO);
    let answer = world
        .metrics()
        .query(&[q.clone()], start, now)
        .await
        .unwrap();
    let values: Vec<f64> = answer[0].points.iter().map(|p| p.value).collect();
    // [T, T+5m) and [T+5m, T+10m) are complete; [T+10m, …) has no complete minute yet.
    assert_eq!(values, [750.0, 750.0]);
    q.statistic = Statistic::SampleCount;
    let answer = world.metrics().query(&[q], start, now).await.unwrap();
    assert_eq!(answer[0].points[0].value, 5.0);
}

#[tokio::test(start_paused = true)]
async fn custom_metrics_round_trip_and_validate() {
    let world = World::default();
    let metrics = world.metrics();
    let dims = [Dimension::new("Component", "curiosity")];
    let at = world.now();
    for v in [1.0, 2.0, 3.0, 10.0] {
        metrics
            .put("Custom/Cato", "Spend", &dims, v, at)
            .await
            .unwrap();
    }
    let q = query(
        "spend",
        "Custom/Cato",
        "Spend",
        &[("Component", "curiosity")],
        Statistic::Maximum,
    );
    let answer = metrics
        .query(
            &[q],
            at - chrono::TimeDelta::minutes(1),
            at + chrono::TimeDelta::minutes(1),
        )
        .await
        .unwrap();
    assert_eq!(answer[0].latest(), Some(10.0));

    let bad = |r: cato_runbook_core::Result<()>| r.unwrap_err().kind();
    assert_eq!(
        bad(metrics.put("AWS/SageMaker", "X", &[], 1.0, at).await),
        ErrorKind::InvalidInput
    );
    assert_eq!(
        bad(metrics.put("Custom/Cato", "X", &[], f64::NAN, at).await),
        ErrorKind::InvalidInput
    );
    assert_eq!(
        bad(metrics
            .put(
                "Custom/Cato",
                "X",
                &[],
                1.0,
                at + chrono::TimeDelta::hours(3)
            )
            .await),
        ErrorKind::InvalidInput
    );
    let mut dup = vec![query("a", "Custom/Cato", "X", &[], Statistic::Sum)];
    dup.push(dup[0].clone());
    assert_eq!(
        metrics
            .query(&dup, at - chrono::TimeDelta::minutes(1), at)
            .await
            .unwrap_err()
            .kind(),
        ErrorKind::InvalidInput
    );
    let upper = query("Upper", "Custom/Cato", "X", &[], Statistic::Sum);
    assert_eq!(
        metrics
            .query(&[upper], at - chrono::TimeDelta::minutes(1), at)
            .await
            .unwrap_err()
            .kind(),
        ErrorKind::InvalidInput
    );
}

/// `n` queries of series nobody else asks for: endpoint `prefix-<i>`'s invocations.
fn fleet_queries(prefix: &str, n: usize) -> Vec<cato_runbook_core::ports::MetricQuery> {
    (0..n)
        .map(|i| {
            let endpoint = format!("{prefix}-{i}");
            query(
                &format!("calls{i}"),
                "AWS/SageMaker",
                "Invocations",
                &[("EndpointName", endpoint.as_str())],
                Statistic::Sum,
            )
        })
        .collect()
}

#[tokio::test(start_paused = true)]
async fn more_than_500_queries_are_one_recorded_call_per_500_as_cloudwatch_takes_them() {
    let world = World::default();
    world.clock().sleep(10 * MINUTE).await;
    let queries = fleet_queries("ep", 1_200);
    let now = world.now();
    let start = cato_runbook_core::time::sub(now, 5 * MINUTE);
    let answer = world.metrics().query(&queries, start, now).await.unwrap();
    assert_eq!(answer.len(), 1_200);
    assert_eq!(answer[1_199].id, "calls1199");
    let sizes: Vec<usize> = world
        .calls()
        .of(Op::MetricsQuery)
        .iter()
        .map(|c| {
            c.arg("queries")
                .and_then(|q| q.as_array())
                .map_or(0, Vec::len)
        })
        .collect();
    assert_eq!(sizes, [500, 500, 200]);
    // A fault on the second call fails the query, after two recorded calls.
    world.calls().clear();
    world
        .faults()
        .on(Op::MetricsQuery)
        .once()
        .from(now)
        .transient();
    let failed = world.metrics().query(&queries, start, now).await;
    assert!(failed.is_err());
    assert_eq!(world.calls().count(Op::MetricsQuery), 1);
}

/// A detector reading its own series of the metrics port.
#[derive(Debug)]
struct Reads {
    resource: String,
    metrics: std::sync::Arc<dyn Metrics>,
    queries: Vec<cato_runbook_core::ports::MetricQuery>,
}

#[async_trait::async_trait]
impl cato_runbook_core::runbook::Detector for Reads {
    fn name(&self) -> &str {
        "reads"
    }
    fn resource(&self) -> &str {
        &self.resource
    }
    async fn observe(
        &self,
        ctx: &cato_runbook_core::runbook::ObserveContext,
    ) -> cato_runbook_core::Result<cato_runbook_core::runbook::Observation> {
        let start = cato_runbook_core::time::sub(ctx.now, 5 * MINUTE);
        let series = self.metrics.query(&self.queries, start, ctx.now).await?;
        assert_eq!(series.len(), self.queries.len());
        assert!(series.iter().zip(&self.queries).all(|(s, q)| s.id == q.id));
        Ok(cato_runbook_core::runbook::Observation::Healthy)
    }
}

#[tokio::test(start_paused = true)]
async fn twelve_detectors_of_a_tick_read_1200_series_in_three_calls() {
    let world = World::default();
    let harness = cato_runbook_mock::Harness::on(&world)
        .runbooks(|providers| {
            let metrics = providers.metrics("fleet")?;
            let mut runbook = cato_runbook_core::runbook::Runbook::builder("fleet", "Fleet");
            for d in 0..12 {
                runbook = runbook.detector(std::sync::Arc::new(Reads {
                    resource: format!("svc-{d}"),
                    metrics: metrics.clone(),
                    // Every detector asks for ep-0 too: fetched once for all of them.
                    queries: [
                        fleet_queries(&format!("svc{d}"), 99),
                        fleet_queries("ep", 1),
                    ]
                    .concat(),
                }));
            }
            Ok(vec![runbook.build()?])
        })
        .build()
        .unwrap();
    world.clock().sleep(10 * MINUTE).await;
    world.calls().clear();
    let report = harness.engine().tick().await.unwrap();
    assert_eq!(report.healthy, 12, "{report:?}");
    // 12 × 99 series of their own and one they share: 1,189 series, ⌈1,189 / 500⌉ calls.
    let sizes: Vec<usize> = world
        .calls()
        .of(Op::MetricsQuery)
        .iter()
        .map(|c| {
            c.arg("queries")
                .and_then(|q| q.as_array())
                .map_or(0, Vec::len)
        })
        .collect();
    assert_eq!(sizes, [500, 500, 189]);
}
