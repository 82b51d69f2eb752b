//! Every call of the engine to the incident store goes through one gate per tick. A tick's
//! store calls share one budget of store time, the call timeout: each call is bounded by what
//! is left of it, and once a call has timed out (hung, or slow past the budget) the tick's
//! other store calls fail at once (`Unavailable`) instead of each waiting out its own timeout.
//! So neither a hung nor a slow store can make one tick overrun its interval. What was not
//! written stays dirty in memory and is written by a later tick; the gate opens again, with a
//! whole budget, at the start of every tick. Calls that overlap in time spend the budget once.

use std::future::Future;
use std::sync::Mutex;
use std::time::Duration;

use super::Inner;
use crate::call;
use crate::error::{Error, ErrorKind, Result};
use crate::time::{self, Timestamp};

/// Why a store call failed without being made.
pub(super) const STORE_SILENT: &str = "the store did not answer earlier in this tick";

/// The tick's store time so far, and whether a store call of the tick has timed out.
#[derive(Debug, Default)]
pub(super) struct StoreGate {
    state: Mutex<GateState>,
}

#[derive(Debug, Default)]
struct GateState {
    closed: bool,
    spent: Duration,
    /// The end of the latest call counted, so that overlapping calls count once.
    counted_until: Option<Timestamp>,
}

impl StoreGate {
    fn with<R>(&self, f: impl FnOnce(&mut GateState) -> R) -> R {
        let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        f(&mut state)
    }

    /// A new tick: the store is tried again, with a whole budget.
    pub(super) fn open(&self) {
        self.with(|s| *s = GateState::default());
    }

    /// What is left of the budget `limit`, or `None` once the gate is closed.
    fn left(&self, limit: Duration) -> Option<Duration> {
        self.with(|s| {
            let left = limit.saturating_sub(s.spent);
            if s.closed || left.is_zero() {
                s.closed = true;
                return None;
            }
            Some(left)
        })
    }

    /// Counts a call from `started` to `ended`; a timeout closes the gate.
    fn spend(&self, started: Timestamp, ended: Timestamp, timed_out: bool) {
        self.with(|s| {
            let from = s.counted_until.map_or(started, |until| until.max(started));
            s.spent += time::elapsed(from, ended);
            s.counted_until = Some(s.counted_until.map_or(ended, |until| until.max(ended)));
            s.closed |= timed_out;
        });
    }
}

impl Inner {
    /// A store call named `operation` on `resource`, under what is left of the tick's store
    /// budget and the tick's gate.
    ///
    /// # Errors
    ///
    /// The store's error, a `Timeout` (which closes the gate for the rest of the tick), or
    /// `Unavailable` without a call while the gate is closed.
    pub(super) async fn store_call<T>(
        &self,
        operation: &'static str,
        resource: &str,
        call: impl Future<Output = Result<T>>,
    ) -> Result<T> {
        let Some(limit) = self.store_gate.left(self.config.timeouts.call) else {
            tracing::debug!(operation, resource, "{STORE_SILENT}; not called");
            return Err(Error::new(ErrorKind::Unavailable, operation, STORE_SILENT)
                .with_resource(resource.to_owned()));
        };
        let started = self.now();
        let result = call::timed(self.clock.as_ref(), limit, operation, resource, call).await;
        let timed_out = matches!(&result, Err(err) if err.kind() == ErrorKind::Timeout);
        self.store_gate.spend(started, self.now(), timed_out);
        result
    }
}
