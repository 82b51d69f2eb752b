//! Which distinct series go out together: calls of at most 500 series whose answer fits one
//! page, over the union of their windows.

use crate::ports::MetricQuery;
use crate::time::{self, Timestamp};

use super::metrics::read_start;

/// The most series one `GetMetricData` call takes: a round asks for at most this many series
/// in one [`Metrics::query`](crate::ports::Metrics::query).
pub const MAX_SERIES_PER_CALL: usize = 500;
/// The most points one `GetMetricData` page answers.
pub(crate) const MAX_POINTS_PER_PAGE: f64 = 100_800.0;

/// One distinct series to fetch, over the union of its askers' windows.
pub(super) struct Fetch {
    pub(super) query: MetricQuery,
    pub(super) start: Timestamp,
    pub(super) end: Timestamp,
}

/// One call: its series (indices into the fetches) and its window.
pub(super) struct Call {
    pub(super) members: Vec<usize>,
    pub(super) start: Timestamp,
    pub(super) end: Timestamp,
    /// Every period whole minutes: CloudWatch reads from the start rounded down to the minute.
    minutes: bool,
    /// Σ 1 / period (per second) over the members, for the points it answers.
    rate: f64,
}

impl Call {
    fn open(at: usize, fetch: &Fetch) -> Self {
        Call {
            members: vec![at],
            start: fetch.start,
            end: fetch.end,
            minutes: is_minutes(&fetch.query),
            rate: rate(&fetch.query),
        }
    }

    /// Whether `fetch` can join: room, its periods start where they would alone, and the
    /// answer still fits one page.
    fn takes(&self, fetch: &Fetch) -> bool {
        if self.members.len() >= MAX_SERIES_PER_CALL
            || is_minutes(&fetch.query) != self.minutes
            || fetch.start < self.start
        {
            return false;
        }
        let period = fetch.query.period.as_secs().max(1);
        let aligned = if self.minutes {
            let offset = read_start(fetch.start, period).timestamp()
                - read_start(self.start, period).timestamp();
            offset.rem_euclid(period as i64) == 0
        } else {
            fetch.start == self.start
        };
        let end = self.end.max(fetch.end);
        let span = time::elapsed(read_start(self.start, 60), end).as_secs_f64();
        let points = span * (self.rate + rate(&fetch.query)) + (self.members.len() + 1) as f64;
        aligned && points <= MAX_POINTS_PER_PAGE
    }

    fn add(&mut self, at: usize, fetch: &Fetch) {
        self.members.push(at);
        self.end = self.end.max(fetch.end);
        self.rate += rate(&fetch.query);
    }
}

fn is_minutes(q: &MetricQuery) -> bool {
    q.period.as_secs() > 0 && q.period.as_secs().is_multiple_of(60) && q.period.subsec_nanos() == 0
}

fn rate(q: &MetricQuery) -> f64 {
    1.0 / q.period.as_secs_f64().max(1.0)
}

/// The calls that fetch every series.
pub(super) struct Plan {
    pub(super) calls: Vec<Call>,
}

impl Plan {
    /// Series oldest window first, each into the first call that takes it: one call per 500
    /// series when their windows share a page.
    pub(super) fn of(fetches: &[Fetch]) -> Self {
        let mut order: Vec<usize> = (0..fetches.len()).collect();
        order.sort_by_key(|&at| (fetches[at].start, fetches[at].end, at));
        let mut calls: Vec<Call> = Vec::new();
        for at in order {
            let fetch = &fetches[at];
            match calls.iter_mut().find(|call| call.takes(fetch)) {
                Some(call) => call.add(at, fetch),
                None => calls.push(Call::open(at, fetch)),
            }
        }
        Plan { calls }
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;
    use crate::ports::Statistic;

    fn at(secs: i64) -> Timestamp {
        chrono::DateTime::from_timestamp(secs, 0).unwrap()
    }

    fn fetch(n: usize, period: u64, start: i64, end: i64) -> Fetch {
        Fetch {
            query: MetricQuery {
                id: format!("q{n}"),
                namespace: "AWS/SageMaker".into(),
                metric: format!("M{n}"),
                dimensions: Vec::new(),
                statistic: Statistic::Sum,
                period: Duration::from_secs(period),
            },
            start: at(start),
            end: at(end),
        }
    }

    #[test]
    fn five_hundred_series_a_call() {
        let fetches: Vec<Fetch> = (0..1_200)
            .map(|n| fetch(n, 60, 3_600 - 60 * (n as i64 % 30), 3_600 + 600))
            .collect();
        let plan = Plan::of(&fetches);
        let sizes: Vec<usize> = plan.calls.iter().map(|c| c.members.len()).collect();
        assert_eq!(sizes, [500, 500, 200]);
    }

    #[test]
    fn misaligned_periods_and_big_answers_go_apart() {
        // A five-minute series starting two minutes later than the call would read other
        // periods: it goes in a call of its own.
        let fetches = [fetch(0, 300, 0, 3_600), fetch(1, 300, 120, 3_600)];
        assert_eq!(Plan::of(&fetches).calls.len(), 2);
        let fetches = [fetch(0, 300, 0, 3_600), fetch(1, 300, 600, 3_600)];
        assert_eq!(Plan::of(&fetches).calls.len(), 1);
        // Two weeks of minutes (20,160 points a series) for 100 series is 20 pages or more.
        let week2 = 14 * 24 * 3_600;
        let fetches: Vec<Fetch> = (0..100).map(|n| fetch(n, 60, 0, week2)).collect();
        let plan = Plan::of(&fetches);
        assert!(plan.calls.len() >= 20);
        assert!(plan.calls.iter().all(|c| c.members.len() <= 5));
    }
}
