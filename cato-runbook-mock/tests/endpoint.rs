//! The endpoint fake's states over virtual time, as SageMaker's.

mod support;

use std::time::Duration;

use cato_runbook_core::ErrorKind;
use cato_runbook_core::ports::{EndpointStatus, ModelEndpoint};
use cato_runbook_mock::config::CrashCause;
use cato_runbook_mock::{World, WorldChange};
use support::{MINUTE, key, wait};

const EP: &str = "cato-shadow-self";

#[tokio::test(start_paused = true)]
async fn update_goes_through_updating_for_its_duration() {
    let world = World::default();
    let endpoint = world.model_endpoint();
    endpoint
        .update_config(EP, "cato-shadow-self-config-v1", &key("rollback"))
        .await
        .unwrap();
    let started = world.now();
    let mut seen = Vec::new();
    loop {
        let d = endpoint.describe(EP).await.unwrap();
        seen.push((world.now() - started, d.status, d.config_name.clone()));
        if d.status == EndpointStatus::InService {
            break;
        }
        wait(&world, Duration::from_secs(30)).await;
    }
    let (took, _, config) = seen.last().unwrap().clone();
    assert_eq!(took, chrono::TimeDelta::minutes(8));
    assert_eq!(config, "cato-shadow-self-config-v1");
    assert!(
        seen[..seen.len() - 1]
            .iter()
            .all(|(_, s, c)| *s == EndpointStatus::Updating && c == "cato-shadow-self-config")
    );
}

#[tokio::test(start_paused = true)]
async fn capacity_shows_as_desired_first_and_current_later() {
    let world = World::default();
    let endpoint = world.model_endpoint();
    endpoint
        .set_instance_count(EP, "primary", 50, &key("scale"))
        .await
        .unwrap();
    let d = endpoint.describe(EP).await.unwrap();
    assert_eq!(d.status, EndpointStatus::Updating);
    assert_eq!(
        (d.variants[0].desired_instances, d.current_instances()),
        (50, 10)
    );
    wait(&world, 6 * MINUTE).await;
    let d = endpoint.describe(EP).await.unwrap();
    assert_eq!(
        (d.status, d.current_instances()),
        (EndpointStatus::InService, 50)
    );
}

#[tokio::test(start_paused = true)]
async fn a_second_update_while_updating_is_a_transient_conflict() {
    let world = World::default();
    let endpoint = world.model_endpoint();
    endpoint
        .set_instance_count(EP, "primary", 20, &key("scale"))
        .await
        .unwrap();
    let err = endpoint
        .update_config(EP, "cato-shadow-self-config", &key("restart"))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Conflict);
    assert!(err.is_retryable(), "{err}");
    assert_eq!(err.provider(), Some("fake-sagemaker"));
    wait(&world, 6 * MINUTE).await;
    endpoint
        .update_config(EP, "cato-shadow-self-config", &key("restart"))
        .await
        .unwrap();
}

#[tokio::test(start_paused = true)]
async fn a_broken_config_rolls_back_and_the_previous_one_recovers() {
    let world = World::default();
    // The current config's model no longer fits: its instances die, and a restart on it fails.
    world
        .apply(WorldChange::ConfigBroken {
            config: "cato-shadow-self-config".into(),
            cause: Some(CrashCause::Oom),
        })
        .unwrap();
    world
        .apply(WorldChange::EndpointLosesInstances {
            endpoint: EP.into(),
            cause: CrashCause::Oom,
        })
        .unwrap();
    let endpoint = world.model_endpoint();
    assert_eq!(endpoint.describe(EP).await.unwrap().current_instances(), 0);

    // 2. Restart: Updating, then RollingBack, then InService on the same config, still at 0.
    endpoint
        .update_config(EP, "cato-shadow-self-config", &key("restart"))
        .await
        .unwrap();
    wait(&world, 8 * MINUTE).await;
    assert_eq!(
        endpoint.describe(EP).await.unwrap().status,
        EndpointStatus::RollingBack
    );
    wait(&world, 3 * MINUTE).await;
    let d = endpoint.describe(EP).await.unwrap();
    assert_eq!(
        (d.status, d.current_instances()),
        (EndpointStatus::InService, 0)
    );
    assert!(d.failure_reason.unwrap().contains("health check"));

    // 3. Roll back to the previous config, found as the one created before the current.
    let configs = endpoint.list_configs(EP).await.unwrap();
    let current = configs
        .iter()
        .position(|c| c.name == d.config_name)
        .unwrap();
    let previous = &configs[current - 1].name;
    assert_eq!(previous, "cato-shadow-self-config-v1");
    endpoint
        .update_config(EP, previous, &key("rollback"))
        .await
        .unwrap();
    wait(&world, 8 * MINUTE).await;
    let d = endpoint.describe(EP).await.unwrap();
    assert_eq!(
        (d.status, d.current_instances()),
        (EndpointStatus::InService, 10)
    );
    assert_eq!(d.config_name, "cato-shadow-self-config-v1");
    assert_eq!(d.failure_reason, None);
}

