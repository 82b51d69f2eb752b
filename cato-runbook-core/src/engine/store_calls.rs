//! Every call of the engine to the incident store goes through one gate per tick: bounded by
//! the call timeout, and, once a store call of the tick has timed out, the tick's other store
//! calls fail at once (`Unavailable`) instead of each waiting out its own timeout, so that a
//! hung store cannot make one tick overrun its interval. What was not written stays dirty in
//! memory and is written by a later tick; the gate opens again at the start of every tick.

use std::future::Future;
use std::sync::atomic::{AtomicBool, Ordering};

use super::Inner;
use crate::call;
use crate::error::{Error, ErrorKind, Result};

/// Why a store call failed without being made.
pub(super) const STORE_SILENT: &str = "the store did not answer earlier in this tick";

/// Whether a store call of the current tick has timed out.
#[derive(Debug, Default)]
pub(super) struct StoreGate {
    timed_out: AtomicBool,
}

impl StoreGate {
    /// A new tick: the store is tried again.
    pub(super) fn open(&self) {
        self.timed_out.store(false, Ordering::SeqCst);
    }

    fn is_closed(&self) -> bool {
        self.timed_out.load(Ordering::SeqCst)
    }

    fn close(&self) {
        self.timed_out.store(true, Ordering::SeqCst);
    }
}

impl Inner {
    /// A store call named `operation` on `resource`, under the call timeout and the tick's
    /// gate.
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
        if self.store_gate.is_closed() {
            tracing::debug!(operation, resource, "{STORE_SILENT}; not called");
            return Err(Error::new(ErrorKind::Unavailable, operation, STORE_SILENT)
                .with_resource(resource.to_owned()));
        }
        let result = call::timed(
            self.clock.as_ref(),
            self.config.timeouts.call,
            operation,
            resource,
            call,
        )
        .await;
        if let Err(err) = &result
            && err.kind() == ErrorKind::Timeout
        {
            self.store_gate.close();
        }
        result
    }
}
