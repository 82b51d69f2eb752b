//! Detection: every detector at once, folded into one signal per dedup key; incidents open and
//! resolve with hysteresis.

use std::sync::Arc;
use std::task::Poll;

use futures::StreamExt;
use futures::future::Either;
use futures::stream::FuturesUnordered;

use super::Inner;
use super::lead::Role;
use super::report::{TickEvent, TickReport};
use super::state::{Cell, Table, Tally, Verdict};
use crate::call;
use crate::error::{Error, Result};
use crate::runbook::{Observation, ObserveContext};
use crate::severity::Impact;
use crate::time::{self, Timestamp};

/// How many finished looks a tick takes in before it yields to the runtime's other tasks.
const LOOKS_BEFORE_YIELDING: usize = 256;

impl Inner {
    pub(super) async fn tick(self: &Arc<Self>) -> Result<TickReport> {
        let _one_at_a_time = self.ticking.lock().await;
        self.store_gate.open();
        let now = self.now();
        if let Some(trace) = &self.trace {
            trace.record(crate::trace::TraceRecord::tick(now));
        }
        let mut report = TickReport {
            at: Some(now),
            detectors: self.detectors.len(),
            ..TickReport::default()
        };
        // A replica that leads, its lease still running, starts its detectors' looks while it
        // renews the lease: looks read and change nothing, and they are what a tick's time
        // goes on as the fleet grows. A replica that does not lead waits for the lease's word
        // first, so that standbys make no detector's call; should the renewal say that
        // another replica leads after all, the looks are dropped unread.
        let looks = self.observe_all(now);
        let mut looks = std::pin::pin!(looks);
        let mut looked = None;
        let role = if self.leads_until(now) {
            let lead = std::pin::pin!(self.lead(now, &mut report));
            match futures::future::select(lead, looks.as_mut()).await {
                Either::Left((role, _)) => role,
                Either::Right((results, lead)) => {
                    looked = Some(results);
                    lead.await
                }
            }
        } else {
            self.lead(now, &mut report).await
        };
        if let Role::Standby(_) = role {
            // Another replica leads: no look counts here (those a leader began during the
            // renewal are dropped with this tick). The kill switch is read, so that people
            // asking this replica see it as it is.
            report.detectors = 0;
            self.refresh_guardrails(&mut report.events).await;
            // The leader counts the open incidents; a standby's count is none.
            super::telemetry::open_incidents([0; 4]);
            self.ticks
                .fetch_add(1, std::sync::atomic::Ordering::Release);
            self.ticked.notify_waiters();
            super::telemetry::tick(&report, seconds_since(now, self.now()), true);
            return Ok(report);
        }
        // The store's incidents, the guardrails and the budget are read while the detectors
        // look: none of them needs another, and all of them are needed only once the looks
        // are in (the fold, the reconciles). A tick waits on the lease and then on the
        // slowest of these, not on their sum (the store's reads come after the lease: a new
        // term reloads the incidents). Their events go in the report in this order, as if
        // they had been read one after another.
        let (mut synced, mut guarded, mut budgeted) = (Vec::new(), Vec::new(), Vec::new());
        let ((), (), (), results) = futures::join!(
            self.load_and_sync(&mut synced),
            self.refresh_guardrails(&mut guarded),
            self.refresh_budget(&mut budgeted),
            async {
                match looked {
                    Some(results) => results,
                    None => looks.await,
                }
            },
        );
        report.events.extend(synced);
        report.events.extend(guarded);
        report.events.extend(budgeted);
        let (mut healthy, mut symptom, mut unknown) = (0, 0, 0);
        for result in &results {
            match result {
                Ok(Observation::Healthy | Observation::Abnormal(_)) => healthy += 1,
                Ok(Observation::Symptom(_)) => symptom += 1,
                Err(_) => unknown += 1,
            }
        }
        super::telemetry::observations(healthy, symptom, unknown);
        let work = self.fold(&results, now, &mut report).await;
        self.reconcile_all(work, now, role == Role::Leader, &mut report)
            .await;
        if role == Role::Leader {
            self.alert(&results, &mut report).await;
            self.watch_postmortems(&mut report).await;
            self.expire_closed(now).await;
        }
        report.open_incidents = self.sweep().await;
        self.ticks
            .fetch_add(1, std::sync::atomic::Ordering::Release);
        self.ticked.notify_waiters();
        super::telemetry::tick(&report, seconds_since(now, self.now()), false);
        Ok(report)
    }

