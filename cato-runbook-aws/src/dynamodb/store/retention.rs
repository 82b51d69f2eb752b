//! Retention on the table: a closed incident's item carries its close time and a time to live;
//! the engine's hourly sweep deletes what is due, under the fence.

use std::time::Duration;

use aws_sdk_dynamodb::types::builders::PutBuilder;
use aws_sdk_dynamodb::types::{Delete, TransactWriteItem};
use cato_runbook_core::incident::Status;
use cato_runbook_core::ports::Fence;
use cato_runbook_core::{Incident, Result, Timestamp};

use super::super::PROVIDER;
use super::super::store_items::{self as items};
use super::DynamoDbIncidentStore;
use crate::sdk::Call;

/// When the incident was closed (epoch seconds).
pub(crate) const CLOSED_AT: &str = "closed_at";
/// The item's time to live (epoch seconds): DynamoDB deletes it some time after.
pub(crate) const EXPIRES_AT: &str = "expires_at";

/// `put` with the close time and, under `retention`, the time to live of a closed incident.
pub(in crate::dynamodb) fn closed_attributes(
    put: PutBuilder,
    incident: &Incident,
    retention: Option<Duration>,
) -> PutBuilder {
    let Some(closed) = incident.phases().closed else {
        return put;
    };
    if incident.status() != Status::Closed {
        return put;
    }
    let put = put.item(CLOSED_AT, items::n(closed.timestamp()));
    match retention.and_then(|keep| i64::try_from(keep.as_secs()).ok()) {
        Some(keep) => put.item(
            EXPIRES_AT,
            items::n(closed.timestamp().saturating_add(keep)),
        ),
        None => put,
    }
}

impl DynamoDbIncidentStore {
    /// Checks the fence, scans for the closed incidents closed before `closed_before` and deletes each in one
    /// transaction with the fence's advance, on the version scanned (one written since is
    /// left for the next sweep).
    pub(super) async fn delete_closed_items(
        &self,
        closed_before: Timestamp,
        fence: Fence,
    ) -> Result<u64> {
        const OP: &str = "store.delete_closed";
        let call = Call::new(PROVIDER, "Scan", &self.settings).on(&self.table);
        call.run(async {
            // Refused first, as every store does, even with nothing to delete.
            self.check_fence(&call, OP, fence).await?;
            let found = self
                .scan(
                    &call,
                    "begins_with(#pk, :prefix) AND #closed < :before",
                    &[("#pk", items::PK), ("#closed", CLOSED_AT)],
                    &[
                        (":prefix", items::s(items::INCIDENT_PREFIX)),
                        (":before", items::n(closed_before.timestamp())),
                    ],
                )
                .await?;
            let write = call.op("TransactWriteItems");
            let mut deleted = 0u64;
            for item in &found {
                let Some(id) = items::text(item, items::ID) else {
                    continue;
                };
                let header = items::header(OP, id, item)?;
                let pk = items::text(item, items::PK).unwrap_or_default().to_owned();
                let delete = Delete::builder()
                    .table_name(&self.table)
                    .key(items::PK, items::s(pk))
                    .condition_expression("#v = :v")
                    .expression_attribute_names("#v", items::VERSION)
                    .expression_attribute_values(":v", items::n(header.version))
                    .build()
                    .map_err(|e| write.invalid(e.to_string()))?;
                let writes = vec![
                    TransactWriteItem::builder().delete(delete).build(),
                    items::advance_fence(&write, &self.table, fence)?,
                ];
                match self.transact(&write, writes).await? {
                    None => deleted += 1,
                    Some(cancelled) => {
                        if let Some(err) = cancelled.other(&write) {
                            return Err(err);
                        }
                        if cancelled.may_have_failed(1) {
                            self.check_fence(&write, OP, fence).await?;
                        }
                        tracing::debug!(
                            provider = PROVIDER,
                            incident = id,
                            "written since the scan; left for the next sweep"
                        );
                    }
                }
            }
            Ok(deleted)
        })
        .await
    }
}
