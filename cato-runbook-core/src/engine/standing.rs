//! What a host's health checks read: this replica's standing with the lease, and whether the
//! store answers.

use serde::Serialize;

use super::operator::Operator;
use crate::call;
use crate::error::Result;

/// This replica's standing, as of its last look at the lease.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Standing {
    /// The replica's name.
    pub replica: String,
    /// Whether it leads.
    pub leads: bool,
    /// Whether the lease has answered at least once (before that, leading is unknown).
    pub known: bool,
    /// Whether the kill switch is on.
    pub halted: bool,
    /// The ticks this engine finished.
    pub ticks: u64,
    /// The budget's mode as this replica's last tick as leader read it.
    pub budget: super::BudgetReading,
}

impl Operator {
    /// This replica's standing.
    pub fn standing(&self) -> Standing {
        let term = self.inner.term_now();
        Standing {
            replica: self.inner.lease.replica().to_owned(),
            leads: term.leads,
            known: term.expires.is_some(),
            halted: self.inner.is_halted(),
            ticks: self.inner.ticks.load(std::sync::atomic::Ordering::Relaxed),
            budget: self.inner.budget_reading(),
        }
    }

    /// Waits until the engine has finished a tick (at once if it has): from then on the lease
    /// has answered, the store was read and [`standing`](Self::standing) is known. What a host
    /// waits for before it says it is ready.
    ///
    /// # Cancel safety
    ///
    /// Cancel safe.
    pub async fn ticked(&self) {
        loop {
            let notified = self.inner.ticked.notified();
            if self.inner.ticks.load(std::sync::atomic::Ordering::Acquire) > 0 {
                return;
            }
            notified.await;
        }
    }

    /// The engine's clock's time.
    pub fn now(&self) -> crate::Timestamp {
        self.inner.now()
    }

    /// Reads the guardrails from the store under the call timeout: whether the store answers.
    ///
    /// # Errors
    ///
    /// The store's error, or a timeout.
    pub async fn check_store(&self) -> Result<()> {
        let inner = &self.inner;
        call::timed(
            inner.clock.as_ref(),
            inner.config.timeouts.call,
            "store.guardrails",
            "guardrails",
            inner.store.guardrails(),
        )
        .await
        .map(|_| ())
    }
}
