//! The ranges configuration values are held to: each check says why a value lies outside its
//! range, for the caller to name the key. NaN and the infinities lie outside every range.

use std::fmt;
use std::time::Duration;

use crate::time::HumanDuration;

/// The most a factor that raises a limit or a capacity multiplies it by.
pub(crate) const MAX_FACTOR: f64 = 10.0;

/// The most instances, replicas or other units of capacity a count of them may name.
pub(crate) const MAX_UNITS: u64 = 1000;

/// The most a minimum count of events, lookups or calls may ask for.
pub(crate) const MAX_MIN_COUNT: u64 = 1_000_000;

/// The most US dollars a month a limit, a cap or a cost may name.
pub(crate) const MAX_MONTHLY_USD: f64 = 10_000_000.0;

/// The most US dollars an hour a unit's price may name.
pub(crate) const MAX_HOURLY_USD: f64 = 1000.0;

/// The longest wait before verifying a step.
pub(crate) const MAX_WAIT: Duration = Duration::from_secs(6 * 3600);

/// The longest window a detector reads at once.
pub(crate) const MAX_WINDOW: Duration = Duration::from_secs(24 * 3600);

/// The longest look back into recent history (deployments, health events, logs).
pub(crate) const MAX_LOOK_BACK: Duration = Duration::from_secs(7 * 24 * 3600);

/// The longest latency a threshold may name.
pub(crate) const MAX_LATENCY: Duration = Duration::from_secs(10 * 60);

/// `value` lies in `min ..= max`; with `above`, `min` itself is out.
pub(crate) fn real(value: f64, min: f64, above: bool, max: f64) -> Result<(), String> {
    let low = if above { value > min } else { value >= min };
    if value.is_finite() && low && value <= max {
        return Ok(());
    }
    let value = Shown(value);
    Err(if above {
        format!("{value} must be above {min} and at most {max}")
    } else {
        format!("{value} must lie between {min} and {max}")
    })
}

/// A number as a person writes it: `1e300`, not three hundred digits.
struct Shown(f64);

impl fmt::Display for Shown {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let magnitude = self.0.abs();
        if self.0.is_finite() && (magnitude >= 1e16 || (magnitude > 0.0 && magnitude < 1e-6)) {
            write!(f, "{:e}", self.0)
        } else {
            write!(f, "{}", self.0)
        }
    }
}

/// `value` lies in `min ..= max`.
pub(crate) fn count(value: u64, min: u64, max: u64) -> Result<(), String> {
    if (min..=max).contains(&value) {
        Ok(())
    } else {
        Err(format!("{value} must lie between {min} and {max}"))
    }
}

/// `value` lies in `min ..= max`.
pub(crate) fn duration(value: Duration, min: Duration, max: Duration) -> Result<(), String> {
    if (min..=max).contains(&value) {
        Ok(())
    } else {
        Err(format!(
            "{} must lie between {} and {}",
            HumanDuration(value),
            HumanDuration(min),
            HumanDuration(max)
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nan_infinities_and_the_ends_of_a_range() {
        for bad in [
            f64::NAN,
            f64::INFINITY,
            f64::NEG_INFINITY,
            1.0,
            0.0,
            -2.0,
            10.5,
            1e300,
        ] {
            assert!(real(bad, 1.0, true, MAX_FACTOR).is_err(), "{bad}");
        }
        assert!(real(10.0, 1.0, true, MAX_FACTOR).is_ok());
        assert!(real(0.0, 0.0, false, 1.0).is_ok());
        assert_eq!(
            real(f64::NAN, 1.0, true, 10.0).unwrap_err(),
            "NaN must be above 1 and at most 10"
        );
        assert_eq!(
            real(-1e300, 0.0, false, 1.0).unwrap_err(),
            "-1e300 must lie between 0 and 1"
        );
        assert_eq!(count(0, 1, 5).unwrap_err(), "0 must lie between 1 and 5");
        assert!(count(5, 1, 5).is_ok());
        let minute = Duration::from_secs(60);
        assert_eq!(
            duration(Duration::ZERO, minute, MAX_WAIT).unwrap_err(),
            "0s must lie between 1m and 6h"
        );
        assert!(duration(MAX_WAIT, minute, MAX_WAIT).is_ok());
        assert!(duration(Duration::MAX, minute, MAX_WAIT).is_err());
    }
}
