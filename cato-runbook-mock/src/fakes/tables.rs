//! The tables fake (DynamoDB).

use async_trait::async_trait;
use cato_runbook_core::ports::{BillingMode, TableState, Tables};
use cato_runbook_core::time;
use cato_runbook_core::{Error, ErrorKind, IdempotencyKey, Result, Retry};
use serde_json::json;

use super::FakeTables;
use crate::ops::Op;
use crate::world::{Reply, Timer};

const PROVIDER: &str = "fake-dynamodb";

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
