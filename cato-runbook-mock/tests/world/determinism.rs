//! Determinism: the same seed gives the same numbers, another seed others.

use std::time::Duration;

use cato_runbook_core::ports::Statistic;
use cato_runbook_mock::{World, WorldChange, WorldConfig};

use crate::support::{MINUTE, query, wait};

async fn p99_series(world: &World) -> cato_runbook_core::Result<Vec<f64>> {
    use cato_runbook_core::ports::Metrics;
    let q = query(
        "p",
        "AWS/SageMaker",
        "ModelLatency",
        &[("EndpointName", "cato-shadow-self")],
        Statistic::Percentile(99.0),
    );
    let answer = world
        .metrics()
        .query(
            &[q],
            world.at(Duration::ZERO) - chrono::TimeDelta::minutes(30),
            world.now(),
        )
        .await?;
    Ok(answer[0].points.iter().map(|p| p.value).collect())
}

#[tokio::test(start_paused = true)]
async fn same_seed_same_numbers() {
    let first = World::default();
    let second = World::default();
    for world in [&first, &second] {
        world
            .apply(WorldChange::RequestRate {
                requests_per_minute: 2600.0,
            })
            .unwrap();
    }
    wait(&first, 20 * MINUTE).await; // one clock: tokio's
    let (a, b) = (
        p99_series(&first).await.unwrap(),
        p99_series(&second).await.unwrap(),
    );
    assert_eq!(a.len(), 50);
    assert_eq!(a, b);

    let other = World::new(WorldConfig {
        seed: 7,
        ..WorldConfig::default()
    })
    .unwrap();
    assert_ne!(p99_series(&other).await.unwrap()[..30], a[..30]);
}
