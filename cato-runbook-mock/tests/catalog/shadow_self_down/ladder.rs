//! The ladder: restart on 0 instances, roll back a broken config, people when both fail; a
//! serving endpoint skips the restart, and no older config leaves nothing to roll back to.

use std::time::Duration;

use cato_runbook_core::Severity;
use cato_runbook_core::catalog::shadow_self_down::Config;
use cato_runbook_mock::config::{CrashCause, EndpointConfigSpec, EndpointSpec};
use cato_runbook_mock::world::PagerAction;
use cato_runbook_mock::{Op, World, WorldChange, WorldConfig};

use super::{ENDPOINT, ID, break_config, lose_instances, runbook, updates};
use crate::world_engine::{Rig, applied, entries, escalations, minutes, skipped};

#[tokio::test(start_paused = true)]
async fn zero_instances_restart_on_the_current_config() {
    let world = World::default();
    lose_instances(&world, minutes(1), CrashCause::CrashLoop);
    let rig = Rig::auto(&world, runbook(Config::default()));
    rig.run_until(minutes(30)).await;

    let inc = rig.incident(ID).await;
    assert_eq!(inc.severity(), Severity::Sev1);
    assert!(inc.impact().complete_outage());
    assert_eq!(inc.resource(), ENDPOINT);
    assert_eq!(inc.title(), "Shadow Self Endpoint Down");
    assert_eq!(applied(&inc), ["restart-endpoint"]);
    assert_eq!(updates(&world), ["cato-shadow-self-config"]);
    let call = world.calls().applied(Op::EndpointUpdateConfig).remove(0);
    assert_eq!(
        call.key.unwrap().as_str(),
        format!("{}:restart-endpoint", inc.id())
    );
    let planned = entries(&inc, "mitigation_planned", Some("restart-endpoint"));
    assert!(
        planned[0].contains(
            "cato-shadow-self fleet: InService, 0 instances in service → Updating, then a new fleet on cato-shadow-self-config"
        ),
        "{planned:?}"
    );
    assert!(planned[0].contains("risk high"), "{planned:?}");
    assert_eq!(
        inc.root_causes()[0].cause,
        "container crash loop",
        "{:?}",
        inc.root_causes()
    );
    assert!(inc.phases().resolved.is_some(), "{:#?}", inc.timeline());
    // Detected at T+1m30s, resolved before anyone else had to be called.
    assert!(escalations(&world, &inc).is_empty());
    let opened: Vec<_> = world
        .pager_events()
        .into_iter()
        .filter(|p| p.action == PagerAction::Opened)
        .collect();
    assert_eq!(opened.len(), 1);
    assert_eq!(opened[0].target, "on-call");
}

#[tokio::test(start_paused = true)]
async fn a_broken_config_is_rolled_back_to_the_one_before_it() {
    let world = World::default();
    break_config(&world, "cato-shadow-self-config", CrashCause::Oom);
    lose_instances(&world, minutes(1), CrashCause::Oom);
    let rig = Rig::auto(&world, runbook(Config::default()));
    rig.run_until(minutes(40)).await;

    let inc = rig.incident(ID).await;
    assert_eq!(
        applied(&inc),
        ["restart-endpoint", "rollback-endpoint-config"]
    );
    assert_eq!(
        updates(&world),
        ["cato-shadow-self-config", "cato-shadow-self-config-v1"]
    );
    let failed = entries(&inc, "verification_failed", Some("restart-endpoint"));
    assert!(failed[0].contains("no instance in service"), "{failed:?}");
    let planned = entries(&inc, "mitigation_planned", Some("rollback-endpoint-config"));
    assert!(
        planned[0].contains(
            "cato-shadow-self config: cato-shadow-self-config → cato-shadow-self-config-v1"
        ),
        "{planned:?}"
    );
    assert_eq!(
        inc.root_causes()[0].cause,
        "out of memory (model too large)"
    );
    assert!(inc.phases().resolved.is_some());
    assert_eq!(
        world.snapshot().endpoints[0].config,
        "cato-shadow-self-config-v1"
    );
}

#[tokio::test(start_paused = true)]
async fn when_rollback_fails_too_people_take_over_on_time() {
    let world = World::default();
    break_config(&world, "cato-shadow-self-config", CrashCause::GpuDriver);
    break_config(&world, "cato-shadow-self-config-v1", CrashCause::GpuDriver);
    lose_instances(&world, minutes(1), CrashCause::GpuDriver);
    let rig = Rig::auto(&world, runbook(Config::default()));
    rig.run_until(minutes(45)).await;

    let inc = rig.incident(ID).await;
    assert!(inc.is_open());
    assert_eq!(
        applied(&inc),
        ["restart-endpoint", "rollback-endpoint-config"]
    );
    assert_eq!(
        entries(&inc, "verification_failed", None).len(),
        2,
        "both steps failed"
    );
    assert_eq!(inc.root_causes()[0].cause, "GPU driver issue");
    let escalated = escalations(&world, &inc);
    let roles: Vec<_> = escalated.iter().map(|(r, _)| r.as_str()).collect();
    assert_eq!(roles, ["Engineering Lead", "VP Engineering"]);
    // Detected at T+1m30s: the lead at 15 minutes; the VP when the ladder ran out, before 30.
    assert_eq!(escalated[0].1, minutes(16) + Duration::from_secs(30));
    assert!(escalated[1].1 <= minutes(31) + Duration::from_secs(30));
    assert_eq!(updates(&world).len(), 2);
}

#[tokio::test(start_paused = true)]
async fn serving_instances_skip_the_restart_and_roll_back() {
    let world = World::default();
    world
        .schedule_in(
            minutes(1),
            WorldChange::EndpointErrorRate {
                endpoint: ENDPOINT.into(),
                rate: 1.0,
            },
        )
        .unwrap();
    let rig = Rig::auto(&world, runbook(Config::default()));
    rig.run_until(minutes(30)).await;

    let inc = rig.incident(ID).await;
    assert_eq!(inc.severity(), Severity::Sev1);
    assert_eq!(
        skipped(&inc, "restart-endpoint"),
        ["precondition does not hold on the findings"]
    );
    assert_eq!(applied(&inc), ["rollback-endpoint-config"]);
    assert_eq!(updates(&world), ["cato-shadow-self-config-v1"]);
    let opened = entries(&inc, "symptom_observed", None);
    assert!(opened[0].starts_with("5XX on"), "{opened:?}");
    assert!(inc.phases().resolved.is_some());
}

#[tokio::test(start_paused = true)]
async fn no_older_config_means_nothing_to_roll_back_to() {
    let world = World::new(WorldConfig {
        endpoints: vec![EndpointSpec {
            configs: vec![EndpointConfigSpec::default()],
            ..EndpointSpec::default()
        }],
        ..WorldConfig::default()
    })
    .unwrap();
    world
        .schedule_in(
            minutes(1),
            WorldChange::EndpointErrorRate {
                endpoint: ENDPOINT.into(),
                rate: 0.3,
            },
        )
        .unwrap();
    let rig = Rig::auto(&world, runbook(Config::default()));
    rig.run_until(minutes(10)).await;

    let inc = rig.incident(ID).await;
    // 30 % of calls fail: not an outage, but the runbook's table makes it SEV1.
    assert_eq!(inc.severity(), Severity::Sev1);
    assert!(!inc.impact().complete_outage());
    assert!(applied(&inc).is_empty());
    assert_eq!(skipped(&inc, "rollback-endpoint-config").len(), 1);
    assert_eq!(escalations(&world, &inc)[0].0, "Engineering Lead");
    assert!(updates(&world).is_empty());
}
