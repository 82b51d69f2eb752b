//! A runbook's settings checked, every failure in one format: `runbooks.<id>.<key>: <why>`.

use std::fmt;
use std::time::Duration;

use crate::bounds;
use crate::error::{Error, Result};

const MINUTE: Duration = Duration::from_secs(60);

/// The table a runbook's settings live in (`runbooks.<id>`), and the checks of its keys. Each
/// check fails with [`ErrorKind::InvalidInput`](crate::ErrorKind::InvalidInput) from
/// `catalog.config`, the message naming the key where it is written:
///
/// ```text
/// runbooks.shadow-self-down.window: must be a whole number of minutes
/// runbooks.bedrock-throttling.traffic_shift.cap: 1.5 must lie between 0 and 1
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Settings {
    table: String,
}

impl Settings {
    /// The settings of runbook `id`: the `[runbooks.<id>]` table.
    pub(crate) fn of(id: &str) -> Self {
        Settings::table(&format!("runbooks.{id}"))
    }

    /// The settings of a table of their own, such as `first_five_minutes` when checked outside a
    /// runbook.
    pub(crate) fn table(name: &str) -> Self {
        Settings {
            table: name.to_owned(),
        }
    }

    /// The settings of the table `key` within this one.
    pub(crate) fn within(&self, key: &str) -> Self {
        Settings::table(&format!("{}.{key}", self.table))
    }

    /// The error for `key`: `<table>.<key>: <why>`.
    pub(crate) fn invalid(&self, key: &str, why: impl fmt::Display) -> Error {
        Error::invalid_input("catalog.config", format!("{}.{key}: {why}", self.table))
    }

    /// Fails on `key` with `why` unless `ok`.
    pub(crate) fn check(&self, ok: bool, key: &str, why: impl fmt::Display) -> Result<()> {
        if ok {
            Ok(())
        } else {
            Err(self.invalid(key, why))
        }
    }

    /// `key` is not blank.
    pub(crate) fn not_empty(&self, key: &str, value: &str) -> Result<()> {
        self.check(!value.trim().is_empty(), key, "is empty")
    }

    /// `key` is a whole number of minutes, from one to [`bounds::MAX_WINDOW`].
    pub(crate) fn whole_minutes(&self, key: &str, value: Duration) -> Result<()> {
        let secs = value.as_secs();
        self.check(
            secs != 0 && secs.is_multiple_of(60) && value.subsec_nanos() == 0,
            key,
            "must be a whole number of minutes",
        )?;
        self.lasting(key, value, MINUTE, bounds::MAX_WINDOW)
    }

    /// `key` lasts a minute or more, and at most `max`.
    pub(crate) fn minute_to(&self, key: &str, value: Duration, max: Duration) -> Result<()> {
        self.check(value >= MINUTE, key, "must be at least a minute")?;
        self.lasting(key, value, MINUTE, max)
    }

    /// `key` lasts more than zero, and at most `max`.
    pub(crate) fn up_to(&self, key: &str, value: Duration, max: Duration) -> Result<()> {
        self.check(!value.is_zero(), key, "must be above 0s")?;
        self.lasting(key, value, Duration::ZERO, max)
    }

    /// `key` is a share, `0.0 ..= 1.0`.
    pub(crate) fn share(&self, key: &str, value: f64) -> Result<()> {
        self.check(
            (0.0..=1.0).contains(&value),
            key,
            format_args!("{value} must lie between 0 and 1"),
        )
    }

    /// `key` is a percentage, `0.0 ..= 100.0`.
    pub(crate) fn percent(&self, key: &str, value: f64) -> Result<()> {
        self.check(
            (0.0..=100.0).contains(&value),
            key,
            format_args!("{value} is not a percentage"),
        )
    }

    /// `key` is a finite number from `min` to `max`; with `above`, `min` itself is out.
    pub(crate) fn number(
        &self,
        key: &str,
        value: f64,
        (min, above): (f64, bool),
        max: f64,
    ) -> Result<()> {
        bounds::real(value, min, above, max).map_err(|why| self.invalid(key, why))
    }

    /// `key` is a factor that raises something: above 1, at most [`bounds::MAX_FACTOR`].
    pub(crate) fn factor(&self, key: &str, value: f64) -> Result<()> {
        self.number(key, value, (1.0, true), bounds::MAX_FACTOR)
    }

    /// `key` is a count from `min` to `max`.
    pub(crate) fn count(&self, key: &str, value: u64, min: u64, max: u64) -> Result<()> {
        bounds::count(value, min, max).map_err(|why| self.invalid(key, why))
    }

    /// `key` lasts from `min` to `max`.
    pub(crate) fn lasting(
        &self,
        key: &str,
        value: Duration,
        min: Duration,
        max: Duration,
    ) -> Result<()> {
        bounds::duration(value, min, max).map_err(|why| self.invalid(key, why))
    }

    /// `key` is a finite amount, zero or more, at most `max` (a price, a cost).
    pub(crate) fn not_negative(&self, key: &str, value: f64, max: f64) -> Result<()> {
        self.check(
            value.is_finite() && value >= 0.0,
            key,
            format_args!("{value} must not be negative"),
        )?;
        self.number(key, value, (0.0, false), max)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ErrorKind;

    #[test]
    fn a_failure_names_the_key_where_it_is_written() {
        let s = Settings::of("shadow-self-down");
        let err = s
            .whole_minutes("window", Duration::from_secs(90))
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidInput);
        assert_eq!(
            err.message(),
            "runbooks.shadow-self-down.window: must be a whole number of minutes"
        );
        let err = s.within("traffic_shift").share("cap", 1.5).unwrap_err();
        assert_eq!(
            err.message(),
            "runbooks.shadow-self-down.traffic_shift.cap: 1.5 must lie between 0 and 1"
        );
        assert!(s.whole_minutes("window", Duration::from_secs(120)).is_ok());
        assert!(s.whole_minutes("window", Duration::ZERO).is_err());
        assert!(s.not_empty("endpoint", " ").is_err());
        assert!(s.percent("rate", 100.0).is_ok());
        assert!(s.not_negative("price", f64::NAN, 1.0).is_err());
        assert!(s.not_negative("price", 2.0, 1.0).is_err());
        let err = s.factor("scale_factor", 1e300).unwrap_err();
        assert_eq!(
            err.message(),
            "runbooks.shadow-self-down.scale_factor: 1e300 must be above 1 and at most 10"
        );
        let err = s
            .whole_minutes("window", Duration::from_secs(25 * 3600))
            .unwrap_err();
        assert_eq!(
            err.message(),
            "runbooks.shadow-self-down.window: 25h must lie between 1m and 24h"
        );
        assert!(s.up_to("grace", Duration::ZERO, bounds::MAX_WAIT).is_err());
        assert!(
            s.minute_to("grace", Duration::from_secs(59), bounds::MAX_WAIT)
                .is_err()
        );
    }
}
