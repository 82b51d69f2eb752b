//! Metrics and logs answered from a memo after their first call, and a cache's counters
//! carried on from its last two readings, so that a tick's CPU time is the engine's own: the
//! fake world synthesises each series, log line and counter (its samples, their histograms,
//! the traffic behind a cache's counters), work a real provider does on its side.
//!
//! A call is keyed by what it asks, not by when: its queries without their ids (or its log
//! group, pattern and limit) and the length of its window (a log filter's to 10 s). Until [`Freeze::freeze`], every call
//! goes to the fake and its answer is kept; after, a call of a kept key gets that answer again
//! with its ids and its timestamps moved to the new window, as a steady fleet would (a call of
//! a new key still goes to the fake, and is kept). Hashing a call's queries is part of what is timed, so
//! the engine's figure is an upper bound.

use std::collections::HashMap;
use std::fmt;
use std::hash::{DefaultHasher, Hash, Hasher};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;
use cato_runbook_core::Result;
use cato_runbook_core::ports::{
    CacheCounters, CacheStats, Clock, Dimension, LogEvent, Logs, MetricQuery, MetricSeries,
    Metrics, Statistic,
};
use cato_runbook_core::time::Timestamp;
use chrono::TimeDelta;

/// Shared by the canned ports of one world: whether they answer from their memo yet, and how
/// late a kept answer comes.
#[derive(Clone)]
pub(crate) struct Freeze {
    frozen: Arc<AtomicBool>,
    latency_us: Arc<AtomicU64>,
    misses: Arc<AtomicU64>,
    clock: Arc<dyn Clock>,
}

impl Freeze {
    /// Answers that wait on `clock`.
    pub(crate) fn new(clock: Arc<dyn Clock>) -> Self {
        Self {
            frozen: Arc::default(),
            latency_us: Arc::default(),
            misses: Arc::default(),
            clock,
        }
    }

    /// From now on, kept answers are given again.
    pub(crate) fn freeze(&self) {
        self.frozen.store(true, Ordering::SeqCst);
    }

    /// From now on, a kept answer comes `latency` late, as the latency fault delays the calls
    /// that reach the fakes.
    pub(crate) fn latency(&self, latency: Duration) {
        let us = u64::try_from(latency.as_micros()).unwrap_or(u64::MAX);
        self.latency_us.store(us, Ordering::SeqCst);
    }

    /// The calls since [`Freeze::freeze`] that no kept answer matched (they went to the fake).
    pub(crate) fn misses(&self) -> u64 {
        self.misses.load(Ordering::SeqCst)
    }

    fn frozen(&self) -> bool {
        self.frozen.load(Ordering::SeqCst)
    }

    async fn wait(&self) {
        let us = self.latency_us.load(Ordering::SeqCst);
        if us > 0 {
            self.clock.sleep(Duration::from_micros(us)).await;
        }
    }
}

/// An answer kept: the start of its window, and what was answered.
type Kept<T> = (Timestamp, Arc<Vec<T>>);

/// The answers of one port, kept by what they asked.
struct Memo<K, T> {
    freeze: Freeze,
    kept: Mutex<HashMap<K, Kept<T>>>,
}

impl<K: Hash + Eq, T: Clone> Memo<K, T> {
    fn new(freeze: Freeze) -> Self {
        Self {
            freeze,
            kept: Mutex::default(),
        }
    }

    /// Once frozen, the answer kept for `key` and how far `start` is from its window's start.
    fn get(&self, key: &K, start: Timestamp) -> Option<(TimeDelta, Arc<Vec<T>>)> {
        if !self.freeze.frozen() {
            return None;
        }
        let kept = self.kept.lock().unwrap();
        let hit = kept
            .get(key)
            .map(|(at, answer)| (start - *at, Arc::clone(answer)));
        if hit.is_none() {
            self.freeze.misses.fetch_add(1, Ordering::SeqCst);
        }
        hit
    }

    fn keep(&self, key: K, start: Timestamp, answer: &[T]) {
        let answer = Arc::new(answer.to_vec());
        self.kept.lock().unwrap().insert(key, (start, answer));
    }
}

fn statistic(stat: Statistic, h: &mut DefaultHasher) {
    match stat {
        Statistic::Average => 0u8.hash(h),
        Statistic::Sum => 1u8.hash(h),
        Statistic::Minimum => 2u8.hash(h),
        Statistic::Maximum => 3u8.hash(h),
        Statistic::SampleCount => 4u8.hash(h),
        Statistic::Percentile(p) => (5u8, p.to_bits()).hash(h),
    }
}

fn metrics_key(queries: &[MetricQuery], start: Timestamp, end: Timestamp) -> u64 {
    let mut h = DefaultHasher::new();
    (end - start).num_seconds().hash(&mut h);
    for q in queries {
        (&q.namespace, &q.metric, &q.dimensions, q.period).hash(&mut h);
        statistic(q.statistic, &mut h);
    }
    h.finish()
}

/// A metrics port that answers a repeated call from its first answer.
pub(crate) struct CannedMetrics {
    inner: Arc<dyn Metrics>,
    memo: Memo<u64, MetricSeries>,
}

impl CannedMetrics {
    pub(crate) fn new(inner: Arc<dyn Metrics>, freeze: Freeze) -> Self {
        Self {
            inner,
            memo: Memo::new(freeze),
        }
    }
}

impl fmt::Debug for CannedMetrics {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CannedMetrics").finish_non_exhaustive()
    }
}

impl fmt::Display for CannedMetrics {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "canned {}", self.inner)
    }
}

