//! The health loop: ticks at their period until shutdown, then the last save and the lease
//! given up; and a crash, as a simulation has it.

use std::future::Future;

use tracing::{Instrument, debug, warn};

use super::{Engine, Inner};
use crate::error::Result;
use crate::time;

impl Engine {
    /// Ticks every [`EngineConfig::tick_interval`](super::EngineConfig::tick_interval) (sooner when an escalation, verification or
    /// approval expiry is due) until `shutdown` resolves. A tick in progress finishes first;
    /// then every open incident is saved once more, the lease is given up (a standby takes
    /// over at its next tick) and `run` returns the number of ticks.
    ///
    /// # Errors
    ///
    /// None so far: a failed tick is logged and the loop goes on. The `Result` leaves room for
    /// a host-visible failure.
    pub async fn run(&self, shutdown: impl Future<Output = ()>) -> Result<u64> {
        let inner = &self.inner;
        tokio::pin!(shutdown);
        let mut ticks = 0u64;
        loop {
            let started = inner.clock.now();
            let next_due = match Inner::tick(inner).instrument(inner.tick_span()).await {
                Ok(report) => report.next_due,
                Err(err) => {
                    warn!(error = %err, "tick failed");
                    None
                }
            };
            ticks += 1;
            // The period runs from the tick's start, so a long tick does not stretch it.
            let now = inner.clock.now();
            let next = time::add(started, inner.config.tick_interval);
            let next = next_due
                .filter(|due| *due > now)
                .map_or(next, |due| due.min(next));
            let wait = time::elapsed(now, next);
            tokio::select! {
                biased;
                () = &mut shutdown => break,
                () = inner.clock.sleep(wait) => {}
            }
        }
        inner.flush().await;
        inner.step_down().await;
        debug!(ticks, "health loop stopped");
        Ok(ticks)
    }
}

impl Engine {
    /// Stops this engine as a crash of its process would: every reconcile in flight stops at
    /// the await point it is at, and nothing is saved or flushed. For simulations (a replica
    /// killed mid-step) — a service stops with [`run`](Engine::run)'s shutdown instead. Drop
    /// the engine after.
    pub fn crash(&self) {
        if let Ok(tasks) = self.inner.tasks.lock() {
            for task in tasks.iter() {
                task.abort();
            }
        }
    }
}

impl Inner {
    /// Lets every reconcile still running finish (each is bounded by its calls' timeouts),
    /// then saves every open incident once more.
    async fn flush(&self) {
        let running: Vec<_> = match self.stragglers.lock() {
            Ok(mut stragglers) => stragglers.drain(..).collect(),
            Err(_) => Vec::new(),
        };
        for handle in running {
            if let Err(err) = handle.await {
                warn!(error = %err, "a reconcile ended abnormally");
            }
        }
        let cells: Vec<_> = self
            .table
            .lock()
            .await
            .incidents
            .values()
            .cloned()
            .collect();
        for cell in cells {
            if let Err(err) = self.persist(&cell, self.own_fence(), None).await {
                let id = cell.lock().await.id().clone();
                warn!(incident = %id, error = %err, "could not save on shutdown");
            }
        }
    }
}
