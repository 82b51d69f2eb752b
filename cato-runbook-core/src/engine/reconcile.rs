//! One reconcile per open incident per tick, each on its own task, as kube-runtime's
//! controller runs one reconcile per object: a slow or hung call delays only the incident that
//! made it.

use std::sync::Arc;

use futures::StreamExt;
use futures::stream::FuturesUnordered;
use tracing::{Instrument, warn};

use super::Inner;
use super::job::{Job, Outcome};
use super::report::TickReport;
use super::state::{Cell, Lane, Verdict};
use crate::time::{self, Timestamp};

type Handle = tokio::task::JoinHandle<Outcome>;

impl Inner {
    /// Reconciles every open incident, each on its own task, and waits for them at most one
    /// tick interval from the tick's start; what outlives the wait goes on in the background
    /// and is reported by a later tick. Reconciles of earlier ticks still running are waited
    /// for only until the next escalation or breach of this tick's incidents is due.
    pub(super) async fn reconcile_all(
        self: &Arc<Self>,
        work: Vec<(Cell, Verdict)>,
        started: Timestamp,
        act: bool,
        report: &mut TickReport,
    ) {
        let deadline = time::add(started, self.config.tick_interval);
        // Forget the tasks of earlier ticks that finished: once per tick, not per spawn.
        if let Ok(mut tasks) = self.tasks.lock() {
            tasks.retain(|t| !t.is_finished());
        }
        let handles: Vec<tokio::task::JoinHandle<(Outcome, Option<Handle>)>> = work
            .into_iter()
            .map(|(cell, verdict)| {
                let engine = self.clone();
                self.spawn(async move {
                    let span = {
                        let incident = cell.lock().await;
                        tracing::info_span!("incident", id = %incident.id(), runbook = %incident.runbook(), fence = engine.own_fence().0)
                    };
                    engine
                        .reconcile(cell, verdict, deadline, act)
                        .instrument(span)
                        .await
                })
            })
            .collect();
        let (done, late) = self.wait_until(handles, deadline).await;
        let mut outcomes = Vec::new();
        let mut acts = Vec::new();
        for (outcome, act) in done {
            outcomes.push(outcome);
            acts.extend(act);
        }
        // Earlier ticks' stragglers, then this tick's: reconciles that outran the deadline
        // (their act lane inside them) and act lanes that outran their incident's escalation
        // deadline, waited for until the tick's deadline too.
        let mut waiting = match self.stragglers.lock() {
            Ok(mut stragglers) => std::mem::take(&mut *stragglers),
            Err(_) => Vec::new(),
        };
        waiting.extend(late.into_iter().map(|handle| {
            self.spawn(async move {
                let (mut outcome, act) = match handle.await {
                    Ok(joined) => joined,
                    Err(err) => {
                        warn!(error = %err, "a reconcile ended abnormally");
                        return Outcome::default();
                    }
                };
                if let Some(act) = act
                    && let Ok(done) = act.await
                {
                    outcome.absorb(done);
                }
                outcome
            })
        }));
        waiting.extend(acts);
        // Waited for only until something of this tick's incidents is due (an escalation, a
        // breach of the response time): a slow step of one incident never holds back the
        // tick that records another's.
        let due = outcomes
            .iter()
            .fold(None, |due, outcome| earliest(due, outcome.next_due))
            .filter(|due| *due > started);
        let (done, running) = self
            .wait_until(waiting, earliest(due, Some(deadline)).unwrap_or(deadline))
            .await;
        outcomes.extend(done);
        for outcome in outcomes {
            report.events.extend(outcome.events);
            report.next_due = earliest(report.next_due, outcome.next_due);
        }
        if !running.is_empty()
            && let Ok(mut stragglers) = self.stragglers.lock()
        {
            stragglers.extend(running);
        }
    }

