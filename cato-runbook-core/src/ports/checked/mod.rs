//! Answers from outside, checked at the port: [`Checked`] refuses an absurd answer as a
//! [`MalformedResponse`](crate::ErrorKind::MalformedResponse) error naming the operation and the
//! field, so that a detector reads it as unknown evidence (never as healthy) and a diagnosis as
//! a failed check with a finding.
//!
//! Absurd is what no service answers: a value that is NaN or infinite, a negative count, amount
//! or capacity, a share outside 0…1, a series whose points are out of order, a cache counter sum
//! that overflows, more than [`MAX_COUNT`] instances, a text over [`MAX_TEXT`] bytes, more than
//! [`MAX_ITEMS`] items. What each port's answer must hold is its [`Answer`] impl
//! (`answers.rs`); the wrapper is made from the [`traced_ports!`](crate::traced_ports) table,
//! so every port of it is checked.
//!
//! ```
//! use std::sync::Arc;
//! use cato_runbook_core::ports::{Budget, BudgetMode, BudgetStatus, Checked};
//! use cato_runbook_core::{ErrorKind, IdempotencyKey, Result};
//! # #[derive(Debug)] struct Nan;
//! # impl std::fmt::Display for Nan { fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result { f.write_str("nan budget") } }
//! # #[async_trait::async_trait]
//! # impl Budget for Nan {
//! #     async fn status(&self) -> Result<BudgetStatus> {
//! #         Ok(BudgetStatus { mode: BudgetMode::Normal, spent_usd: f64::NAN, monthly_limit_usd: 1000.0,
//! #             next_reset: chrono::DateTime::UNIX_EPOCH, curiosity_enabled: true })
//! #     }
//! #     async fn set_monthly_limit(&self, _: f64, _: &IdempotencyKey) -> Result<()> { Ok(()) }
//! # }
//! # tokio::runtime::Builder::new_current_thread().build().unwrap().block_on(async {
//! let budget = Checked::new(Nan);
//! let err = budget.status().await.unwrap_err();
//! assert_eq!(err.kind(), ErrorKind::MalformedResponse);
//! assert!(err.to_string().contains("spent_usd"));
//! # });
//! ```

mod answers;
mod wrap;

use std::fmt;

pub use answers::MAX_COUNT;
pub use wrap::{Checkable, Checked};

use crate::error::{Error, ErrorKind, Result, Retry};

/// Longest text an answer may carry in one field (64 KiB).
pub const MAX_TEXT: usize = 64 * 1024;

/// Most items one answer may list.
pub const MAX_ITEMS: usize = 100_000;

/// An answer a port returns, with what makes it absurd.
pub trait Answer {
    /// `Ok` when the answer is one a service could give; the first absurd field otherwise.
    ///
    /// # Errors
    ///
    /// [`MalformedResponse`](ErrorKind::MalformedResponse), made by [`Fields::absurd`].
    fn check(&self, fields: &Fields<'_>) -> Result<()>;
}

/// The checks an [`Answer`] applies to its fields, and the error naming the operation.
#[derive(Debug)]
pub struct Fields<'a> {
    op: &'a str,
}

impl<'a> Fields<'a> {
    /// Checks of an answer of `op` (`metrics.query`).
    pub fn new(op: &'a str) -> Self {
        Fields { op }
    }

    /// The error an absurd answer is: malformed, and worth a later look (the next answer may
    /// be sound).
    pub fn absurd(&self, why: impl fmt::Display) -> Error {
        Error::new(
            ErrorKind::MalformedResponse,
            self.op.to_owned(),
            format!("absurd answer: {why}"),
        )
        .with_retry(Retry::Transient)
    }

    /// A text field: at most [`MAX_TEXT`] bytes.
    ///
    /// # Errors
    ///
    /// When it is longer.
    pub fn text(&self, field: &str, text: &str) -> Result<()> {
        if text.len() > MAX_TEXT {
            return Err(self.absurd(format!(
                "{field} is {} bytes long (at most {MAX_TEXT})",
                text.len()
            )));
        }
        Ok(())
    }

    /// A list: at most [`MAX_ITEMS`] items.
    ///
    /// # Errors
    ///
    /// When it is longer.
    pub fn len(&self, field: &str, len: usize) -> Result<()> {
        if len > MAX_ITEMS {
            return Err(self.absurd(format!("{field} has {len} items (at most {MAX_ITEMS})")));
        }
        Ok(())
    }

    /// A count of instances, replicas or nodes: at most [`MAX_COUNT`].
    ///
    /// # Errors
    ///
    /// When it is larger.
    pub fn count(&self, field: &str, count: u64) -> Result<()> {
        if count > MAX_COUNT {
            return Err(self.absurd(format!("{field} is {count} (at most {MAX_COUNT})")));
        }
        Ok(())
    }

    /// An amount (dollars, capacity units, a quota, a weight): finite and not negative.
    ///
    /// # Errors
    ///
    /// When it is NaN, infinite or negative.
    pub fn amount(&self, field: &str, value: f64) -> Result<()> {
        if !value.is_finite() || value < 0.0 {
            return Err(self.absurd(format!("{field} is {value}")));
        }
        Ok(())
    }

    /// A share: finite, from 0 to 1.
    ///
    /// # Errors
    ///
    /// When it is NaN or outside 0…1.
    pub fn share(&self, field: &str, value: f64) -> Result<()> {
        if !(0.0..=1.0).contains(&value) {
            return Err(self.absurd(format!("{field} is {value} (a share, 0 to 1)")));
        }
        Ok(())
    }
}

/// `answer` if it is sound, else the error naming the first absurd field.
///
/// # Errors
///
/// As [`Answer::check`].
pub fn check<T: Answer>(op: &str, answer: T) -> Result<T> {
    answer.check(&Fields::new(op))?;
    Ok(answer)
}

#[cfg(test)]
mod tests;
