//! Windows of time: the complete minutes before now, and the minutes since a change.

use std::time::Duration;

use chrono::{DurationRound, TimeDelta, Timelike};

use crate::time::{self, Timestamp};

const MINUTE: Duration = Duration::from_secs(60);

/// The complete minutes of the `span` before `now`: `[start, end)`, where `end` is the start of
/// the current minute, so that sums and rates over it read only complete data.
pub(crate) fn last_minutes(now: Timestamp, span: Duration) -> (Timestamp, Timestamp) {
    let end = now.duration_trunc(TimeDelta::minutes(1)).unwrap_or(now);
    (time::sub(end, span), end)
}

/// As [`last_minutes`], with `window` rounded up to whole minutes (at least one).
pub(crate) fn whole_minutes(now: Timestamp, window: Duration) -> (Timestamp, Timestamp) {
    let minutes = window.as_secs().div_ceil(60).max(1);
    last_minutes(now, Duration::from_secs(minutes * 60))
}

/// The start of the window that judges a change planned at `planned_at`: the first whole
/// minute after it, but at most `window` before `now`; `window` before `now` while that minute
/// has not begun.
pub(crate) fn since_change(planned_at: Timestamp, now: Timestamp, window: Duration) -> Timestamp {
    let earliest = time::sub(now, window);
    let after = time::add(planned_at, MINUTE);
    if after < now {
        after.max(earliest)
    } else {
        earliest
    }
}

/// `now` to the whole second, as a step keeps the time it was planned.
pub(crate) fn whole_second(now: Timestamp) -> Timestamp {
    now.with_nanosecond(0).unwrap_or(now)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(secs: i64) -> Timestamp {
        chrono::DateTime::from_timestamp(secs, 0).unwrap()
    }

    #[test]
    fn whole_minutes_end_at_the_last_full_minute() {
        let now = at(10 * 60 + 30);
        let (start, end) = whole_minutes(now, Duration::from_secs(300));
        assert_eq!(end.timestamp(), 600);
        assert_eq!(start.timestamp(), 300);
        let (start, _) = whole_minutes(now, Duration::from_secs(90));
        assert_eq!(start.timestamp(), 480);
        assert_eq!(
            last_minutes(now, Duration::from_secs(180)),
            (at(420), at(600))
        );
    }

    #[test]
    fn the_window_since_a_change_starts_a_minute_after_it() {
        let window = Duration::from_secs(300);
        assert_eq!(since_change(at(0), at(600), window), at(300));
        assert_eq!(since_change(at(400), at(600), window), at(460));
        assert_eq!(since_change(at(580), at(600), window), at(300));
    }
}