    /// Loads the open incidents once per term, then brings them up to date with the store.
    async fn load_and_sync(&self, events: &mut Vec<TickEvent>) {
        if let Err(err) = self.ensure_loaded().await {
            // Fail open: detection goes on and an incident opens in memory (people hear of
            // it); it is created, or merged into one another replica opened, once the store
            // answers again.
            tracing::error!(error = %err, "the store cannot list the open incidents; incidents open in memory until it answers");
            super::telemetry::store_unavailable("open");
            events.push(TickEvent::StoreUnavailable {
                what: "open".into(),
                error: err.to_string(),
            });
            let mut table = self.table.lock().await;
            self.init_keys(&mut table);
        } else {
            self.sync_incidents(events).await;
        }
    }

    /// Every detector's look, by detector index, all under one deadline set before the first
    /// poll. Looks that finish at once never reach the scheduler; the others run concurrently,
    /// and those still running at the deadline are timeouts. One timer serves the tick, not
    /// one a look: 8,000 looks waiting on calls would otherwise each hold a timer, and each
    /// poll of theirs poll it.
    async fn observe_all(&self, now: Timestamp) -> Vec<Result<Observation>> {
        let ctx = ObserveContext::new(now);
        let timeout = self.config.timeouts.detector;
        let started = self.now();
        let mut results: Vec<Result<Observation>> = Vec::with_capacity(self.detectors.len());
        // Whether each look is still running.
        let mut running = vec![false; self.detectors.len()];
        let mut pending = FuturesUnordered::new();
        for (index, slot) in self.detectors.iter().enumerate() {
            let mut look = slot.detector.observe(&ctx);
            match futures::poll!(look.as_mut()) {
                Poll::Ready(result) => results.push(result),
                Poll::Pending => {
                    results.push(Ok(Observation::Healthy)); // replaced below
                    running[index] = true;
                    pending.push(async move { (index, look.await) });
                }
            }
        }
        if pending.is_empty() {
            return results;
        }
        let drained = async {
            let mut finished = 0usize;
            while let Some((index, result)) = pending.next().await {
                results[index] = result;
                running[index] = false;
                finished += 1;
                if finished.is_multiple_of(LOOKS_BEFORE_YIELDING) {
                    tokio::task::yield_now().await;
                }
            }
        };
        // Unconstrained by tokio's budget, which is a task's and not a look's: past 128 uses
        // of a timer or a lock in one poll, every look's next use would answer "not yet" and
        // be polled again, thousands of wasted polls a tick. The loop yields on its own count.
        let left = timeout.saturating_sub(time::elapsed(started, self.now()));
        let drained = tokio::task::unconstrained(drained);
        if call::within(self.clock.as_ref(), left, drained)
            .await
            .is_none()
        {
            for (index, still) in running.iter().enumerate() {
                if *still {
                    results[index] = Err(self.timed_out(index, timeout));
                }
            }
        }
        results
    }

    /// The error of detector `index`'s look that ran out of `timeout`.
    fn timed_out(&self, index: usize, timeout: std::time::Duration) -> Error {
        let name = self
            .detectors
            .get(index)
            .map_or("", |slot| slot.detector.name());
        Error::timeout("detector.observe", timeout).with_resource(name.to_owned())
    }

    /// Folds the looks into the key table and opens incidents; returns every open incident
    /// with its key's verdict. The table's lock is never held across a call: the keys to open
    /// are chosen under it, opened without it, then entered under it again.
    async fn fold(
        &self,
        results: &[Result<Observation>],
        now: Timestamp,
        report: &mut TickReport,
    ) -> Vec<(Cell, Verdict)> {
        let (mut verdicts, to_open) = {
            let mut table = self.table.lock().await;
            self.tally(&mut table, results, now, report)
        };
        for (key, verdict, impact, first_seen) in to_open {
            let opened = self
                .open(key, impact, first_seen, results, now, report)
                .await;
            if let Some(cell) = opened {
                let id = cell.lock().await.id().clone();
                let mut table = self.table.lock().await;
                table.keys[key].incident = Some(id.clone());
                table.incidents.entry(id).or_insert(cell);
                verdicts.push((key, verdict));
            }
        }
        let table = self.table.lock().await;
        let mut work = Vec::with_capacity(table.incidents.len());
        for (id, cell) in &table.incidents {
            let verdict = verdicts
                .iter()
                .find(|(key, _)| table.keys[*key].incident.as_ref() == Some(id))
                .map_or(Verdict::Unwatched, |(_, verdict)| *verdict);
            work.push((cell.clone(), verdict));
        }
        work
    }

