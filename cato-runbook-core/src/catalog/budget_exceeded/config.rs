//! The runbook's settings: the share emergency mode affects, the new limit, the delays.

use std::fmt;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use super::ID;
use crate::catalog::first_five_minutes;
use crate::catalog::kit::Settings;
use crate::error::Result;

/// The monthly limit to ask for.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
#[non_exhaustive]
pub enum NewLimit {
    /// The current limit times this factor (above 1).
    Factor(f64),
    /// This many US dollars a month.
    Usd(f64),
}

impl NewLimit {
    /// The new limit for a `current` one.
    pub fn from_current(self, current: f64) -> f64 {
        match self {
            NewLimit::Factor(factor) => (current * factor * 100.0).round() / 100.0,
            NewLimit::Usd(usd) => usd,
        }
    }
}

impl fmt::Display for NewLimit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            NewLimit::Factor(factor) => write!(f, "{factor} × the current limit"),
            NewLimit::Usd(usd) => write!(f, "${usd:.0}"),
        }
    }
}

/// Settings of the budget exceeded runbook.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
#[non_exhaustive]
pub struct Config {
    /// The share of users emergency mode affects (limited responses for everyone). 1.0: SEV2.
    pub affected_share: f64,
    /// The monthly limit to ask for. 1.5 × the current limit.
    pub new_limit: NewLimit,
    /// When to check the mode after raising the limit. 2 min.
    #[serde(with = "humantime_serde")]
    pub raise_verify_after: Duration,
    /// How long after the monthly reset to check that it came. 5 min.
    #[serde(with = "humantime_serde")]
    pub reset_grace: Duration,
    /// The runbook's "First 5 Minutes": recent deployments, cloud health events, dashboard.
    pub first_five_minutes: first_five_minutes::Config,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            affected_share: 1.0,
            new_limit: NewLimit::Factor(1.5),
            raise_verify_after: Duration::from_secs(2 * 60),
            reset_grace: Duration::from_secs(5 * 60),
            first_five_minutes: first_five_minutes::Config::default(),
        }
    }
}

impl Config {
    /// Checks the values.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidInput`](crate::ErrorKind::InvalidInput) naming the key.
    pub fn validate(&self) -> Result<()> {
        let s = Settings::of(ID);
        s.check(
            (0.0..=1.0).contains(&self.affected_share),
            "affected_share",
            "must be between 0 and 1",
        )?;
        match self.new_limit {
            NewLimit::Factor(f) => {
                s.check(
                    f > 1.0 && f.is_finite(),
                    "new_limit.factor",
                    "must be above 1",
                )?;
            }
            NewLimit::Usd(usd) => {
                s.check(
                    usd > 0.0 && usd.is_finite(),
                    "new_limit.usd",
                    "must be above 0",
                )?;
            }
        }
        self.first_five_minutes
            .validate_in(&s.within("first_five_minutes"))
    }
}
