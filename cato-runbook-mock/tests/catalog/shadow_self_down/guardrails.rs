//! The guardrails: approvals granted, denied or lapsed; dry run changes nothing; two replicas
//! restart once.

use std::time::Duration;

use cato_runbook_core::catalog::shadow_self_down::Config;
use cato_runbook_core::engine::{EngineConfig, Mode, Policy};
use cato_runbook_core::ports::Clock;
use cato_runbook_mock::config::CrashCause;
use cato_runbook_mock::{Op, World};

use super::{ID, approvals, lose_instances, runbook, updates};
use crate::world_engine::{Rig, applied, entries, minutes, skipped};

#[tokio::test(start_paused = true)]
async fn an_approved_restart_is_applied() {
    let world = World::default();
    lose_instances(&world, minutes(1), CrashCause::CrashLoop);
    let rig = Rig::replica(
        &world,
        "replica-1",
        approvals(Mode::Auto),
        runbook(Config::default()),
    );
    rig.run_until(minutes(3)).await;
    let inc = rig.incident(ID).await;
    assert_eq!(
        entries(&inc, "approval_requested", Some("restart-endpoint")).len(),
        1
    );
    assert!(updates(&world).is_empty(), "nothing before approval");
    rig.engine
        .operator()
        .approve(inc.id(), "restart-endpoint", "alice")
        .await
        .unwrap();
    rig.run_until(minutes(30)).await;
    let inc = rig.incident(ID).await;
    assert_eq!(applied(&inc), ["restart-endpoint"]);
    assert_eq!(updates(&world), ["cato-shadow-self-config"]);
    assert!(inc.phases().resolved.is_some());
}

#[tokio::test(start_paused = true)]
async fn a_denied_restart_moves_on_to_the_rollback() {
    let world = World::default();
    lose_instances(&world, minutes(1), CrashCause::CrashLoop);
    let rig = Rig::replica(
        &world,
        "replica-1",
        approvals(Mode::Auto),
        runbook(Config::default()),
    );
    rig.run_until(minutes(3)).await;
    let id = rig.incident(ID).await.id().clone();
    let operator = rig.engine.operator();
    operator
        .deny(
            &id,
            "restart-endpoint",
            "alice",
            "the config changed an hour ago",
        )
        .await
        .unwrap();
    rig.run_until(minutes(4)).await;
    let inc = rig.incident(ID).await;
    assert_eq!(
        entries(&inc, "approval_requested", Some("rollback-endpoint-config")).len(),
        1
    );
    operator
        .approve(&id, "rollback-endpoint-config", "alice")
        .await
        .unwrap();
    rig.run_until(minutes(30)).await;
    let inc = rig.incident(ID).await;
    assert_eq!(applied(&inc), ["rollback-endpoint-config"]);
    assert_eq!(updates(&world), ["cato-shadow-self-config-v1"]);
    assert!(inc.phases().resolved.is_some());
}

#[tokio::test(start_paused = true)]
async fn unanswered_approvals_lapse_and_people_take_over() {
    let world = World::default();
    lose_instances(&world, minutes(1), CrashCause::CrashLoop);
    let rig = Rig::replica(
        &world,
        "replica-1",
        approvals(Mode::Auto),
        runbook(Config::default()),
    );
    rig.run_until(minutes(70)).await;
    let inc = rig.incident(ID).await;
    assert_eq!(
        entries(&inc, "approval_expired", Some("restart-endpoint")).len(),
        1
    );
    assert_eq!(
        entries(&inc, "approval_expired", Some("rollback-endpoint-config")).len(),
        1
    );
    assert!(applied(&inc).is_empty());
    assert!(updates(&world).is_empty());
    assert!(inc.is_open());
}

#[tokio::test(start_paused = true)]
async fn dry_run_plans_and_changes_nothing() {
    let world = World::default();
    lose_instances(&world, minutes(1), CrashCause::CrashLoop);
    let rig = Rig::replica(
        &world,
        "replica-1",
        Policy::default(),
        runbook(Config::default()),
    );
    rig.run_until(minutes(20)).await;
    let inc = rig.incident(ID).await;
    assert_eq!(skipped(&inc, "restart-endpoint"), ["dry-run"]);
    assert!(world.calls().of(Op::EndpointUpdateConfig).is_empty());
}

#[tokio::test(start_paused = true)]
async fn two_replicas_restart_once() {
    let world = World::default();
    lose_instances(&world, minutes(1), CrashCause::CrashLoop);
    let policy = Policy::with_mode(Mode::Auto);
    // The replica that opens an incident holds its claim for the claim's time to live (5 min);
    // once it lapses, the other replica finds the open incident in the store and takes it over
    // instead of opening a second one.
    let config = EngineConfig::default();
    let a = Rig::replica_with(
        &world,
        "replica-a",
        policy.clone(),
        config.clone(),
        runbook(Config::default()),
    );
    let b = Rig::replica_with(
        &world,
        "replica-b",
        policy,
        config,
        runbook(Config::default()),
    );
    let clock = world.clock();
    while clock.now() < world.at(minutes(30)) {
        a.engine.tick().await.unwrap();
        b.engine.tick().await.unwrap();
        clock.sleep(Duration::from_secs(30)).await;
    }
    assert_eq!(updates(&world), ["cato-shadow-self-config"]);
    let incidents = a.incidents(ID).await;
    assert_eq!(incidents.len(), 1, "one incident across replicas");
    assert_eq!(applied(&incidents[0]), ["restart-endpoint"]);
}
