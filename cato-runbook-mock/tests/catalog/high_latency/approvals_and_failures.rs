//! A costly scale-up waits for approval; a denied, lapsed, unverifiable or refused one moves the
//! ladder on.

use cato_runbook_core::catalog::high_latency::Config;
use cato_runbook_mock::config::EndpointSpec;
use cato_runbook_mock::{Op, World, WorldChange, WorldConfig};

use super::{ID, instances, runbook, world};
use crate::world_engine::{Rig, applied, entries, minutes};

fn priced() -> Config {
    let mut config = Config::default();
    config.shadow_self.instance_hourly_usd = Some(1.5);
    config
}

#[tokio::test(start_paused = true)]
async fn a_costly_scale_up_waits_for_approval() {
    let world = world(8, 10, false, 2400.0);
    let rig = Rig::auto(&world, runbook(priced()));
    rig.run_until(minutes(4)).await;
    let inc = rig.incident(ID).await;
    let asked = entries(&inc, "approval_requested", Some("scale-shadow-self"));
    // 8 more instances at $1.50 an hour: about $8,760 a month, above the policy's $1,000.
    assert!(
        asked[0].contains("about $8760/month is above $1000"),
        "{asked:?}"
    );
    assert!(instances(&world).is_empty());
    rig.engine
        .operator()
        .approve(inc.id(), "scale-shadow-self", "alice")
        .await
        .unwrap();
    rig.run_until(minutes(30)).await;
    let inc = rig.incident(ID).await;
    assert_eq!(applied(&inc), ["scale-shadow-self"]);
    assert_eq!(instances(&world), [16]);
    assert!(inc.phases().resolved.is_some());
}

#[tokio::test(start_paused = true)]
async fn a_denied_scale_up_moves_on_and_a_lapsed_one_too() {
    let world = world(8, 10, false, 2400.0);
    let rig = Rig::auto(&world, runbook(priced()));
    rig.run_until(minutes(4)).await;
    let inc = rig.incident(ID).await;
    rig.engine
        .operator()
        .deny(inc.id(), "scale-shadow-self", "alice", "not at that price")
        .await
        .unwrap();
    rig.run_until(minutes(6)).await;
    let inc = rig.incident(ID).await;
    assert_eq!(applied(&inc), ["scale-orchestrator"]);
    assert!(instances(&world).is_empty());

    let world = self::world(8, 10, false, 2400.0);
    let rig = Rig::auto(&world, runbook(priced()));
    rig.run_until(minutes(40)).await;
    let inc = rig.incident(ID).await;
    assert_eq!(
        entries(&inc, "approval_expired", Some("scale-shadow-self")).len(),
        1
    );
    assert!(instances(&world).is_empty());
    assert_eq!(applied(&inc), ["scale-orchestrator"]);
}

#[tokio::test(start_paused = true)]
async fn a_scale_up_that_cannot_be_verified_is_scaled_back() {
    let world = world(8, 10, false, 2400.0);
    // Detected at T+2m30s, verified 12 minutes later: SageMaker does not answer then, nor on
    // the two retries after 30 s and 60 s more.
    world
        .faults()
        .on(Op::EndpointDescribe)
        .between(world.at(minutes(14)), world.at(minutes(17)))
        .transient();
    let rig = Rig::auto(&world, runbook(Config::default()));
    rig.run_until(minutes(18)).await;

    let inc = rig.incident(ID).await;
    assert_eq!(
        entries(&inc, "step_retried", Some("scale-shadow-self")).len(),
        2,
        "two more tries of the verification, then it counts as failed"
    );
    assert_eq!(
        entries(&inc, "mitigation_reverted", Some("scale-shadow-self")),
        ["desired instances back to 8"]
    );
    assert_eq!(instances(&world), [16, 8]);
    let calls = world.calls().applied(Op::EndpointSetInstanceCount);
    assert_eq!(
        calls[1].key.as_ref().unwrap().as_str(),
        format!("{}:scale-shadow-self:revert", inc.id())
    );
    assert_eq!(applied(&inc), ["scale-shadow-self", "scale-orchestrator"]);
}

#[tokio::test(start_paused = true)]
async fn a_refused_scale_up_is_recorded_and_the_ladder_moves_on() {
    let world = World::new(WorldConfig {
        endpoints: vec![EndpointSpec {
            instances: 8,
            max_instances: 12,
            ..EndpointSpec::default()
        }],
        ..WorldConfig::default()
    })
    .unwrap();
    world
        .schedule_in(
            minutes(1),
            WorldChange::RequestRate {
                requests_per_minute: 2400.0,
            },
        )
        .unwrap();
    let rig = Rig::auto(&world, runbook(Config::default()));
    rig.run_until(minutes(4)).await;

    let inc = rig.incident(ID).await;
    let failed = entries(&inc, "mitigation_failed", Some("scale-shadow-self"));
    assert!(failed[0].contains("instance limit"), "{failed:?}");
    assert_eq!(applied(&inc), ["scale-orchestrator"]);
}
