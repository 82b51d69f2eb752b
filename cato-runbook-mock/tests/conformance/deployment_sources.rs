//! A world whose deployments come from two sources, read as one by `AllDeployments`.

use std::time::Duration;

use cato_runbook_core::ErrorKind;
use cato_runbook_mock::config::DeploymentSpec;
use cato_runbook_mock::{Op, WorldChange, WorldConfig};

use super::*;

#[allow(clippy::expect_used)] // Test helper: no world, no test.
fn two_sources() -> (World, Fixtures) {
    let deployed = |service: &str, hours: u64, source: &str| DeploymentSpec {
        service: service.into(),
        version: "v2".into(),
        ago: Duration::from_secs(hours * 3600),
        source: Some(source.into()),
        ..DeploymentSpec::default()
    };
    let config = WorldConfig {
        deployment_sources: vec!["sagemaker".into(), "kubernetes".into()],
        deployments: vec![
            deployed("cato-shadow-self", 30, "sagemaker"),
            deployed("cato-orchestrator", 20, "kubernetes"),
            deployed("cato-shadow-self", 10, "sagemaker"),
        ],
        ..WorldConfig::default()
    };
    let world = World::new(config).expect("a world of two sources");
    let fixtures = world.conformance_fixtures().expect("fixtures");
    (world, fixtures)
}

#[tokio::test(start_paused = true)]
async fn the_combined_sources_conform() {
    let (world, f) = two_sources();
    assert_eq!(
        f.deployments.services,
        ["cato-shadow-self", "cato-orchestrator", "cato-shadow-self"]
    );
    let port = world.deployments_port();
    assert_eq!(
        port.to_string(),
        "fake sagemaker deployments + fake kubernetes deployments"
    );
    conformance::changes::run_all_deployments(port.as_ref(), &f.deployments)
        .await
        .unwrap();
    // Each source on its own conforms too, and each read is a call of its own.
    let before = world.calls().count(Op::DeploymentsSince);
    port.read(f.deployments.since).await.unwrap();
    assert_eq!(world.calls().count(Op::DeploymentsSince), before + 2);
}

#[tokio::test(start_paused = true)]
async fn a_source_down_is_named_and_hides_no_other() {
    let (world, f) = two_sources();
    let port = world.deployments_port();
    world
        .apply(WorldChange::DeploymentSourceDown {
            source: "kubernetes".into(),
        })
        .unwrap();
    let read = port.read(f.deployments.since).await.unwrap();
    let services: Vec<&str> = read
        .deployments
        .iter()
        .map(|d| d.service.as_str())
        .collect();
    assert_eq!(services, ["cato-shadow-self", "cato-shadow-self"]);
    assert_eq!(read.unread.len(), 1);
    assert_eq!(read.unread[0].source, "fake kubernetes deployments");
    assert_eq!(read.unread[0].error.kind(), ErrorKind::Unavailable);
    assert!(read.unread[0].error.is_retryable());
    // The strict answer fails, naming the source.
    let err = port.since(f.deployments.since).await.unwrap_err();
    assert!(
        err.message().contains("fake kubernetes deployments"),
        "{err}"
    );
    assert!(err.is_retryable());
    // Both down: nothing was read, and that is an error.
    world
        .apply(WorldChange::DeploymentSourceDown {
            source: "sagemaker".into(),
        })
        .unwrap();
    let err = port.read(f.deployments.since).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Unavailable);
    assert!(err.message().contains("no deployment source"), "{err}");
    // Back up: the suite passes again.
    for source in ["sagemaker", "kubernetes"] {
        world
            .apply(WorldChange::DeploymentSourceUp {
                source: source.into(),
            })
            .unwrap();
    }
    conformance::changes::run_all_deployments(port.as_ref(), &f.deployments)
        .await
        .unwrap();
}

#[tokio::test(start_paused = true)]
async fn an_unknown_source_is_refused() {
    let (world, _) = two_sources();
    let err = world
        .apply(WorldChange::DeploymentSourceDown {
            source: "cloudtrail".into(),
        })
        .unwrap_err();
    assert!(
        err.message()
            .contains("no deployment source \"cloudtrail\""),
        "{err}"
    );
    let config = WorldConfig {
        deployments: vec![DeploymentSpec {
            source: Some("kubernetes".into()),
            ..DeploymentSpec::default()
        }],
        ..WorldConfig::default()
    };
    let err = World::new(config).unwrap_err();
    assert!(err.message().contains("deployments[0].source"), "{err}");
}
