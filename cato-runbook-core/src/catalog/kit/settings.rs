//! A runbook's settings checked, every failure in one format: `runbooks.<id>.<key>: <why>`.

use std::fmt;
use std::time::Duration;

use crate::error::{Error, Result};

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

    /// `key` is a whole number of minutes, at least one.
    pub(crate) fn whole_minutes(&self, key: &str, value: Duration) -> Result<()> {
        let secs = value.as_secs();
        self.check(
            secs != 0 && secs.is_multiple_of(60) && value.subsec_nanos() == 0,
            key,
            "must be a whole number of minutes",
        )
    }

    /// `key` lasts a minute or more.
    pub(crate) fn at_least_a_minute(&self, key: &str, value: Duration) -> Result<()> {
        self.check(value.as_secs() >= 60, key, "must be at least a minute")
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

    /// `key` is a finite amount, zero or more (a price, a cost).
    pub(crate) fn not_negative(&self, key: &str, value: f64) -> Result<()> {
        self.check(
            value.is_finite() && value >= 0.0,
            key,
            format_args!("{value} must not be negative"),
        )
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
        assert!(s.not_negative("price", f64::NAN).is_err());
    }
}
