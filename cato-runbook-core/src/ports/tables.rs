//! The tables port (DynamoDB's `cato-semantic-memory`).

use std::fmt;

use async_trait::async_trait;
use serde::{Deserialize, Serialize};

use crate::error::Result;
use crate::incident::IdempotencyKey;

/// How a table is billed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum BillingMode {
    /// Fixed read and write capacity.
    Provisioned,
    /// On demand.
    PayPerRequest,
}

impl fmt::Display for BillingMode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            BillingMode::Provisioned => "PROVISIONED",
            BillingMode::PayPerRequest => "PAY_PER_REQUEST",
        })
    }
}

/// `describe-table`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TableState {
    /// The table's name.
    pub name: String,
    /// `ACTIVE`, `UPDATING`, …
    pub status: String,
    /// Its billing mode.
    pub billing_mode: BillingMode,
    /// Provisioned read capacity units (0 on demand).
    pub read_capacity: u64,
    /// Provisioned write capacity units (0 on demand).
    pub write_capacity: u64,
}

/// A table service.
#[async_trait]
pub trait Tables: fmt::Debug + fmt::Display + Send + Sync {
    /// `describe-table`.
    async fn describe(&self, table: &str) -> Result<TableState>;

    /// `update-table --billing-mode`.
    async fn set_billing_mode(
        &self,
        table: &str,
        mode: BillingMode,
        key: &IdempotencyKey,
    ) -> Result<()>;
}
