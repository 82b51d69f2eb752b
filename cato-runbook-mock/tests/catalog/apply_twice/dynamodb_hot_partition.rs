//! DynamoDB Hot Partition: the switch to on-demand billing, sent twice.

use cato_runbook_core::ports::BillingMode;
use cato_runbook_mock::{Op, WorldChange, WorldConfig};

use super::{Landed, Rung, Twins, alike, applied, apply_twice, landed, minutes, record, repeated};

const ID: &str = "dynamodb-hot-partition";
const TABLE: &str = "cato-semantic-memory";

#[tokio::test(start_paused = true)]
async fn switch_to_on_demand_applied_twice_switches_once() {
    let twins = Twins::new(WorldConfig::default()).unwrap(); // 1000 RCU provisioned
    twins
        .apply(WorldChange::TableDemand {
            table: TABLE.into(),
            read: Some(1500.0),
            write: None,
        })
        .unwrap();
    twins.wait(minutes(3)).await;
    let rung = Rung::new(ID, TABLE, "switch-to-on-demand").diagnosed_by(&["table-capacity"]);
    let (twice, once) = twins.plan(&rung).await.unwrap();
    assert!(!twice.plan.reversible);
    assert_eq!(
        twice.plan.changes[0].after,
        BillingMode::PayPerRequest.to_string()
    );

    // The repeat comes after the update finished (3 minutes).
    // After a crash the engine asks whether the change is in place: not yet.
    assert_eq!(landed(&once).await, Landed::No);
    apply_twice(&twice, &once, minutes(4)).await.unwrap();
    assert_eq!(landed(&once).await, Landed::Yes, "read back once applied");
    let world = alike(&twice, &once, minutes(1)).await;
    let table = &world.tables[0];
    assert_eq!(table.billing_mode, BillingMode::PayPerRequest);
    assert_eq!(table.status, "ACTIVE");

    let key = twice.key();
    assert_eq!(
        record(&twice, Op::TablesSetBillingMode),
        [applied(&key), repeated(&key)]
    );
    assert_eq!(record(&once, Op::TablesSetBillingMode), [applied(&key)]);
}
