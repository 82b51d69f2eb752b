//! Helpers shared by the integration tests.
#![allow(dead_code)] // Each test binary uses some of them.
#![allow(clippy::unwrap_used, clippy::expect_used)] // Test code: a failure should stop the test.

use std::time::Duration;

use cato_runbook_core::IdempotencyKey;
use cato_runbook_core::ports::{Clock, Dimension, MetricQuery, Metrics, Statistic};
use cato_runbook_core::time;
use cato_runbook_mock::World;

pub(crate) const MINUTE: Duration = Duration::from_secs(60);

pub(crate) fn key(step: &str) -> IdempotencyKey {
    IdempotencyKey::new(format!("INC-TEST:{step}"))
}

/// Lets `d` of virtual time pass.
pub(crate) async fn wait(world: &World, d: Duration) {
    world.clock().sleep(d).await;
}

pub(crate) fn query(
    id: &str,
    namespace: &str,
    metric: &str,
    dims: &[(&str, &str)],
    statistic: Statistic,
) -> MetricQuery {
    MetricQuery {
        id: id.into(),
        namespace: namespace.into(),
        metric: metric.into(),
        dimensions: dims.iter().map(|(n, v)| Dimension::new(*n, *v)).collect(),
        statistic,
        period: MINUTE,
    }
}

/// The value of one statistic over the last `minutes` complete minutes, as one period.
pub(crate) async fn over_last(world: &World, minutes: u64, mut q: MetricQuery) -> Option<f64> {
    let now = world.now();
    let end = time::sub(
        now,
        Duration::from_secs(now.timestamp().rem_euclid(60) as u64),
    );
    let start = time::sub(end, MINUTE * minutes as u32);
    q.period = MINUTE * minutes as u32;
    let answer = world.metrics().query(&[q], start, end).await.unwrap();
    answer[0]
        .points
        .iter()
        .find(|p| p.at == start)
        .map(|p| p.value)
}

/// p99 of the Shadow Self endpoint's model latency over the last `minutes`, in seconds.
pub(crate) async fn p99_seconds(world: &World, minutes: u64) -> f64 {
    let q = query(
        "p99",
        "AWS/SageMaker",
        "ModelLatency",
        &[("EndpointName", "cato-shadow-self")],
        Statistic::Percentile(99.0),
    );
    over_last(world, minutes, q).await.expect("latency data") / 1e6
}