    /// The tick's tallies and verdicts; the keys whose streak opens an incident now.
    #[allow(clippy::type_complexity)]
    fn tally(
        &self,
        table: &mut Table,
        results: &[Result<Observation>],
        now: Timestamp,
        report: &mut TickReport,
    ) -> (
        Vec<(usize, Verdict)>,
        Vec<(usize, Verdict, Impact, Timestamp)>,
    ) {
        for tally in &mut table.tallies {
            *tally = Tally::default();
        }
        for (slot, result) in self.detectors.iter().zip(results) {
            table.tallies[slot.key].seen = true;
            table.tallies[slot.blind].seen = true;
            match result {
                Ok(Observation::Healthy | Observation::Abnormal(_)) => report.healthy += 1,
                Ok(Observation::Symptom(symptom)) => {
                    report.symptoms += 1;
                    let tally = &mut table.tallies[slot.key];
                    tally.worst = Some(match tally.worst {
                        Some(worst) => worst.worst(symptom.impact),
                        None => symptom.impact,
                    });
                }
                Err(err) => {
                    report.unknown += 1;
                    table.tallies[slot.key].unknown = true;
                    // A failed look is a bad observation of the "monitoring is blind" key.
                    table.tallies[slot.blind].worst = Some(Impact::none());
                    report.events.push(TickEvent::DetectorUnknown {
                        runbook: self.runbooks[slot.runbook].id.to_string(),
                        detector: slot.detector.name().to_owned(),
                        error: err.to_string(),
                    });
                }
            }
        }
        // A runbook that sees a symptom on its resource is not blind there, whatever its other
        // detectors could not read (an endpoint down has no invocations to count): the failed
        // looks stay unknown, and no "monitoring is blind" page comes on top of the outage's.
        for (slot, result) in self.detectors.iter().zip(results) {
            if let Ok(Observation::Symptom(_)) = result {
                let blind = &mut table.tallies[slot.blind];
                if blind.worst.is_some() {
                    blind.worst = None;
                    blind.unknown = true;
                }
            }
        }
        let mut verdicts = Vec::new();
        let mut to_open = Vec::new();
        for key in 0..self.keys.len() {
            let tally = table.tallies[key];
            if !tally.seen {
                continue;
            }
            let state = &mut table.keys[key];
            let verdict = if let Some(impact) = tally.worst {
                if state.bad == 0 {
                    state.first_bad = Some(now);
                }
                state.bad += 1;
                state.good = 0;
                Verdict::Bad(impact)
            } else if tally.unknown {
                state.good = 0;
                Verdict::Unknown
            } else {
                state.good += 1;
                state.bad = 0;
                Verdict::Good {
                    streak: state.good,
                    needed: self.keys[key].resolve_after,
                }
            };
            if state.incident.is_some() {
                verdicts.push((key, verdict));
            } else if let Verdict::Bad(impact) = verdict
                && state.bad >= self.keys[key].open_after
            {
                // The symptom was first seen when the bad streak began, `open_after` ticks ago.
                let first_seen = state.first_bad.unwrap_or(now).min(now);
                to_open.push((key, verdict, impact, first_seen));
            }
        }
        (verdicts, to_open)
    }

    /// Frees the keys of resolved incidents and forgets those with nothing left to do (a
    /// resolved incident stays while its act lane runs or a temporary step of it is still to be
    /// reverted); returns how many stay open.
    async fn sweep(&self) -> usize {
        let mut table = self.table.lock().await;
        let table = &mut *table;
        let mut resolved = Vec::new();
        let mut open = 0;
        let mut by_severity = [0u64; 4];
        for (id, cell) in &table.incidents {
            let incident = cell.lock().await;
            if incident.is_open() {
                open += 1;
                let index = usize::from(incident.severity().level().saturating_sub(1)).min(3);
                by_severity[index] += 1;
                continue;
            }
            let done = incident.automation().temporary.is_empty()
                && !cell.is_busy(super::state::Lane::Act)
                && !cell.is_unsaved();
            resolved.push((id.clone(), done));
        }
        super::telemetry::open_incidents(by_severity);
        for (id, done) in resolved {
            if done {
                table.incidents.remove(&id);
            }
            for state in &mut table.keys {
                if state.incident.as_ref() == Some(&id) {
                    *state = Default::default();
                }
            }
        }
        open
    }
}

/// Seconds from `from` to `to` on the engine's clock.
fn seconds_since(from: Timestamp, to: Timestamp) -> f64 {
    crate::time::elapsed(from, to).as_secs_f64()
}
