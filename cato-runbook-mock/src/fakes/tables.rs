//! The tables fake (DynamoDB).

use std::time::Duration;

use async_trait::async_trait;
use cato_runbook_core::ports::{BillingMode, TableCapacity, TableState, Tables};
use cato_runbook_core::time::{self, Timestamp};
use cato_runbook_core::{Error, ErrorKind, IdempotencyKey, Result, Retry};
use serde_json::json;

use super::FakeTables;
use crate::ops::Op;
use crate::world::{Reply, Timer};

const PROVIDER: &str = "fake-dynamodb";
const MINUTE: Duration = Duration::from_secs(60);

#[async_trait]
impl Tables for FakeTables {
    async fn describe(&self, table: &str) -> Result<TableState> {
        let op = Op::TablesDescribe;
        self.world
            .call(op, PROVIDER, json!({ "table": table }), None, |sim, _| {
                sim.state()
                    .table(table)
                    .map(|t| Reply::new(t.describe()))
                    .ok_or_else(|| Error::not_found(op.as_str(), table))
            })
            .await
    }

    async fn capacity(
        &self,
        table: &str,
        start: Timestamp,
        end: Timestamp,
    ) -> Result<TableCapacity> {
        let op = Op::TablesCapacity;
        let args = json!({ "table": table, "start": start, "end": end });
        self.world
            .call(op, PROVIDER, args, None, |sim, now| {
                let described = sim
                    .state()
                    .table(table)
                    .map(|t| t.describe())
                    .ok_or_else(|| Error::not_found(op.as_str(), table))?;
                if start >= end {
                    return Err(Error::invalid_input(
                        op.as_str(),
                        "the start time must be before the end time",
                    ));
                }
                let mut capacity = TableCapacity {
                    consumed_read: 0.0,
                    consumed_write: 0.0,
                    provisioned_read: described.read_capacity as f64,
                    provisioned_write: described.write_capacity as f64,
                    throttle_events: 0,
                };
                let first = start.max(sim.data_start).timestamp().div_euclid(60) * 60;
                let mut minute = chrono::DateTime::from_timestamp(first, 0).unwrap_or(end);
                while minute < end && time::add(minute, MINUTE) <= now {
                    let load = sim.state_at(minute).table_load(table);
                    capacity.consumed_read = capacity.consumed_read.max(load.consumed_read);
                    capacity.consumed_write = capacity.consumed_write.max(load.consumed_write);
                    capacity.throttle_events +=
                        ((load.throttled_read + load.throttled_write) * 60.0).round() as u64;
                    minute = time::add(minute, MINUTE);
                }
                Ok(Reply::new(capacity))
            })
            .await
    }

    async fn set_billing_mode(
        &self,
        table: &str,
        mode: BillingMode,
        key: &IdempotencyKey,
    ) -> Result<()> {
        let op = Op::TablesSetBillingMode;
        let args = json!({ "table": table, "mode": mode });
        self.world
            .call(op, PROVIDER, args.clone(), Some(key), |sim, now| {
                sim.idempotent(op, table, key, &args, |sim| {
                    let t = sim
                        .state()
                        .table(table)
                        .ok_or_else(|| Error::not_found(op.as_str(), table))?;
                    if t.pending.is_some() {
                        return Err(Error::new(
                            ErrorKind::Conflict,
                            op.as_str(),
                            "ResourceInUseException: the table is being updated",
                        )
                        .with_resource(table)
                        .with_retry(Retry::Transient));
                    }
                    if t.billing_mode == mode {
                        // Already in that mode: nothing to do.
                        return Ok(());
                    }
                    let id = sim.next_id();
                    let mut state = sim.edit(now);
                    let mut done = now;
                    if let Some(t) = state.table_mut(table) {
                        t.pending = Some((id, mode));
                        done = time::add(now, t.update_duration);
                    }
                    sim.commit(now, state);
                    sim.schedule(
                        done,
                        Timer::TableUpdateDone {
                            table: table.to_owned(),
                            op: id,
                        },
                    );
                    Ok(())
                })
                .map(Reply::from_idempotent)
            })
            .await
    }
}
