//! The scale-up's added instances are priced at the instance type the endpoint's current
//! config names, or at the configured one; a failed read leaves the price unknown.

use cato_runbook_core::ErrorKind;
use cato_runbook_core::catalog::high_latency::Config;
use cato_runbook_mock::{Op, WorldChange};

use super::{ID, runbook, world};
use crate::world_engine::{Rig, entries, minutes};

#[tokio::test(start_paused = true)]
async fn the_scale_up_is_priced_at_the_instance_type_read_from_the_endpoint() {
    let world = world(8, 10, false, 2400.0);
    let rig = Rig::auto(&world, runbook(Config::default()));
    rig.run_until(minutes(4)).await;
    let inc = rig.incident(ID).await;
    let planned = entries(&inc, "mitigation_planned", Some("scale-shadow-self"));
    assert!(
        planned[0].contains(
            "from 8 to 16 instances (at most 50), ml.g5.xlarge (read from endpoint config \
             cato-shadow-self-config) (risk medium, adds ~$11.26/h (~$270/day))"
        ),
        "{planned:?}"
    );
    // Read at plan time only, not on every tick.
    assert_eq!(world.calls().count(Op::EndpointDescribeConfig), 1);
}

#[tokio::test(start_paused = true)]
async fn a_configured_instance_type_overrides_the_one_read() {
    let world = world(8, 10, false, 2400.0);
    let mut config = Config::default();
    config.shadow_self.instance_type = Some("ml.g5.2xlarge".into());
    let rig = Rig::auto(&world, runbook(config));
    rig.run_until(minutes(4)).await;
    let inc = rig.incident(ID).await;
    let planned = entries(&inc, "mitigation_planned", Some("scale-shadow-self"));
    assert!(
        planned[0].contains("ml.g5.2xlarge (configured) (risk medium, adds ~$"),
        "{planned:?}"
    );
    assert!(!planned[0].contains("~$11.26/h"), "{planned:?}");
    assert_eq!(world.calls().count(Op::EndpointDescribeConfig), 0);
}

#[tokio::test(start_paused = true)]
async fn an_unread_instance_type_is_an_unknown_price_that_needs_approval_in_emergency() {
    let world = world(8, 10, false, 2400.0);
    world
        .schedule_in(minutes(1), WorldChange::SpendReachesLimit)
        .unwrap();
    world
        .faults()
        .on(Op::EndpointDescribeConfig)
        .permanent(ErrorKind::PermissionDenied);
    let rig = Rig::auto(&world, runbook(Config::default()));
    rig.run_until(minutes(6)).await;
    let inc = rig.incident(ID).await;
    // The plan stands, its price unknown and saying why.
    let planned = entries(&inc, "mitigation_planned", Some("scale-shadow-self"));
    assert!(
        planned[0].contains(
            "adds unknown price (8 instance(s) of an unknown instance type: \
             endpoint config cato-shadow-self-config not read: "
        ),
        "{planned:?}"
    );
    let asked = entries(&inc, "approval_requested", Some("scale-shadow-self"));
    assert!(
        asked[0].contains("needs approval: budget in EMERGENCY, step adds unknown price"),
        "{asked:?}"
    );
    assert!(super::instances(&world).is_empty());
}