#[async_trait]
impl Metrics for CannedMetrics {
    async fn query(
        &self,
        queries: &[MetricQuery],
        start: Timestamp,
        end: Timestamp,
    ) -> Result<Vec<MetricSeries>> {
        let key = metrics_key(queries, start, end);
        let hit = self.memo.get(&key, start).map(|(shift, answer)| {
            answer
                .iter()
                .zip(queries)
                .map(|(series, q)| MetricSeries {
                    id: q.id.clone(),
                    points: series
                        .points
                        .iter()
                        .map(|p| {
                            let mut p = *p;
                            p.at += shift;
                            p
                        })
                        .collect(),
                })
                .collect()
        });
        if let Some(answer) = hit {
            self.memo.freeze.wait().await;
            return Ok(answer);
        }
        let answer = self.inner.query(queries, start, end).await?;
        self.memo.keep(key, start, &answer);
        Ok(answer)
    }

    async fn put(
        &self,
        namespace: &str,
        metric: &str,
        dimensions: &[Dimension],
        value: f64,
        at: Timestamp,
    ) -> Result<()> {
        self.inner
            .put(namespace, metric, dimensions, value, at)
            .await
    }
}

type LogsKey = (String, String, usize, Duration);

/// A logs port that answers a repeated filter from its first answer.
pub(crate) struct CannedLogs {
    inner: Arc<dyn Logs>,
    now: Box<dyn Fn() -> Timestamp + Send + Sync>,
    memo: Memo<LogsKey, LogEvent>,
}

impl CannedLogs {
    /// `now` reads the world's clock: a filter's window is from `since` to now.
    pub(crate) fn new(
        inner: Arc<dyn Logs>,
        freeze: Freeze,
        now: impl Fn() -> Timestamp + Send + Sync + 'static,
    ) -> Self {
        Self {
            inner,
            now: Box::new(now),
            memo: Memo::new(freeze),
        }
    }
}

impl fmt::Debug for CannedLogs {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CannedLogs").finish_non_exhaustive()
    }
}

impl fmt::Display for CannedLogs {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "canned {}", self.inner)
    }
}

#[async_trait]
impl Logs for CannedLogs {
    async fn filter(
        &self,
        group: &str,
        pattern: &str,
        since: Timestamp,
        limit: usize,
    ) -> Result<Vec<LogEvent>> {
        let now = (self.now)();
        // To the nearest 10 s: a filter's window runs to the time of the call, which on a
        // running clock is a little later every tick.
        let tens = ((now - since).num_milliseconds().max(0) + 5_000) / 10_000;
        let window = Duration::from_secs(u64::try_from(tens * 10).unwrap_or_default());
        let key = (group.to_owned(), pattern.to_owned(), limit, window);
        let hit = self.memo.get(&key, since).map(|(shift, events)| {
            events
                .iter()
                .map(|e| LogEvent {
                    at: e.at + shift,
                    stream: e.stream.clone(),
                    message: e.message.clone(),
                })
                .collect()
        });
        if let Some(events) = hit {
            self.memo.freeze.wait().await;
            return Ok(events);
        }
        let events = self.inner.filter(group, pattern, since, limit).await?;
        self.memo.keep(key, since, &events);
        Ok(events)
    }
}

/// A cache's last two readings before the freeze.
type Readings = HashMap<String, (CacheCounters, CacheCounters)>;

/// A cache-stats port that, once frozen, answers each cache's counters from its last two
/// readings: they go on at the rate they went between those, as a steady cache's would (the
/// hit-rate detector needs lookups since its last look).
pub(crate) struct CannedCacheStats {
    inner: Arc<dyn CacheStats>,
    freeze: Freeze,
    readings: Mutex<Readings>,
}

impl CannedCacheStats {
    pub(crate) fn new(inner: Arc<dyn CacheStats>, freeze: Freeze) -> Self {
        Self {
            inner,
            freeze,
            readings: Mutex::default(),
        }
    }

    /// The counters of `cache` at `now`, carried on from its last two readings.
    fn carried(&self, cache: &str, now: Timestamp) -> Option<CacheCounters> {
        let readings = self.readings.lock().unwrap();
        let (before, last) = readings.get(cache)?;
        let span = (last.at - before.at).as_seconds_f64();
        if span <= 0.0 {
            return None;
        }
        let since = (now - last.at).as_seconds_f64();
        let on = |from: u64, to: u64| to + (to.saturating_sub(from) as f64 * since / span) as u64;
        Some(CacheCounters {
            at: now,
            run_id: last.run_id.clone(),
            hits: on(before.hits, last.hits),
            misses: on(before.misses, last.misses),
            evictions: on(before.evictions, last.evictions),
            expirations: on(before.expirations, last.expirations),
        })
    }
}

impl fmt::Debug for CannedCacheStats {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CannedCacheStats").finish_non_exhaustive()
    }
}

impl fmt::Display for CannedCacheStats {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "canned {}", self.inner)
    }
}

#[async_trait]
impl CacheStats for CannedCacheStats {
    async fn counters(&self, cache: &str) -> Result<CacheCounters> {
        if self.freeze.frozen() {
            if let Some(counters) = self.carried(cache, self.freeze.clock.now()) {
                self.freeze.wait().await;
                return Ok(counters);
            }
            self.freeze.misses.fetch_add(1, Ordering::SeqCst);
        }
        let counters = self.inner.counters(cache).await?;
        let mut readings = self.readings.lock().unwrap();
        let kept = readings
            .entry(cache.to_owned())
            .or_insert_with(|| (counters.clone(), counters.clone()));
        kept.0 = std::mem::replace(&mut kept.1, counters.clone());
        Ok(counters)
    }
}
