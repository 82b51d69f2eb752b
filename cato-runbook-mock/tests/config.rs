//! Worlds from data: configs, changes, schedules.

mod support;

use std::time::Duration;

use cato_runbook_core::ErrorKind;
use cato_runbook_core::ports::Clock;
use cato_runbook_core::ports::{
    BillingMode, CacheCluster, Deployments, EndpointStatus, ModelEndpoint, Tables,
};
use cato_runbook_mock::{World, WorldChange, WorldConfig};
use support::MINUTE;

const SCENARIO: &str = r#"
start = "2026-05-04T14:00:00Z"
seed = 42

[traffic]
requests_per_minute = 2500

[[endpoints]]
name = "cato-shadow-self"
instances = 6
update_duration = "4m"
  [[endpoints.configs]]
  name = "cato-shadow-self-config-v1"
  created_ago = "30days"
  instances = 6
  [[endpoints.configs]]
  name = "cato-shadow-self-config"
  created_ago = "2h"
  instances = 6
  broken = "oom"

[[caches]]
id = "cato-cache"
node_type = "cache.r7g.xlarge"

[[tables]]
name = "cato-semantic-memory"
billing_mode = "PAY_PER_REQUEST"

[[deployments]]
service = "cato-shadow-self"
version = "model-2026-05-04"
ago = "2h"
description = "larger model"
"#;

#[tokio::test(start_paused = true)]
async fn a_world_from_toml() {
    let config: WorldConfig = toml::from_str(SCENARIO).unwrap();
    let world = World::new(config).unwrap();
    assert_eq!(world.now().to_rfc3339(), "2026-05-04T14:00:00+00:00");
    let d = world
        .model_endpoint()
        .describe("cato-shadow-self")
        .await
        .unwrap();
    assert_eq!(
        (d.current_instances(), d.status),
        (6, EndpointStatus::InService)
    );
    assert_eq!(
        world
            .cache_cluster()
            .describe("cato-cache")
            .await
            .unwrap()
            .node_type,
        "cache.r7g.xlarge"
    );
    assert_eq!(
        world
            .tables()
            .describe("cato-semantic-memory")
            .await
            .unwrap()
            .billing_mode,
        BillingMode::PayPerRequest
    );
    let deployed = world
        .deployments()
        .since(world.at(Duration::ZERO) - chrono::TimeDelta::hours(3))
        .await
        .unwrap();
    assert_eq!(deployed[0].version, "model-2026-05-04");
    // Defaults fill what the file leaves out.
    assert_eq!(world.config().workloads[0].name, "cato-orchestrator");
    assert_eq!(world.config().endpoints[0].variant, "primary");
}

#[test]
fn bad_configs_are_refused() {
    let mut config: WorldConfig = toml::from_str(SCENARIO).unwrap();
    config.endpoints[0].current_config = "missing".into();
    let err = World::new(config).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidInput);
    assert!(err.message().contains("endpoints[0].current_config"));
    assert!(toml::from_str::<WorldConfig>("[[endpoints]]\nname = 'x'\ninstance = 3").is_err());
    assert!(toml::from_str::<WorldConfig>("[[caches]]\nmodify_duration = 'soon'").is_err());
}

#[tokio::test(start_paused = true)]
async fn changes_from_data_at_virtual_times() {
    let world = World::default();
    let changes: toml::Table = toml::from_str(
        r#"
        [[at]]
        after = "5m"
        change = { change = "endpoint_loses_instances", endpoint = "cato-shadow-self", cause = "gpu_driver" }
        [[at]]
        after = "5m"
        change = { change = "endpoint_error_rate", endpoint = "cato-shadow-self", rate = 0.4 }
        [[at]]
        after = "7m"
        change = { change = "deploy", service = "cato-orchestrator", version = "v2" }
        "#,
    )
    .unwrap();
    for entry in changes["at"].as_array().unwrap() {
        let after: Duration = humantime_like(entry["after"].as_str().unwrap());
        let change: WorldChange = entry["change"].clone().try_into().unwrap();
        world.schedule_in(after, change).unwrap();
    }
    world.clock().sleep(6 * MINUTE).await;
    let s = world.snapshot();
    assert_eq!(
        (s.endpoints[0].current_instances, s.endpoints[0].error_share),
        (0, 1.0)
    );
    world.clock().sleep(2 * MINUTE).await;
    let deployed = world
        .deployments()
        .since(world.at(Duration::ZERO))
        .await
        .unwrap();
    assert_eq!(deployed.len(), 1);
    assert_eq!(deployed[0].at, world.at(7 * MINUTE));
}

#[allow(clippy::unwrap_used)] // Test helper.
fn humantime_like(text: &str) -> Duration {
    Duration::from_secs(text.trim_end_matches('m').parse::<u64>().unwrap() * 60)
}

#[tokio::test(start_paused = true)]
async fn bad_changes_are_refused() {
    let world = World::default();
    let unknown = world
        .apply(WorldChange::CacheRestart {
            cache: "nope".into(),
        })
        .unwrap_err();
    assert_eq!(unknown.kind(), ErrorKind::NotFound);
    let range = world.apply(WorldChange::EndpointErrorRate {
        endpoint: "cato-shadow-self".into(),
        rate: 1.4,
    });
    assert_eq!(range.unwrap_err().kind(), ErrorKind::InvalidInput);
    world.clock().sleep(MINUTE).await;
    let past = world
        .schedule(world.at(Duration::ZERO), WorldChange::SpendReachesLimit)
        .unwrap_err();
    assert!(past.message().contains("in the past"), "{past}");
    let scheduled_unknown = world.schedule_in(
        MINUTE,
        WorldChange::PodsLost {
            namespace: "x".into(),
            name: "y".into(),
        },
    );
    assert_eq!(scheduled_unknown.unwrap_err().kind(), ErrorKind::NotFound);
    assert!(serde_json::from_str::<WorldChange>(r#"{"change":"meteor_strike"}"#).is_err());
}

#[tokio::test(start_paused = true)]
async fn snapshots_serialise() {
    let world = World::default();
    let json = serde_json::to_value(world.snapshot()).unwrap();
    assert_eq!(json["endpoints"][0]["status"], "InService");
    assert_eq!(json["budget"]["mode"], "NORMAL");
    assert_eq!(json["workloads"][0]["id"], "cato/cato-orchestrator");
}
