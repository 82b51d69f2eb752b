//! Several sources of deployments, one of them failing; a cloud health dashboard the account
//! cannot read.

use std::sync::Arc;
use std::time::Duration;

use cato_runbook_core::ErrorKind;
use cato_runbook_core::catalog::facts;
use cato_runbook_core::catalog::first_five_minutes::{
    CloudHealthEvents, Config, RecentDeployments,
};
use cato_runbook_core::runbook::{Diagnosis, Findings};
use cato_runbook_mock::config::DeploymentSpec;
use cato_runbook_mock::{Fault, FaultRule, Op, World, WorldChange, WorldConfig};

use super::{ctx, run};

fn two_sources() -> World {
    let deployed = |service: &str, version: &str, mins: u64, source: &str| DeploymentSpec {
        service: service.into(),
        version: version.into(),
        ago: Duration::from_secs(60 * mins),
        author: None,
        description: String::new(),
        source: Some(source.into()),
    };
    World::new(WorldConfig {
        deployment_sources: vec!["sagemaker".into(), "kubernetes".into()],
        deployments: vec![
            deployed(
                "cato-shadow-self",
                "cato-shadow-self-config-v2",
                15,
                "sagemaker",
            ),
            deployed("cato-orchestrator", "v2.3.0", 5, "kubernetes"),
        ],
        ..WorldConfig::default()
    })
    .unwrap()
}

#[tokio::test(start_paused = true)]
async fn a_failing_source_is_a_finding_and_the_others_still_rank() {
    let world = two_sources();
    let check = RecentDeployments::new(world.deployments_port(), Config::default().deployments);
    // Both answer: both suspects, the later one first.
    let report = run(&check, &world).await;
    assert_eq!(report.root_causes.len(), 2);
    assert_eq!(report.findings.len(), 1);

    world
        .apply(WorldChange::DeploymentSourceDown {
            source: "kubernetes".into(),
        })
        .unwrap();
    let report = run(&check, &world).await;
    let causes: Vec<&str> = report
        .root_causes
        .iter()
        .map(|c| c.cause.as_str())
        .collect();
    assert_eq!(
        causes,
        ["recent deployment cato-shadow-self cato-shadow-self-config-v2"]
    );
    let f = Findings(&report.findings);
    assert_eq!(f.get(facts::DEPLOYMENTS_RECENT), Some(1));
    assert_eq!(f.get(facts::DEPLOYMENTS_UNREAD_SOURCES), Some(1));
    assert_eq!(
        f.text_of(facts::DEPLOYMENTS_UNREAD),
        Some("fake kubernetes deployments")
    );
    let unread = &report.findings[1];
    assert_eq!(unread.source, "recent-deployments");
    assert!(
        unread
            .summary
            .starts_with("deployments not read from fake kubernetes deployments"),
        "{unread:?}"
    );
    assert!(
        unread.evidence[0].contains("cannot be reached"),
        "{unread:?}"
    );

    // Every source down: the diagnosis fails (the engine records it as failed).
    world
        .apply(WorldChange::DeploymentSourceDown {
            source: "sagemaker".into(),
        })
        .unwrap();
    let err = check
        .diagnose(&ctx(world.now(), world.now()))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Unavailable);
}

#[tokio::test(start_paused = true)]
async fn a_dashboard_the_account_cannot_read_is_unavailable_not_failed() {
    let world = World::default();
    world.faults().add(FaultRule::new(
        Op::CloudHealthEvents,
        Fault::Permanent {
            error: Some(ErrorKind::Unsupported),
            message: Some("AWS Health unavailable (no Business support plan)".into()),
        },
    ));
    let check = CloudHealthEvents::new(Arc::new(world.cloud_health()), Config::default().health);
    let report = run(&check, &world).await;
    assert!(report.root_causes.is_empty());
    let f = Findings(&report.findings);
    assert_eq!(f.get(facts::HEALTH_UNAVAILABLE), Some(true));
    assert_eq!(f.get(facts::HEALTH_OPEN_EVENTS), None);
    assert_eq!(
        report.findings[0].summary,
        "AWS Health unavailable (no Business support plan)"
    );
    // Any other failure still fails the diagnosis.
    world.faults().clear();
    world
        .faults()
        .add(FaultRule::new(Op::CloudHealthEvents, Fault::throttled()));
    let err = check
        .diagnose(&ctx(world.now(), world.now()))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Throttled);
}
