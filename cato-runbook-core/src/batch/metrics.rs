//! [`BatchedMetrics`]: every metric read of a round as one `query` per 500 series.

use std::borrow::Cow;
use std::collections::HashMap;
use std::fmt;
use std::sync::Arc;

use async_trait::async_trait;
use futures::future::FutureExt;
use futures::{StreamExt, TryStreamExt};

use super::plan::{Fetch, Plan};
use super::round::{Round, answer_of};
use crate::error::{ErrorKind, Result};
use crate::ports::{Datapoint, Dimension, MetricQuery, MetricSeries, Metrics, SmolStr, Statistic};
use crate::time::Timestamp;

/// Most calls of one round made at once: half of CloudWatch's default `GetMetricData` quota
/// (50 a second), so that a round of up to 12,500 series takes one call's time.
const CONCURRENT_CALLS: usize = 25;

/// One caller's request.
struct Ask {
    /// Its queries, ids left empty.
    queries: Vec<MetricQuery>,
    start: Timestamp,
    end: Timestamp,
}

/// What a round fetched: each distinct series' points, and which of them each request asked
/// for, in its query order; or, when the port refused the input of a round of several
/// requests, word to ask again alone.
enum Fetched {
    Points {
        points: Vec<Vec<Datapoint>>,
        wants: Wants,
    },
    AskAlone,
}

/// Which series each request of a round wants, in its query order: one list for the round,
/// not one a request (4,000 allocations a round of a tick of 1,000 endpoints).
struct Wants {
    /// The series, request after request.
    series: Vec<usize>,
    /// Where each request's part of `series` begins.
    from: Vec<usize>,
}

impl Wants {
    /// Request `ask`'s series.
    fn of(&self, ask: usize) -> &[usize] {
        let start = self.from.get(ask).copied().unwrap_or(self.series.len());
        let end = self.from.get(ask + 1).copied().unwrap_or(self.series.len());
        self.series.get(start..end).unwrap_or(&[])
    }
}

/// A metrics port whose concurrent reads are made together: the queries of every caller of a
/// round (the detectors of one tick, the diagnoses running beside them) go out as one
/// [`Metrics::query`] per 500 distinct series, and each caller gets its own series back, with
/// its own ids, in its own order.
///
/// - A series several callers ask for (same namespace, metric, dimensions, statistic and
///   period) is fetched once, over the union of their windows; each caller gets only the
///   points of its own `[start, end)`. CloudWatch starts periods at the start time rounded
///   down to the minute, so for windows whose starts lie a whole number of periods apart (any
///   start, for one-minute periods) this is exactly what separate calls answer; series whose
///   periods would start elsewhere are fetched apart.
/// - Series of different windows share a call while its answer fits one page of CloudWatch's
///   (100,800 points): the call reads the union of their windows, from a start at which every
///   member's periods begin where they would alone (a five-minute window from :05 and a
///   three-minute one from :07 are read together from :55 of the hour before). So a round's
///   calls are ⌈series / 500⌉ whatever its windows, unless a common start would lie more than
///   an hour before them.
/// - The round is a shared future: any caller still waiting drives it, so a caller dropped
///   or timed out strands nobody; its call runs on a task of its own once the round is
///   collected. A failed call fails every caller with the error
///   (its kind, retry class and message); a refusal of the input
///   ([`ErrorKind::InvalidInput`]) of a round of several callers is asked again by each
///   caller alone, so that one bad query fails only its caller.
///
/// [`Providers`](crate::catalog::Providers) puts every metrics port behind one of these, so
/// every runbook built from it shares the rounds.
pub struct BatchedMetrics {
    port: Arc<dyn Metrics>,
    round: Arc<Round<Ask, Fetched>>,
}

impl BatchedMetrics {
    /// `port`, read in rounds.
    pub fn new(port: Arc<dyn Metrics>) -> Self {
        BatchedMetrics {
            port,
            round: Arc::new(Round::default()),
        }
    }

    /// The port underneath.
    pub fn inner(&self) -> &Arc<dyn Metrics> {
        &self.port
    }
}

impl fmt::Debug for BatchedMetrics {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("BatchedMetrics")
            .field("port", &format_args!("{}", self.port))
            .finish_non_exhaustive()
    }
}

impl fmt::Display for BatchedMetrics {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.port, f)
    }
}