#[tokio::test(start_paused = true)]
async fn scheduled_outages_happen_on_time() {
    let world = World::default();
    world
        .schedule_in(
            5 * MINUTE,
            WorldChange::EndpointLosesInstances {
                endpoint: EP.into(),
                cause: CrashCause::GpuDriver,
            },
        )
        .unwrap();
    world
        .schedule_in(
            10 * MINUTE,
            WorldChange::EndpointFails {
                endpoint: EP.into(),
                reason: "capacity error".into(),
            },
        )
        .unwrap();
    let endpoint = world.model_endpoint();
    wait(&world, 5 * MINUTE - Duration::from_secs(1)).await;
    assert_eq!(endpoint.describe(EP).await.unwrap().current_instances(), 10);
    wait(&world, Duration::from_secs(1)).await;
    assert_eq!(endpoint.describe(EP).await.unwrap().current_instances(), 0);
    wait(&world, 5 * MINUTE).await;
    let d = endpoint.describe(EP).await.unwrap();
    assert_eq!(d.status, EndpointStatus::Failed);
    // A failed endpoint takes no capacity change, but an update brings a new fleet.
    assert!(
        endpoint
            .set_instance_count(EP, "primary", 12, &key("scale"))
            .await
            .is_err()
    );
    endpoint
        .update_config(EP, "cato-shadow-self-config", &key("restart"))
        .await
        .unwrap();
    wait(&world, 8 * MINUTE).await;
    let d = endpoint.describe(EP).await.unwrap();
    assert_eq!(
        (d.status, d.current_instances()),
        (EndpointStatus::InService, 10)
    );
}

#[tokio::test(start_paused = true)]
async fn bad_requests_are_refused() {
    let world = World::default();
    let endpoint = world.model_endpoint();
    let not_found = endpoint.describe("nope").await.unwrap_err();
    assert_eq!(
        (not_found.kind(), not_found.resource()),
        (ErrorKind::NotFound, Some("nope"))
    );
    assert_eq!(
        endpoint
            .set_instance_count(EP, "canary", 3, &key("a"))
            .await
            .unwrap_err()
            .kind(),
        ErrorKind::NotFound
    );
    assert_eq!(
        endpoint
            .set_instance_count(EP, "primary", 0, &key("b"))
            .await
            .unwrap_err()
            .kind(),
        ErrorKind::InvalidInput
    );
    assert_eq!(
        endpoint
            .set_instance_count(EP, "primary", 101, &key("c"))
            .await
            .unwrap_err()
            .kind(),
        ErrorKind::InvalidInput
    );
    assert_eq!(
        endpoint
            .update_config(EP, "no-such-config", &key("d"))
            .await
            .unwrap_err()
            .kind(),
        ErrorKind::NotFound
    );
    assert!(endpoint.list_configs("zzz").await.unwrap().is_empty());
}

#[tokio::test(start_paused = true)]
async fn error_rate_and_slowdown_injections_clear_with_a_new_fleet() {
    let world = World::default();
    world
        .apply(WorldChange::EndpointErrorRate {
            endpoint: EP.into(),
            rate: 0.4,
        })
        .unwrap();
    world
        .apply(WorldChange::EndpointSlowdown {
            endpoint: EP.into(),
            factor: 3.0,
        })
        .unwrap();
    let s = world.snapshot();
    assert_eq!(s.endpoints[0].error_share, 0.4);
    assert!(s.endpoints[0].median_latency_ms > 1000.0);
    world
        .model_endpoint()
        .update_config(EP, "cato-shadow-self-config", &key("restart"))
        .await
        .unwrap();
    wait(&world, 8 * MINUTE).await;
    let s = world.snapshot();
    assert_eq!(s.endpoints[0].error_share, 0.0);
    assert!(s.endpoints[0].median_latency_ms < 1000.0);
}

#[tokio::test(start_paused = true)]
async fn a_config_runs_the_endpoint_spec_instance_type_and_every_read_is_recorded() {
    let world = World::new(cato_runbook_mock::WorldConfig {
        endpoints: vec![cato_runbook_mock::config::EndpointSpec {
            instance_type: "ml.g5.2xlarge".into(),
            ..Default::default()
        }],
        ..Default::default()
    })
    .unwrap();
    let endpoint = world.model_endpoint();
    for _ in 0..2 {
        let config = endpoint
            .describe_config("cato-shadow-self-config")
            .await
            .unwrap();
        assert_eq!(config.instance_type("primary"), Some("ml.g5.2xlarge"));
        assert_eq!(config.variants[0].initial_instances, 10);
    }
    assert_eq!(
        world
            .calls()
            .count(cato_runbook_mock::Op::EndpointDescribeConfig),
        2
    );
    let err = endpoint.describe_config("zzz").await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::NotFound);
}
