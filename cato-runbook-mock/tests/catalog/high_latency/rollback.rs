//! "Rollback recent changes": a bad orchestrator rollout shortly before detection is rolled
//! back first; not offered otherwise; a denial moves on to scaling; a rollback that does not
//! verify is rolled forward again.

use cato_runbook_core::catalog::high_latency::Config;
use cato_runbook_core::ports::Workloads;
use cato_runbook_mock::{Op, World, WorldChange};

use super::{ID, replicas, runbook, world};
use crate::world_engine::{Rig, applied, entries, minutes, skipped};

const STEP: &str = "rollback-orchestrator";

fn unapproved() -> Config {
    let mut config = Config::default();
    config.rollback.approval = false;
    config
}

/// A rollout of `v2` at T+1m that adds 1.5 s to every request (traffic as usual).
fn bad_rollout() -> World {
    let world = world(10, 10, false, 2000.0);
    world
        .schedule_in(minutes(1), rollout("cato/orchestrator:v2", Some(1500.0)))
        .unwrap();
    world
}

fn rollout(image: &str, overhead_ms: Option<f64>) -> WorldChange {
    WorldChange::Rollout {
        namespace: "cato".into(),
        name: "cato-orchestrator".into(),
        image: image.into(),
        change_cause: None,
        author: Some("bob".into()),
        overhead_ms,
    }
}

fn rolled_back_to(world: &World) -> Vec<u64> {
    world
        .calls()
        .applied(Op::WorkloadsRollBack)
        .iter()
        .map(|c| c.arg_u64("to_revision").unwrap())
        .collect()
}

async fn current_image(world: &World) -> String {
    let revisions = world
        .workloads()
        .revisions("cato", "cato-orchestrator")
        .await
        .unwrap();
    let current = revisions.iter().find(|r| r.current).unwrap();
    current.images[0].clone()
}

#[tokio::test(start_paused = true)]
async fn a_bad_rollout_is_rolled_back_before_any_scaling() {
    let world = bad_rollout();
    let rig = Rig::auto(&world, runbook(unapproved()));
    rig.run_until(minutes(20)).await;

    let inc = rig.incident(ID).await;
    assert!(
        inc.root_causes()[0]
            .cause
            .contains("recent deployment cato-orchestrator cato/orchestrator:v2"),
        "{:?}",
        inc.root_causes()
    );
    assert_eq!(applied(&inc), [STEP]);
    assert_eq!(rolled_back_to(&world), [1]);
    let call = world.calls().applied(Op::WorkloadsRollBack).remove(0);
    assert_eq!(call.key.unwrap().as_str(), format!("{}:{STEP}", inc.id()));
    assert_eq!(current_image(&world).await, "cato/orchestrator:v1");
    let planned = entries(&inc, "mitigation_planned", Some(STEP));
    assert!(
        planned[0]
            .contains("revision 2 (cato/orchestrator:v2) → revision 1 (cato/orchestrator:v1)"),
        "{planned:?}"
    );
    assert_eq!(entries(&inc, "verification_passed", Some(STEP)).len(), 1);
    assert!(replicas(&world).is_empty(), "no scaling");
    assert!(inc.phases().resolved.is_some());
}

#[tokio::test(start_paused = true)]
async fn no_rollback_without_an_orchestrator_deployment_among_the_causes() {
    // The orchestrator saturates under a surge; another service was deployed just before.
    let world = world(10, 6, true, 2300.0);
    world
        .apply(WorldChange::Deploy {
            service: "cato-cache-warmer".into(),
            version: "v7".into(),
            author: None,
            description: String::new(),
            source: None,
        })
        .unwrap();
    let rig = Rig::auto(&world, runbook(unapproved()));
    rig.run_until(minutes(20)).await;

    let inc = rig.incident(ID).await;
    assert!(!skipped(&inc, STEP).is_empty(), "the step is not offered");
    assert!(world.calls().of(Op::WorkloadsRollBack).is_empty());
    assert!(world.calls().of(Op::WorkloadsRevisions).is_empty());
    assert_eq!(applied(&inc), ["scale-orchestrator"]);
}

#[tokio::test(start_paused = true)]
async fn a_denied_rollback_moves_on_to_the_next_rung() {
    let world = bad_rollout();
    let rig = Rig::auto(&world, runbook(Config::default()));
    rig.run_until(minutes(4)).await;
    let inc = rig.incident(ID).await;
    assert_eq!(entries(&inc, "approval_requested", Some(STEP)).len(), 1);
    assert!(rolled_back_to(&world).is_empty(), "waits for the approval");
    rig.engine
        .operator()
        .deny(inc.id(), STEP, "alice", "v2 carries a fix we need")
        .await
        .unwrap();
    rig.run_until(minutes(6)).await;

    let inc = rig.incident(ID).await;
    assert_eq!(entries(&inc, "approval_denied", Some(STEP)).len(), 1);
    assert!(rolled_back_to(&world).is_empty());
    assert_eq!(applied(&inc), ["scale-orchestrator"], "Shadow Self is fine");
    assert_eq!(current_image(&world).await, "cato/orchestrator:v2");
}

#[tokio::test(start_paused = true)]
async fn a_rollback_that_fails_verification_is_rolled_forward() {
    let world = bad_rollout();
    // Applied at T+3m30s, verified 7 minutes later: every pod is lost just before.
    world
        .schedule_in(
            minutes(10),
            WorldChange::PodsLost {
                namespace: "cato".into(),
                name: "cato-orchestrator".into(),
            },
        )
        .unwrap();
    let rig = Rig::auto(&world, runbook(unapproved()));
    rig.run_until(minutes(12)).await;

    let inc = rig.incident(ID).await;
    let failed = entries(&inc, "verification_failed", Some(STEP));
    assert!(failed[0].contains("0 of 10 replicas ready"), "{failed:?}");
    assert_eq!(
        entries(&inc, "mitigation_reverted", Some(STEP)),
        [
            "rolled cato/cato-orchestrator forward to revision 2 (cato/orchestrator:v2), the one the rollback replaced"
        ]
    );
    assert_eq!(rolled_back_to(&world), [1, 2]);
    let calls = world.calls().applied(Op::WorkloadsRollBack);
    assert_eq!(
        calls[1].key.as_ref().unwrap().as_str(),
        format!("{}:{STEP}:revert", inc.id())
    );
    assert_eq!(current_image(&world).await, "cato/orchestrator:v2");
}