    /// Spawns a reconcile's task, kept so that [`crash`](super::Engine::crash) can stop it.
    fn spawn<T: Send + 'static>(
        &self,
        task: impl std::future::Future<Output = T> + Send + 'static,
    ) -> tokio::task::JoinHandle<T> {
        let handle = tokio::spawn(task);
        if let Ok(mut tasks) = self.tasks.lock() {
            tasks.push(handle.abort_handle());
        }
        handle
    }

    /// Waits for every task, or until `deadline` on the clock: what the finished ones returned,
    /// in order, and the handles of those still running.
    async fn wait_until<T: Send + 'static>(
        &self,
        mut handles: Vec<tokio::task::JoinHandle<T>>,
        deadline: Timestamp,
    ) -> (Vec<T>, Vec<tokio::task::JoinHandle<T>>) {
        let mut results: Vec<Option<T>> = handles.iter().map(|_| None).collect();
        let mut finished = vec![false; handles.len()];
        if !handles.is_empty() {
            let budget = time::elapsed(self.now(), deadline);
            let mut pending: FuturesUnordered<_> = handles
                .iter_mut()
                .enumerate()
                .map(|(index, handle)| async move { (index, handle.await) })
                .collect();
            let sleep = self.clock.sleep(budget);
            tokio::pin!(sleep);
            loop {
                tokio::select! {
                    biased;
                    next = pending.next() => match next {
                        Some((index, joined)) => {
                            finished[index] = true;
                            match joined {
                                Ok(value) => results[index] = Some(value),
                                Err(err) => warn!(error = %err, "a reconcile ended abnormally"),
                            }
                        }
                        None => break,
                    },
                    () = &mut sleep => break,
                }
            }
        }
        let mut running = Vec::new();
        for (handle, done) in handles.into_iter().zip(finished) {
            if !done {
                running.push(handle);
            }
        }
        (results.into_iter().flatten().collect(), running)
    }

    /// One incident's reconcile: the watch lane (severity, announcement), the act lane
    /// (diagnosis, resolution, the ladder) on its own task, then the watch lane's escalation
    /// and SLA checks, each lane unless a reconcile of an earlier tick still holds it. The act
    /// lane is waited for until the incident's next escalation or SLA deadline (at most until
    /// the tick's `deadline`), so that in the usual case escalation follows the step, as people
    /// read them; past that the watch lane escalates on time while the act lane goes on, and
    /// its handle is returned. Without `act` (the lease cannot answer) only the watch lane
    /// runs: notifications fail open, steps fail closed.
    async fn reconcile(
        self: Arc<Self>,
        cell: Cell,
        verdict: Verdict,
        deadline: Timestamp,
        act: bool,
    ) -> (Outcome, Option<Handle>) {
        let mut outcome = Outcome::default();
        let watch = cell.take(Lane::Watch);
        if watch.is_some() {
            let job = Job::attach(&self, cell.clone(), verdict).await;
            outcome.absorb(job.watch().await);
        }
        let act = act.then(|| cell.take(Lane::Act)).flatten().map(|busy| {
            let engine = self.clone();
            let cell = cell.clone();
            // The act lane runs on its own task, inside the incident's span.
            let span = tracing::Span::current();
            self.spawn(
                async move {
                    let _busy = busy;
                    Job::attach(&engine, cell, verdict).await.act().await
                }
                .instrument(span),
            )
        });
        let mut running = None;
        if let Some(mut act) = act {
            let due = Job::attach(&self, cell.clone(), verdict)
                .await
                .due_escalation()
                .await;
            let now = self.now();
            let until = due.map_or(deadline, |due| due.min(deadline));
            let finished = if until <= now && watch.is_some() {
                None
            } else {
                tokio::select! {
                    biased;
                    joined = &mut act => Some(joined),
                    () = self.clock.sleep(time::elapsed(now, until)) => None,
                }
            };
            match finished {
                Some(Ok(done)) => outcome.absorb(done),
                Some(Err(err)) => warn!(error = %err, "a reconcile ended abnormally"),
                None => running = Some(act),
            }
        }
        if let Some(watch) = watch {
            let job = Job::attach(&self, cell.clone(), verdict).await;
            outcome.absorb(job.escalation_lane().await);
            drop(watch);
        }
        let job = Job::attach(&self, cell, verdict).await;
        outcome.next_due = earliest(outcome.next_due, job.read(|i| job.next_due(i)).await);
        (outcome, running)
    }
}

pub(super) fn earliest(a: Option<Timestamp>, b: Option<Timestamp>) -> Option<Timestamp> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}
