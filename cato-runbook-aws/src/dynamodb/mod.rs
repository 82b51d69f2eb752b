//! Three ports on Amazon DynamoDB:
//!
//! | provider | port | what |
//! |---|---|---|
//! | [`DynamoDbTables`] | [`Tables`] | the billing mode and provisioned capacity of `cato-semantic-memory` (its consumption and throttles are CloudWatch metrics, read through the metrics port with the tick's other series) |
//! | [`DynamoDbIncidentStore`] | [`IncidentStore`](cato_runbook_core::ports::IncidentStore) | the incidents and the guardrail state every replica shares, in one table: create-if-absent, compare-and-swap, fencing |
//! | [`DynamoDbLease`] | [`Lease`](cato_runbook_core::ports::Lease) | the leader lease and its fencing token, on one item (it may share the store's table) |
//!
//! [`create_table`] makes the store's (and the lease's) table, for tests and first-time setup.
//! The store's item layout and error table are in [`DynamoDbIncidentStore`]'s documentation,
//! the lease's in [`DynamoDbLease`]'s.
//!
//! # Tables
//!
//! | port call | operations (IAM actions) |
//! |---|---|
//! | [`describe`](Tables::describe) | `dynamodb:DescribeTable` |
//! | [`set_billing_mode`](Tables::set_billing_mode) | `dynamodb:DescribeTable`, `dynamodb:UpdateTable` |
//!
//! Switching back to provisioned billing needs capacities: the provider uses the table's last
//! provisioned capacities it saw (it looks before every switch), else the ones given to
//! [`DynamoDbTables::with_provisioned_capacity`]. A switch to the mode the table already has
//! changes nothing and succeeds.

mod lease;
mod setup;
mod store;
mod store_items;

use std::collections::HashMap;
use std::fmt;
use std::sync::Mutex;

use async_trait::async_trait;
use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::types::{BillingMode as SdkBillingMode, ProvisionedThroughput};
use cato_runbook_core::ports::{BillingMode, TableState, Tables};
use cato_runbook_core::{IdempotencyKey, Result};

use crate::sdk::{Applied, Call, Settings, settings_builders};

pub use lease::DynamoDbLease;
pub use setup::create_table;
pub use store::DynamoDbIncidentStore;

const PROVIDER: &str = "dynamodb";

/// The [`Tables`] port on Amazon DynamoDB.
///
/// # Examples
///
/// ```no_run
/// # async fn example() {
/// use cato_runbook_aws::dynamodb::DynamoDbTables;
///
/// let sdk = aws_config::load_from_env().await;
/// let tables = DynamoDbTables::new(&sdk).with_provisioned_capacity(1000, 500);
/// assert_eq!(tables.to_string(), "dynamodb");
/// # }
/// ```
pub struct DynamoDbTables {
    client: Client,
    settings: Settings,
    applied: Applied<()>,
    /// The last provisioned (read, write) capacity seen per table.
    provisioned: Mutex<HashMap<String, (i64, i64)>>,
    fallback: Option<(i64, i64)>,
}

impl DynamoDbTables {
    /// A provider over a DynamoDB client built from `config`.
    pub fn new(config: &aws_types::SdkConfig) -> Self {
        Self::from_client(Client::new(config))
    }

    /// A provider over a ready client.
    pub fn from_client(client: Client) -> Self {
        DynamoDbTables {
            client,
            settings: Settings::default(),
            applied: Applied::new(),
            provisioned: Mutex::new(HashMap::new()),
            fallback: None,
        }
    }

    /// The capacities a switch back to provisioned billing uses when the provider never saw the
    /// table provisioned.
    #[must_use]
    pub fn with_provisioned_capacity(mut self, read: u64, write: u64) -> Self {
        self.fallback = Some((
            i64::try_from(read).unwrap_or(i64::MAX),
            i64::try_from(write).unwrap_or(i64::MAX),
        ));
        self
    }

    fn remember(&self, state: &TableState) {
        if state.billing_mode == BillingMode::Provisioned
            && state.read_capacity + state.write_capacity > 0
        {
            let mut seen = self.provisioned.lock().unwrap_or_else(|e| e.into_inner());
            seen.insert(
                state.name.clone(),
                (
                    i64::try_from(state.read_capacity).unwrap_or(i64::MAX),
                    i64::try_from(state.write_capacity).unwrap_or(i64::MAX),
                ),
            );
        }
    }

