//! The runbook's settings: the share emergency mode affects, the new limit, the delays.

use std::fmt;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use super::ID;
use crate::bounds;
use crate::catalog::first_five_minutes;
use crate::catalog::kit::Settings;
use crate::error::Result;

/// The monthly limit to ask for.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
#[non_exhaustive]
pub enum NewLimit {
    /// The current limit times this factor: above 1, at most 10.
    Factor(f64),
    /// This many US dollars a month: above 0, at most 10 000 000.
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
    /// The share of users emergency mode affects (limited responses for everyone), 0 to 1.
    /// 1.0: SEV2.
    pub affected_share: f64,
    /// The monthly limit to ask for. 1.5 × the current limit.
    pub new_limit: NewLimit,
    /// When to check the mode after raising the limit: above 0s, at most 6 h. 2 min.
    #[serde(with = "humantime_serde")]
    pub raise_verify_after: Duration,
    /// How long after the monthly reset to check that it came: above 0s, at most 24 h. 5 min.
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
        s.share("affected_share", self.affected_share)?;
        match self.new_limit {
            NewLimit::Factor(f) => s.factor("new_limit.factor", f)?,
            NewLimit::Usd(usd) => {
                s.number("new_limit.usd", usd, (0.0, true), bounds::MAX_MONTHLY_USD)?;
            }
        }
        s.up_to(
            "raise_verify_after",
            self.raise_verify_after,
            bounds::MAX_WAIT,
        )?;
        s.up_to("reset_grace", self.reset_grace, bounds::MAX_WINDOW)?;
        self.first_five_minutes
            .validate_in(&s.within("first_five_minutes"))
    }
}
