//! Which distinct series go out together: calls of at most 500 series whose answer fits one
//! page, over the union of their windows, from one start that every member's periods begin at.

use crate::ports::MetricQuery;
use crate::time::{self, Timestamp};

use super::metrics::read_start;

/// The most series one `GetMetricData` call takes: a round asks for at most this many series
/// in one [`Metrics::query`](crate::ports::Metrics::query).
pub const MAX_SERIES_PER_CALL: usize = 500;
/// The most points one `GetMetricData` page answers.
pub(crate) const MAX_POINTS_PER_PAGE: f64 = 100_800.0;
/// The furthest a call's start moves back before its members' own starts so that periods of
/// several lengths begin at it (three-minute and five-minute periods: at most 15 minutes).
const MAX_LEAD_SECS: i64 = 3_600;

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
    /// The earliest start a member asked for (the call's own start may lie before it).
    asked: Timestamp,
    /// Every period whole minutes: CloudWatch reads from the start rounded down to the minute.
    minutes: bool,
    /// For minute periods, the starts every member's periods begin at: the seconds since the
    /// epoch `t` with `t ≡ phase (mod modulus)`.
    phase: i64,
    modulus: i64,
    /// Σ 1 / period (per second) over the members, for the points it answers.
    rate: f64,
}

/// Where a fetch's periods begin, as `(phase, period)` in seconds, when its periods are minutes.
fn alignment(fetch: &Fetch) -> (i64, i64) {
    let period = fetch.query.period.as_secs().max(1) as i64;
    let read = read_start(fetch.start, fetch.query.period.as_secs()).timestamp();
    (read.rem_euclid(period), period)
}

impl Call {
    fn open(at: usize, fetch: &Fetch) -> Self {
        let (phase, modulus) = alignment(fetch);
        Call {
            members: vec![at],
            start: fetch.start,
            end: fetch.end,
            asked: fetch.start,
            minutes: is_minutes(&fetch.query),
            phase,
            modulus,
            rate: rate(&fetch.query),
        }
    }

    /// The call's start, phase and modulus with `fetch` in it, if it can join: room, a start
    /// at most an hour before theirs at which every member's periods begin as they would
    /// alone, and an answer that still fits one page.
    fn with(&self, fetch: &Fetch) -> Option<(Timestamp, i64, i64)> {
        if self.members.len() >= MAX_SERIES_PER_CALL || is_minutes(&fetch.query) != self.minutes {
            return None;
        }
        let (start, phase, modulus) = if self.minutes {
            let (phase, modulus) = combine((self.phase, self.modulus), alignment(fetch))?;
            let earliest = read_start(self.start.min(fetch.start), 60).timestamp();
            let start = earliest - (earliest - phase).rem_euclid(modulus);
            let own = read_start(self.members_start(fetch), 60).timestamp();
            if own - start > MAX_LEAD_SECS {
                return None;
            }
            (at_seconds(start)?, phase, modulus)
        } else if fetch.start == self.start {
            (self.start, self.phase, self.modulus)
        } else {
            return None;
        };
        let end = self.end.max(fetch.end);
        let span = time::elapsed(read_start(start, 60), end).as_secs_f64();
        let points = span * (self.rate + rate(&fetch.query)) + (self.members.len() + 1) as f64;
        (points <= MAX_POINTS_PER_PAGE).then_some((start, phase, modulus))
    }

    /// The earliest start the members (and `fetch`) asked for themselves; the call's own start
    /// may lie before it.
    fn members_start(&self, fetch: &Fetch) -> Timestamp {
        self.asked.min(fetch.start)
    }

    fn add(&mut self, at: usize, fetch: &Fetch, (start, phase, modulus): (Timestamp, i64, i64)) {
        self.members.push(at);
        self.asked = self.asked.min(fetch.start);
        self.start = start;
        self.phase = phase;
        self.modulus = modulus;
        self.end = self.end.max(fetch.end);
        self.rate += rate(&fetch.query);
    }
}

fn at_seconds(secs: i64) -> Option<Timestamp> {
    chrono::DateTime::from_timestamp(secs, 0)
}

fn gcd(a: i64, b: i64) -> i64 {
    if b == 0 {
        a.abs()
    } else {
        gcd(b, a.rem_euclid(b))
    }
}

/// The starts `t ≡ a.0 (mod a.1)` that are also `t ≡ b.0 (mod b.1)` (the Chinese remainder
/// theorem), as one phase modulo the least common multiple; `None` when no start is both or
/// the multiple exceeds an hour of seconds.
fn combine((phase, modulus): (i64, i64), (r, p): (i64, i64)) -> Option<(i64, i64)> {
    let g = gcd(modulus, p);
    if g == 0 || (r - phase).rem_euclid(g) != 0 {
        return None;
    }
    let lcm = (modulus / g).checked_mul(p)?;
    if lcm > MAX_LEAD_SECS.max(modulus).max(p) {
        return None;
    }
    // At most p / g candidates: the starts of `phase`'s progression within one multiple.
    (0..p / g)
        .map(|k| phase + modulus * k)
        .find(|t| (t - r).rem_euclid(p) == 0)
        .map(|t| (t.rem_euclid(lcm), lcm))
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
            let joined = calls
                .iter_mut()
                .find_map(|call| call.with(fetch).map(|window| (call, window)));
            match joined {
                Some((call, window)) => call.add(at, fetch, window),
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
                metric: format!("M{n}").into(),
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
    fn periods_of_several_lengths_share_a_start() {
        // Five minutes from 1:05 and three minutes from 1:07: from 0:55 both begin where
        // they would alone (0:55 + 2 × 5 min, 0:55 + 4 × 3 min).
        let fetches = [fetch(0, 300, 3_900, 4_200), fetch(1, 180, 4_020, 4_200)];
        let plan = Plan::of(&fetches);
        assert_eq!(plan.calls.len(), 1);
        let start = plan.calls[0].start.timestamp();
        assert_eq!(start, 3_300);
        assert_eq!((3_900 - start) % 300, 0);
        assert_eq!((4_020 - start) % 180, 0);
        // Not when the common start would lie more than an hour before: a 7-minute and a
        // 11-minute period meet only every 77 minutes.
        let fetches = [fetch(0, 420, 4_200, 4_800), fetch(1, 660, 4_260, 4_800)];
        assert_eq!(Plan::of(&fetches).calls.len(), 2);
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
