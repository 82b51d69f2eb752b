//! DynamoDB: the tables conformance suite on moto;
//! failures and in-flight states on the wire; the incident store and the leader lease on moto.

mod lease;
#[path = "../support/manual_clock.rs"]
mod manual_clock;
mod replicas;
#[allow(dead_code)]
#[path = "../support/step_clock.rs"]
mod step_clock;
mod store;

use cato_runbook_aws::dynamodb::DynamoDbTables;
use cato_runbook_core::catalog::PortName;
use cato_runbook_core::ports::{BillingMode, Tables};
use cato_runbook_core::{ErrorKind, IdempotencyKey, Retry};
use cato_runbook_mock::World;
use cato_runbook_mock::conformance;
use serde_json::json;

use crate::aws_support::wire::{self, Protocol};
use crate::aws_support::{self as support, Aws, seed};

#[tokio::test]
async fn conformance_on_moto() {
    let Some(aws) = Aws::start().await else {
        return;
    };
    let mut f = World::default().conformance_fixtures().unwrap().tables;
    f.settle = support::settle();
    seed::table(&aws, &f.table, 1000, 500).await;
    let port = DynamoDbTables::from_client(aws.dynamodb());
    conformance::tables::run_all(&port, &f).await.unwrap();
    let t = port.describe(&f.table).await.unwrap();
    assert_eq!(
        (t.billing_mode, t.read_capacity, t.write_capacity),
        (BillingMode::Provisioned, 1000, 500)
    );
    let called = support::assert_within_policy(&aws.recorder, PortName::Tables);
    assert_eq!(called.len(), 2, "{called:?}");
}

#[tokio::test]
async fn failures_map_to_their_class() {
    wire::failure_classes(
        Protocol::Json,
        (
            400,
            "ResourceNotFoundException",
            "Requested resource not found",
        ),
        "dynamodb",
        "DescribeTable",
        |sdk| async move {
            DynamoDbTables::new(&sdk)
                .describe("cato-semantic-memory")
                .await
        },
    )
    .await;
    let result = wire::against(
        wire::error(
            Protocol::Json,
            400,
            "ProvisionedThroughputExceededException",
            "exceeded",
        ),
        |sdk| async move {
            DynamoDbTables::new(&sdk)
                .describe("cato-semantic-memory")
                .await
        },
    )
    .await;
    wire::expect_error(
        result,
        ErrorKind::Throttled,
        Retry::Throttled,
        "dynamodb",
        "DescribeTable",
    );
}

#[tokio::test]
async fn an_update_in_flight_is_a_transient_conflict() {
    let updating = json!({ "Table": {
        "TableName": "cato-semantic-memory",
        "TableStatus": "UPDATING",
        "BillingModeSummary": { "BillingMode": "PAY_PER_REQUEST" },
        "ProvisionedThroughput": { "ReadCapacityUnits": 1000, "WriteCapacityUnits": 500, "NumberOfDecreasesToday": 0 }
    }});
    let t = wire::against(wire::ok(Protocol::Json, &updating), |sdk| async move {
        DynamoDbTables::new(&sdk)
            .describe("cato-semantic-memory")
            .await
    })
    .await
    .unwrap();
    // On demand: no provisioned capacity, whatever the description still shows.
    assert_eq!(
        (t.status.as_str(), t.billing_mode, t.read_capacity),
        ("UPDATING", BillingMode::PayPerRequest, 0)
    );
    let key = IdempotencyKey::new("INC-9:on-demand");
    let result = wire::against(
        wire::error(
            Protocol::Json,
            400,
            "ResourceInUseException",
            "Attempt to change a resource which is still in use",
        ),
        |sdk| async move {
            DynamoDbTables::new(&sdk)
                .set_billing_mode("cato-semantic-memory", BillingMode::PayPerRequest, &key)
                .await
        },
    )
    .await;
    wire::expect_error(
        result,
        ErrorKind::Conflict,
        Retry::Transient,
        "dynamodb",
        "DescribeTable",
    );
}

#[tokio::test]
async fn switching_back_needs_a_known_capacity() {
    let on_demand = json!({ "Table": {
        "TableName": "t", "TableStatus": "ACTIVE",
        "BillingModeSummary": { "BillingMode": "PAY_PER_REQUEST" }
    }});
    let key = IdempotencyKey::new("INC-9:provisioned");
    let result = wire::against(wire::ok(Protocol::Json, &on_demand), |sdk| async move {
        DynamoDbTables::new(&sdk)
            .set_billing_mode("t", BillingMode::Provisioned, &key)
            .await
    })
    .await;
    wire::expect_error(
        result,
        ErrorKind::InvalidInput,
        Retry::Permanent,
        "dynamodb",
        "UpdateTable",
    );
}
