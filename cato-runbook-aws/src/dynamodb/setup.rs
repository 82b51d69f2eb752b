//! Making the incident store's table.

use std::sync::Arc;
use std::time::Duration;

use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::types::{
    AttributeDefinition, BillingMode, GlobalSecondaryIndex, KeySchemaElement, KeyType, Projection,
    ProjectionType, ScalarAttributeType, TableStatus,
};
use cato_runbook_core::Result;
use cato_runbook_core::ports::{Clock, SystemClock};

use super::PROVIDER;
use super::store_items as items;
use crate::sdk::{Call, Settings};

/// How long [`create_table`] waits for the table to become active.
const READY_WITHIN: Duration = Duration::from_secs(300);
/// How often it looks.
const POLL: Duration = Duration::from_secs(1);

/// Creates `table` as [`DynamoDbIncidentStore`](super::DynamoDbIncidentStore) and
/// [`DynamoDbLease`](super::DynamoDbLease) need it — a string partition key `pk`, the sparse
/// global secondary index `open-incidents` (partition key `open_shard`, projecting `id` and
/// `version`), on-demand (`PAY_PER_REQUEST`) billing — and waits (on the wall clock, up to 5 minutes) until it is
/// `ACTIVE`. A table that exists already is waited for, not changed: for tests and first-time
/// setup (production tables come from infrastructure code, with backups and deletion
/// protection).
///
/// Turns on the time to live of closed incidents (`expires_at`). Needs `dynamodb:CreateTable`,
/// `dynamodb:DescribeTable` and `dynamodb:UpdateTimeToLive`.
///
/// # Errors
///
/// The SDK's errors, mapped as for every provider; `Timeout` when the table is not active
/// within 5 minutes.
pub async fn create_table(client: &Client, table: &str) -> Result<()> {
    let settings = Settings {
        timeout: READY_WITHIN,
        clock: Arc::new(SystemClock),
    };
    let call = Call::new(PROVIDER, "CreateTable", &settings).on(table);
    call.run(async {
        let attribute = AttributeDefinition::builder()
            .attribute_name(items::PK)
            .attribute_type(ScalarAttributeType::S)
            .build()
            .map_err(|e| call.invalid(e.to_string()))?;
        let key = KeySchemaElement::builder()
            .attribute_name(items::PK)
            .key_type(KeyType::Hash)
            .build()
            .map_err(|e| call.invalid(e.to_string()))?;
        // The sparse index of open incidents: their ids and versions, read at every tick.
        let shard = AttributeDefinition::builder()
            .attribute_name(items::OPEN_SHARD)
            .attribute_type(ScalarAttributeType::S)
            .build()
            .map_err(|e| call.invalid(e.to_string()))?;
        let index = GlobalSecondaryIndex::builder()
            .index_name(items::OPEN_INDEX)
            .key_schema(
                KeySchemaElement::builder()
                    .attribute_name(items::OPEN_SHARD)
                    .key_type(KeyType::Hash)
                    .build()
                    .map_err(|e| call.invalid(e.to_string()))?,
            )
            .projection(
                Projection::builder()
                    .projection_type(ProjectionType::Include)
                    .non_key_attributes(items::ID)
                    .non_key_attributes(items::VERSION)
                    .build(),
            )
            .build()
            .map_err(|e| call.invalid(e.to_string()))?;
        let created = client
            .create_table()
            .table_name(table)
            .attribute_definitions(attribute)
            .attribute_definitions(shard)
            .key_schema(key)
            .global_secondary_indexes(index)
            .billing_mode(BillingMode::PayPerRequest)
            .send()
            .await;
        match created {
            Ok(_) => tracing::info!(provider = PROVIDER, table, "created the table"),
            Err(e) if items::has_code(&e, "ResourceInUseException") => {
                tracing::debug!(provider = PROVIDER, table, "the table exists already");
            }
            Err(e) => return Err(call.sdk(e)),
        }
        let describe = call.op("DescribeTable");
        loop {
            let out = client
                .describe_table()
                .table_name(table)
                .send()
                .await
                .map_err(|e| describe.sdk(e))?;
            if out.table().and_then(|t| t.table_status()) == Some(&TableStatus::Active) {
                break;
            }
            settings.clock.sleep(POLL).await;
        }
        // A closed incident's item expires at `expires_at` (see `with_retention`).
        let ttl = call.op("UpdateTimeToLive");
        let spec = aws_sdk_dynamodb::types::TimeToLiveSpecification::builder()
            .attribute_name(super::store::retention::EXPIRES_AT)
            .enabled(true)
            .build()
            .map_err(|e| ttl.invalid(e.to_string()))?;
        let enabled = client
            .update_time_to_live()
            .table_name(table)
            .time_to_live_specification(spec)
            .send()
            .await;
        match enabled {
            Ok(_) => Ok(()),
            // Already on (a table that existed).
            Err(e) if items::has_code(&e, "ValidationException") => Ok(()),
            Err(e) => Err(ttl.sdk(e)),
        }
    })
    .await
}
