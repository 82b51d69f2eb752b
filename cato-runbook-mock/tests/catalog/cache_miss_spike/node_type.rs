//! The node-type change: behind approval (granted, denied, lapsed), nothing to scale to at the
//! target already, only planned in dry run.

use cato_runbook_core::catalog::{self, CatalogConfig};
use cato_runbook_core::engine::{Mode, Policy};
use cato_runbook_core::ports::Clock;
use cato_runbook_core::{EntryKind, Severity, Status};
use cato_runbook_mock::{Op, World, WorldChange, WorldConfig};

use super::{ID, MIN, Rig, TICK, steps, top_cause, undersized};

#[tokio::test(start_paused = true)]
async fn undersized_cache_is_sev3_and_scaled_up_once_approved() {
    let rig = Rig::default();
    rig.run_for(2 * MIN).await;
    rig.change(undersized());
    rig.run_for(2 * MIN).await;

    let inc = rig.incident().await;
    assert_eq!(inc.severity(), Severity::Sev3);
    assert!(inc.title().contains("Cache Miss Spike"));
    assert_eq!(top_cause(&inc), "Cache eviction due to size limits");
    assert!(inc.root_causes()[0].confidence > 0.8);
    // The runbook's order: the review rung first (no spike: skipped), then the node type.
    assert_eq!(
        steps(&inc, "mitigation_skipped"),
        ["review-invalidations"],
        "{:#?}",
        inc.timeline()
    );
    assert_eq!(
        steps(&inc, "approval_requested"),
        ["modify-cache-node-type"]
    );
    let requested = inc.timeline().first("approval_requested").unwrap();
    assert!(
        requested
            .detail
            .contains("cato-cache cache node type: cache.r7g.large → cache.r7g.2xlarge"),
        "{}",
        requested.detail
    );
    // Priced from the shipped table: every node's type costs the difference.
    assert!(requested.detail.contains("adds ~$"), "{}", requested.detail);
    assert_eq!(rig.modifications(), 0, "nothing changes before approval");
    assert!(rig.world.pager_events().is_empty(), "SEV3 does not page");

    rig.operator()
        .approve(inc.id(), "modify-cache-node-type", "lead")
        .await
        .unwrap();
    rig.run_for(10 * MIN).await;
    let calls = rig.world.calls().applied(Op::CacheClusterModifyNodeType);
    assert_eq!(calls.len(), 1);
    assert_eq!(calls[0].arg_str("node_type"), Some("cache.r7g.2xlarge"));
    assert_eq!(
        calls[0].key.as_ref().unwrap().as_str(),
        format!("{}:modify-cache-node-type", inc.id())
    );
    assert!(
        rig.incident().await.is_open(),
        "modifying: not yet verified"
    );

    rig.run_for(30 * MIN).await;
    let inc = rig.incident().await;
    assert_eq!(inc.status(), Status::Resolved, "{:#?}", inc.timeline());
    assert_eq!(
        steps(&inc, "mitigation_applied"),
        ["modify-cache-node-type"]
    );
    let passed = inc.timeline().first("verification_passed").unwrap();
    assert!(passed.detail.contains("recovered"), "{}", passed.detail);
    assert_eq!(rig.modifications(), 1, "modified exactly once");
    assert_eq!(
        rig.world.snapshot().caches[0].node_type,
        "cache.r7g.2xlarge"
    );
}

#[tokio::test(start_paused = true)]
async fn denied_node_type_change_leaves_the_cache_alone() {
    let rig = Rig::default();
    rig.change(undersized());
    rig.run_for(3 * MIN).await;
    let inc = rig.incident().await;
    rig.operator()
        .deny(
            inc.id(),
            "modify-cache-node-type",
            "lead",
            "not in business hours",
        )
        .await
        .unwrap();
    rig.run_for(40 * MIN).await;
    let inc = rig.incident().await;
    assert!(inc.is_open());
    assert_eq!(steps(&inc, "approval_denied"), ["modify-cache-node-type"]);
    assert!(steps(&inc, "mitigation_applied").is_empty());
    assert!(inc.automation().exhausted, "over to people");
    assert_eq!(rig.modifications(), 0);
    assert_eq!(rig.world.snapshot().caches[0].node_type, "cache.r7g.large");
}

#[tokio::test(start_paused = true)]
async fn unanswered_approval_lapses() {
    let rig = Rig::default();
    rig.change(undersized());
    rig.run_for(45 * MIN).await;
    let inc = rig.incident().await;
    assert!(inc.is_open());
    assert_eq!(steps(&inc, "approval_expired"), ["modify-cache-node-type"]);
    assert_eq!(rig.modifications(), 0);
    assert!(inc.automation().exhausted);
}

#[tokio::test(start_paused = true)]
async fn already_at_the_target_node_type_nothing_to_scale_to() {
    let mut config = WorldConfig::default();
    config.caches[0].node_type = "cache.r7g.2xlarge".into();
    config.caches[0].working_set_gib = 8.0;
    let rig = Rig::new(config, CatalogConfig::default());
    rig.change(WorldChange::CacheWorkingSet {
        cache: "cato-cache".into(),
        gib: 70.0,
    });
    rig.run_for(5 * MIN).await;
    let inc = rig.incident().await;
    assert_eq!(top_cause(&inc), "Cache eviction due to size limits");
    assert!(steps(&inc, "approval_requested").is_empty());
    assert_eq!(
        steps(&inc, "mitigation_skipped"),
        ["review-invalidations", "modify-cache-node-type"]
    );
}

#[tokio::test(start_paused = true)]
async fn dry_run_plans_without_changing() {
    let world = World::default();
    let ports = world.ports("r");
    let runbook = catalog::build(
        ID,
        &ports.providers(world.clock_handle()),
        &CatalogConfig::default(),
    )
    .unwrap();
    let engine = world
        .engine_builder(&ports)
        .runbook(runbook)
        .policy(Policy::with_mode(Mode::DryRun))
        .build()
        .unwrap();
    world.apply(undersized()).unwrap();
    for _ in 0..10 {
        engine.tick().await.unwrap();
        world.clock().sleep(TICK).await;
    }
    let all = ports.store.all().await.unwrap();
    let inc = &all[0];
    let dry = inc
        .timeline()
        .iter()
        .find(|e| matches!(&e.kind, EntryKind::MitigationSkipped { reason, .. } if reason == "dry-run"))
        .unwrap();
    assert!(
        dry.detail.contains("would ask for approval"),
        "{}",
        dry.detail
    );
    assert_eq!(
        world.calls().applied(Op::CacheClusterModifyNodeType).len(),
        0
    );
}
