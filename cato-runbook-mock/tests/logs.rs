//! The logs fake: what the world's services write, filtered as CloudWatch Logs does.

mod support;

use std::time::Duration;

use cato_runbook_core::ErrorKind;
use cato_runbook_core::ports::Clock;
use cato_runbook_core::ports::Logs;
use cato_runbook_mock::config::CrashCause;
use cato_runbook_mock::{World, WorldChange, WorldConfig};
use support::MINUTE;

const GROUP: &str = "/aws/sagemaker/Endpoints/cato-shadow-self";

#[tokio::test(start_paused = true)]
async fn the_runbooks_error_filter_finds_the_crash() {
    let world = World::default();
    let logs = world.logs();
    let t0 = world.at(Duration::ZERO);
    // Healthy: a line a minute, no ERROR.
    world.clock().sleep(5 * MINUTE).await;
    assert!(
        logs.filter(GROUP, "ERROR", t0, 100)
            .await
            .unwrap()
            .is_empty()
    );
    let healthy = logs.filter(GROUP, "", t0, 100).await.unwrap();
    assert_eq!(healthy.len(), 5);
    assert!(healthy.iter().all(|e| e.message.starts_with("INFO")));

    world
        .apply(WorldChange::EndpointLosesInstances {
            endpoint: "cato-shadow-self".into(),
            cause: CrashCause::CrashLoop,
        })
        .unwrap();
    world.clock().sleep(5 * MINUTE).await;
    let errors = logs.filter(GROUP, "ERROR", t0, 100).await.unwrap();
    assert!(errors.len() >= 5, "{errors:?}");
    assert!(errors.windows(2).all(|w| w[0].at <= w[1].at));
    let crash_loop = logs
        .filter(GROUP, "\"Back-off restarting\"", t0, 100)
        .await
        .unwrap();
    assert!(!crash_loop.is_empty());
    let limited = logs.filter(GROUP, "ERROR", t0, 2).await.unwrap();
    assert_eq!(limited[..], errors[..2]);
    let since = logs
        .filter(
            GROUP,
            "ERROR",
            world.now() - chrono::TimeDelta::minutes(2),
            100,
        )
        .await
        .unwrap();
    assert!(since.len() < errors.len() && !since.is_empty());
    let not_oom = logs
        .filter(GROUP, "ERROR -\"out of memory\"", t0, 100)
        .await
        .unwrap();
    assert_eq!(not_oom.len(), errors.len());
}

#[tokio::test(start_paused = true)]
async fn the_history_has_minutes_before_the_start() {
    let world = World::default();
    let lines = world
        .logs()
        .filter(
            GROUP,
            "",
            world.at(Duration::ZERO) - chrono::TimeDelta::minutes(90),
            1000,
        )
        .await
        .unwrap();
    assert_eq!(lines.len(), 60, "one hour of history by default");
}

#[tokio::test(start_paused = true)]
async fn the_orchestrator_logs_throttling_and_emergencies() {
    let world = World::default();
    world
        .apply(WorldChange::BedrockThrottling { share: 0.3 })
        .unwrap();
    world.apply(WorldChange::SpendReachesLimit).unwrap();
    world.clock().sleep(2 * MINUTE).await;
    let logs = world.logs();
    let t0 = world.at(Duration::ZERO);
    let throttled = logs
        .filter("/cato/orchestrator", "ThrottlingException", t0, 10)
        .await
        .unwrap();
    assert_eq!(throttled.len(), 2);
    let either = logs
        .filter(
            "/cato/orchestrator",
            "?EMERGENCY ?ThrottlingException",
            t0,
            10,
        )
        .await
        .unwrap();
    assert_eq!(either.len(), 4);
}

#[tokio::test(start_paused = true)]
async fn injected_and_seeded_lines() {
    let mut config = WorldConfig::default();
    config
        .logs
        .events
        .push(cato_runbook_mock::config::LogEventSpec {
            group: GROUP.into(),
            stream: "primary/i-1".into(),
            ago: Duration::from_secs(120),
            message: "WARN GPU temperature high".into(),
        });
    config.logs.synthetic = false;
    let world = World::new(config).unwrap();
    world
        .apply(WorldChange::Log {
            group: "/cato/new".into(),
            stream: "s".into(),
            message: "ERROR first".into(),
        })
        .unwrap();
    let logs = world.logs();
    let t = world.at(Duration::ZERO) - chrono::TimeDelta::hours(1);
    assert_eq!(logs.filter(GROUP, "", t, 10).await.unwrap().len(), 1);
    assert_eq!(
        logs.filter("/cato/new", "ERROR", t, 10).await.unwrap()[0].message,
        "ERROR first"
    );
    assert_eq!(
        logs.filter("/cato/none", "", t, 10)
            .await
            .unwrap_err()
            .kind(),
        ErrorKind::NotFound
    );
    assert_eq!(
        logs.filter(GROUP, "", t, 0).await.unwrap_err().kind(),
        ErrorKind::InvalidInput
    );
    assert_eq!(
        logs.filter(GROUP, "{ $.level = 1 }", t, 5)
            .await
            .unwrap_err()
            .kind(),
        ErrorKind::InvalidInput
    );
}

#[tokio::test(start_paused = true)]
async fn a_world_told_to_keep_an_hour_forgets_older_lines_within_the_hour() {
    let world = World::default();
    let logs = world.logs();
    let t0 = world.at(Duration::ZERO);
    world.clock().sleep(30 * MINUTE).await;
    assert_eq!(logs.filter(GROUP, "", t0, 1000).await.unwrap().len(), 30);

    world.keep_history(60 * MINUTE);
    world.clock().sleep(150 * MINUTE).await;
    let kept = logs.filter(GROUP, "", t0, 1000).await.unwrap();
    let horizon = world.now() - chrono::TimeDelta::minutes(60);
    // Forgotten at most an hour late: at least the last hour, at most two.
    assert!(
        (60..=120).contains(&kept.len()),
        "{} lines kept",
        kept.len()
    );
    assert!(
        kept.iter()
            .all(|e| e.at >= horizon - chrono::TimeDelta::minutes(60))
    );
    assert!(kept.windows(2).all(|w| w[0].at <= w[1].at));
    // The last hour is whole.
    let last_hour = kept.iter().filter(|e| e.at >= horizon).count();
    assert!(
        (59..=61).contains(&last_hour),
        "{last_hour} lines in the last hour"
    );
}
