//! What runbooks rely on from [`Tables`]: the DynamoDB Hot Partition runbook's table state and
//! billing-mode switch (its consumption is CloudWatch's, read through [`Metrics`](cato_runbook_core::ports::Metrics)).

use cato_runbook_core::ports::{BillingMode, Tables};
use cato_runbook_core::{ErrorKind, IdempotencyKey};

use super::{CheckResult, During, Settle, ensure, refused, run_checks};

/// The table the harness set up (`ACTIVE`).
#[derive(Debug, Clone)]
pub struct TablesFixture {
    /// The table.
    pub table: String,
    /// A table that does not exist.
    pub missing: String,
    /// Prefix of the idempotency keys the checks use.
    pub key_prefix: String,
    /// How to wait for an update.
    pub settle: Settle,
}

/// `describe` reports the table `ACTIVE`, with capacity only when provisioned.
pub async fn describe_reports_table(port: &dyn Tables, fixture: &TablesFixture) -> CheckResult {
    const CHECK: &str = "tables.describe_reports_table";
    let t = port.describe(&fixture.table).await.during(CHECK)?;
    ensure(
        t.name == fixture.table && t.status == "ACTIVE",
        CHECK,
        || format!("{t:?}"),
    )?;
    let capacity = t.read_capacity + t.write_capacity;
    ensure(
        (t.billing_mode == BillingMode::Provisioned) == (capacity > 0),
        CHECK,
        || format!("{t:?}"),
    )
}

/// Switching the billing mode ends `ACTIVE` in the new mode; switching back restores it.
pub async fn billing_mode_switch_converges(
    port: &dyn Tables,
    fixture: &TablesFixture,
) -> CheckResult {
    const CHECK: &str = "tables.billing_mode_switch_converges";
    let original = port
        .describe(&fixture.table)
        .await
        .during(CHECK)?
        .billing_mode;
    let other = match original {
        BillingMode::Provisioned => BillingMode::PayPerRequest,
        BillingMode::PayPerRequest => BillingMode::Provisioned,
    };
    for (mode, step) in [(other, "switch"), (original, "switch-back")] {
        let key = IdempotencyKey::new(format!("{}:{step}", fixture.key_prefix));
        port.set_billing_mode(&fixture.table, mode, &key)
            .await
            .during(CHECK)?;
        port.set_billing_mode(&fixture.table, mode, &key)
            .await
            .during(CHECK)?;
        fixture
            .settle
            .until(CHECK, "the billing-mode switch", async || {
                let t = port.describe(&fixture.table).await.during(CHECK)?;
                Ok((t.billing_mode == mode && t.status == "ACTIVE").then_some(()))
            })
            .await?;
    }
    Ok(())
}

/// A table that does not exist is `NotFound`.
pub async fn unknown_table_is_not_found(port: &dyn Tables, fixture: &TablesFixture) -> CheckResult {
    refused(
        port.describe(&fixture.missing).await,
        "tables.unknown_table_is_not_found",
        &[ErrorKind::NotFound],
    )
}

/// Every check.
pub async fn run_all(port: &dyn Tables, fixture: &TablesFixture) -> CheckResult {
    run_checks!(port, fixture;
        describe_reports_table,
        unknown_table_is_not_found,
        billing_mode_switch_converges,
        describe_reports_table,
    )
}
