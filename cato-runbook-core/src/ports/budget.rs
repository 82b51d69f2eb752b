//! The budget port (Cato admin API: `/api/admin/cato/budget/*`).

use std::fmt;

use async_trait::async_trait;
use serde::{Deserialize, Serialize};

use crate::error::Result;
use crate::incident::IdempotencyKey;
use crate::time::Timestamp;

/// The LLM budget's mode.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum BudgetMode {
    /// Spending within budget.
    Normal,
    /// Spending close to the limit; curiosity exploration throttled.
    Warning,
    /// Limit reached: curiosity exploration stopped, responses limited.
    Emergency,
}

impl fmt::Display for BudgetMode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            BudgetMode::Normal => "NORMAL",
            BudgetMode::Warning => "WARNING",
            BudgetMode::Emergency => "EMERGENCY",
        })
    }
}

/// `GET /api/admin/cato/budget/status`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BudgetStatus {
    /// The mode.
    pub mode: BudgetMode,
    /// Spent this month, US dollars.
    pub spent_usd: f64,
    /// The monthly limit, US dollars.
    pub monthly_limit_usd: f64,
    /// When the month's spend resets.
    pub next_reset: Timestamp,
    /// Whether curiosity exploration runs.
    pub curiosity_enabled: bool,
}

/// The LLM budget.
#[async_trait]
pub trait Budget: fmt::Debug + fmt::Display + Send + Sync {
    /// The budget's status.
    async fn status(&self) -> Result<BudgetStatus>;

    /// `PUT /api/admin/cato/budget/config {"monthlyLimit": N}`.
    async fn set_monthly_limit(&self, usd: f64, key: &IdempotencyKey) -> Result<()>;
}