/// The start CloudWatch reads from: rounded down to the minute when every period is minutes.
/// In whole seconds (a round computes it for every query: chrono's `duration_trunc` was a
/// twentieth of a round's CPU).
pub(super) fn read_start(start: Timestamp, period_secs: u64) -> Timestamp {
    if !period_secs.is_multiple_of(60) {
        return start;
    }
    let secs = start.timestamp();
    let minute = secs - secs.rem_euclid(60);
    if minute == secs && start.timestamp_subsec_nanos() == 0 {
        return start;
    }
    chrono::DateTime::from_timestamp(minute, 0).unwrap_or(start)
}

/// A series' identity: what makes two queries the same series with the same periods. It
/// borrows from the round's asks (a round of 9,000 series makes no copy to compare them).
#[derive(PartialEq, Eq, Hash)]
struct Key<'a> {
    namespace: &'a str,
    metric: &'a str,
    /// Sorted (borrowed as asked when they already are).
    dimensions: Cow<'a, [Dimension]>,
    /// The statistic's variant and, for a percentile, its bits.
    statistic: (u8, u64),
    period_ms: u128,
    /// Where its periods start, modulo the period (seconds).
    phase: i64,
}

impl<'a> Key<'a> {
    fn of(q: &'a MetricQuery, start: Timestamp) -> Self {
        let dimensions = if q.dimensions.is_sorted() {
            Cow::Borrowed(q.dimensions.as_slice())
        } else {
            let mut sorted = q.dimensions.clone();
            sorted.sort();
            Cow::Owned(sorted)
        };
        let statistic = match q.statistic {
            Statistic::Average => (0, 0),
            Statistic::Sum => (1, 0),
            Statistic::Minimum => (2, 0),
            Statistic::Maximum => (3, 0),
            Statistic::SampleCount => (4, 0),
            Statistic::Percentile(p) => (5, p.to_bits()),
        };
        let period = q.period.as_secs().max(1) as i64;
        let read = read_start(start, q.period.as_secs());
        Key {
            namespace: &q.namespace,
            metric: &q.metric,
            dimensions,
            statistic,
            period_ms: q.period.as_millis(),
            phase: read.timestamp().rem_euclid(period),
        }
    }
}

/// The distinct series of `asks`, each over the union of its askers' windows, and which
/// series each ask wants. The asks are the round's own copies of its callers' queries: the
/// first query of each series is moved out of its ask into the series, none is copied.
fn distinct(mut asks: Vec<Ask>) -> (Vec<Fetch>, Wants) {
    let total = asks.iter().map(|ask| ask.queries.len()).sum();
    // Each series: the ask and the query that first asked for it, and its window.
    let mut firsts: Vec<(usize, usize, Timestamp, Timestamp)> = Vec::with_capacity(total);
    let mut wants = Wants {
        series: Vec::with_capacity(total),
        from: Vec::with_capacity(asks.len()),
    };
    {
        let mut index: HashMap<Key, usize, foldhash::fast::RandomState> =
            HashMap::with_capacity_and_hasher(total, foldhash::fast::RandomState::default());
        for (a, ask) in asks.iter().enumerate() {
            wants.from.push(wants.series.len());
            for (i, q) in ask.queries.iter().enumerate() {
                let at = *index.entry(Key::of(q, ask.start)).or_insert_with(|| {
                    firsts.push((a, i, ask.start, ask.end));
                    firsts.len() - 1
                });
                if let Some(first) = firsts.get_mut(at) {
                    first.2 = first.2.min(ask.start);
                    first.3 = first.3.max(ask.end);
                }
                wants.series.push(at);
            }
        }
    }
    let series = firsts
        .into_iter()
        .map(|(a, i, start, end)| Fetch {
            query: asks
                .get_mut(a)
                .and_then(|ask| ask.queries.get_mut(i))
                .map(taken)
                .unwrap_or_else(placeholder),
            start,
            end,
        })
        .collect();
    (series, wants)
}

/// A query with nothing in it (allocates nothing): what is left where one was moved out.
fn placeholder() -> MetricQuery {
    MetricQuery {
        id: String::new(),
        namespace: SmolStr::default(),
        metric: SmolStr::default(),
        dimensions: Vec::new(),
        statistic: Statistic::Sum,
        period: std::time::Duration::ZERO,
    }
}

fn taken(query: &mut MetricQuery) -> MetricQuery {
    std::mem::replace(query, placeholder())
}