    async fn describe_table(&self, call: &Call<'_>, table: &str) -> Result<TableState> {
        let out = self
            .client
            .describe_table()
            .table_name(table)
            .send()
            .await
            .map_err(|e| call.sdk(e))?;
        let t = out
            .table()
            .ok_or_else(|| call.malformed("the answer has no table"))?;
        let billing_mode = match t.billing_mode_summary().and_then(|b| b.billing_mode()) {
            Some(SdkBillingMode::PayPerRequest) => BillingMode::PayPerRequest,
            // Tables made before on-demand billing existed have no summary: provisioned.
            Some(SdkBillingMode::Provisioned) | None => BillingMode::Provisioned,
            Some(other) => {
                return Err(call.malformed(format!("unknown billing mode {:?}", other.as_str())));
            }
        };
        let (read, write) = match billing_mode {
            // On demand there is no provisioned capacity, whatever the description still shows.
            BillingMode::PayPerRequest => (0, 0),
            BillingMode::Provisioned => t.provisioned_throughput().map_or((0, 0), |p| {
                (
                    p.read_capacity_units().unwrap_or(0).max(0),
                    p.write_capacity_units().unwrap_or(0).max(0),
                )
            }),
        };
        let state = TableState {
            name: t.table_name().unwrap_or(table).to_owned(),
            status: t
                .table_status()
                .map(|s| s.as_str().to_owned())
                .ok_or_else(|| call.malformed("the table has no status"))?,
            billing_mode,
            read_capacity: read.unsigned_abs(),
            write_capacity: write.unsigned_abs(),
        };
        self.remember(&state);
        Ok(state)
    }
}

settings_builders!(DynamoDbTables);

impl fmt::Debug for DynamoDbTables {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DynamoDbTables")
            .field("settings", &self.settings)
            .field("fallback", &self.fallback)
            .finish_non_exhaustive()
    }
}

impl fmt::Display for DynamoDbTables {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(PROVIDER)
    }
}

#[async_trait]
impl Tables for DynamoDbTables {
    async fn describe(&self, table: &str) -> Result<TableState> {
        let call = Call::new(PROVIDER, "DescribeTable", &self.settings).on(table);
        call.run(self.describe_table(&call, table)).await
    }

    async fn set_billing_mode(
        &self,
        table: &str,
        mode: BillingMode,
        key: &IdempotencyKey,
    ) -> Result<()> {
        let call = Call::new(PROVIDER, "UpdateTable", &self.settings).on(table);
        let resource = format!("{table}\u{0}{mode}");
        if self.applied.get("UpdateTable", &resource, key).is_some() {
            tracing::debug!(table, %mode, %key, "UpdateTable already applied with this key");
            return Ok(());
        }
        call.run(async {
            let state = self
                .describe_table(&call.op("DescribeTable"), table)
                .await?;
            if state.billing_mode == mode {
                return Ok(());
            }
            let update = self.client.update_table().table_name(table);
            let update = match mode {
                BillingMode::PayPerRequest => update.billing_mode(SdkBillingMode::PayPerRequest),
                BillingMode::Provisioned => {
                    let known = self
                        .provisioned
                        .lock()
                        .unwrap_or_else(|e| e.into_inner())
                        .get(table)
                        .copied();
                    let (read, write) = known.or(self.fallback).ok_or_else(|| {
                        call.invalid(format!(
                            "no provisioned capacity known for {table}: give one with with_provisioned_capacity"
                        ))
                    })?;
                    let throughput = ProvisionedThroughput::builder()
                        .read_capacity_units(read)
                        .write_capacity_units(write)
                        .build()
                        .map_err(|e| call.invalid(e.to_string()))?;
                    update
                        .billing_mode(SdkBillingMode::Provisioned)
                        .provisioned_throughput(throughput)
                }
            };
            update.send().await.map_err(|e| call.sdk(e)).map(|_| ())
        })
        .await?;
        self.applied.record("UpdateTable", &resource, key, ());
        Ok(())
    }
}
