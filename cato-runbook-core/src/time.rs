//! Timestamps and durations as the rest of the crate uses them.
//!
//! Every instant is a UTC [`Timestamp`] read from the [`Clock`](crate::ports::Clock) port; every
//! span is a [`std::time::Duration`], so that it plugs straight into tokio's timers.

use std::fmt;
use std::time::Duration;

use chrono::{DateTime, TimeDelta, Utc};

/// A UTC instant.
pub type Timestamp = DateTime<Utc>;

/// `later - earlier` as a [`Duration`], or zero when `later` is not after `earlier`.
pub fn elapsed(earlier: Timestamp, later: Timestamp) -> Duration {
    (later - earlier).to_std().unwrap_or(Duration::ZERO)
}

/// `at + span`, saturating at the largest representable instant.
pub fn add(at: Timestamp, span: Duration) -> Timestamp {
    TimeDelta::from_std(span)
        .ok()
        .and_then(|delta| at.checked_add_signed(delta))
        .unwrap_or(DateTime::<Utc>::MAX_UTC)
}

/// `at - span`, saturating at the smallest representable instant.
pub fn sub(at: Timestamp, span: Duration) -> Timestamp {
    TimeDelta::from_std(span)
        .ok()
        .and_then(|delta| at.checked_sub_signed(delta))
        .unwrap_or(DateTime::<Utc>::MIN_UTC)
}

/// Shows a duration the way people write it: `5m`, `1h`, `24h`, `2m30s`, `850ms`.
///
/// ```
/// use std::time::Duration;
/// use cato_runbook_core::time::HumanDuration;
///
/// assert_eq!(HumanDuration(Duration::from_secs(300)).to_string(), "5m");
/// assert_eq!(HumanDuration(Duration::from_secs(24 * 3600)).to_string(), "24h");
/// assert_eq!(HumanDuration(Duration::from_secs(150)).to_string(), "2m30s");
/// assert_eq!(HumanDuration(Duration::from_millis(850)).to_string(), "850ms");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HumanDuration(pub Duration);

impl fmt::Display for HumanDuration {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let total = self.0;
        if total.is_zero() {
            return f.write_str("0s");
        }
        if total < Duration::from_secs(1) {
            return write!(f, "{}ms", total.as_millis());
        }
        let secs = total.as_secs();
        let (h, m, s) = (secs / 3600, (secs % 3600) / 60, secs % 60);
        let mut wrote = false;
        for (value, unit) in [(h, "h"), (m, "m"), (s, "s")] {
            if value > 0 {
                write!(f, "{value}{unit}")?;
                wrote = true;
            }
        }
        if !wrote {
            f.write_str("0s")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn elapsed_saturates_at_zero() {
        let a = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
        let b = add(a, Duration::from_secs(90));
        assert_eq!(elapsed(a, b), Duration::from_secs(90));
        assert_eq!(elapsed(b, a), Duration::ZERO);
        assert_eq!(sub(b, Duration::from_secs(90)), a);
    }

    #[test]
    fn add_saturates_instead_of_panicking() {
        let a = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
        assert_eq!(add(a, Duration::MAX), DateTime::<Utc>::MAX_UTC);
    }

    #[test]
    fn human_duration_formats() {
        assert_eq!(HumanDuration(Duration::from_secs(3600)).to_string(), "1h");
        assert_eq!(
            HumanDuration(Duration::from_secs(3661)).to_string(),
            "1h1m1s"
        );
        assert_eq!(HumanDuration(Duration::ZERO).to_string(), "0s");
    }
}