async fn fetch_all(port: Arc<dyn Metrics>, asks: Vec<Ask>) -> Result<Fetched> {
    let several = asks.len() > 1;
    match fetch_points(port, asks).await {
        Err(err) if several && err.kind() == ErrorKind::InvalidInput => {
            tracing::debug!(error = %err, "a round's metrics query was refused; each caller asks alone");
            Ok(Fetched::AskAlone)
        }
        other => other,
    }
}

async fn fetch_points(port: Arc<dyn Metrics>, asks: Vec<Ask>) -> Result<Fetched> {
    let (mut series, wants) = distinct(asks);
    let plan = Plan::of(&series);
    let mut points: Vec<Vec<Datapoint>> = vec![Vec::new(); series.len()];
    let calls: Vec<_> = plan
        .calls
        .iter()
        .map(|call| {
            let port = Arc::clone(&port);
            // Each series is in one call: its query moves there, with the call's id.
            let queries: Vec<MetricQuery> = call
                .members
                .iter()
                .enumerate()
                .map(|(n, &at)| {
                    let mut query = series
                        .get_mut(at)
                        .map_or_else(placeholder, |s| taken(&mut s.query));
                    query.id = format!("q{n}");
                    query
                })
                .collect();
            let (start, end) = (call.start, call.end);
            async move { port.query(&queries, start, end).await }
        })
        .collect();
    drop(series);
    let answers: Vec<Vec<MetricSeries>> = futures::stream::iter(calls)
        .buffered(CONCURRENT_CALLS)
        .try_collect()
        .await?;
    for (call, answer) in plan.calls.iter().zip(answers) {
        for (&at, got) in call.members.iter().zip(answer) {
            if let Some(slot) = points.get_mut(at) {
                *slot = got.points;
            }
        }
    }
    Ok(Fetched::Points { points, wants })
}

#[async_trait]
impl Metrics for BatchedMetrics {
    async fn query(
        &self,
        queries: &[MetricQuery],
        start: Timestamp,
        end: Timestamp,
    ) -> Result<Vec<MetricSeries>> {
        if queries.is_empty() || start >= end {
            // Nothing to share: the port answers as it would (a bad window is its error).
            return self.port.query(queries, start, end).await;
        }
        let ask = Ask {
            // Without the caller's ids: a series' call names it anew, and the caller's series
            // get their own back from `queries`.
            queries: queries
                .iter()
                .map(|q| MetricQuery {
                    id: String::new(),
                    namespace: q.namespace.clone(),
                    metric: q.metric.clone(),
                    dimensions: q.dimensions.clone(),
                    statistic: q.statistic,
                    period: q.period,
                })
                .collect(),
            start,
            end,
        };
        let port = Arc::clone(&self.port);
        let (slot, answer) = self
            .round
            .join(ask, move |asks| fetch_all(port, asks).boxed());
        let answer = answer.await;
        match answer_of(&answer, |fetched| match fetched {
            Fetched::Points { points, wants } => {
                Some(trimmed(points, wants.of(slot), queries, start, end))
            }
            Fetched::AskAlone => None,
        })? {
            Some(series) => Ok(series),
            None => self.port.query(queries, start, end).await,
        }
    }

    async fn put(
        &self,
        namespace: &str,
        metric: &str,
        dimensions: &[Dimension],
        value: f64,
        at: Timestamp,
    ) -> Result<()> {
        self.port
            .put(namespace, metric, dimensions, value, at)
            .await
    }
}

/// The caller's series: its ids, its order, only the points of its own window.
fn trimmed(
    points: &[Vec<Datapoint>],
    wants: &[usize],
    queries: &[MetricQuery],
    start: Timestamp,
    end: Timestamp,
) -> Vec<MetricSeries> {
    queries
        .iter()
        .zip(wants)
        .map(|(q, &at)| {
            let from = read_start(start, q.period.as_secs());
            let within = |p: &&Datapoint| p.at >= from && p.at < end;
            MetricSeries {
                id: q.id.clone(),
                points: points
                    .get(at)
                    .map(|points| {
                        // Sized once: a caller's window is often a small part of the read.
                        let mut own = Vec::with_capacity(points.iter().filter(within).count());
                        own.extend(points.iter().filter(within).copied());
                        own
                    })
                    .unwrap_or_default(),
            }
        })
        .collect()
}
