//! The runbook's settings: the table, the detectors' thresholds and on-demand billing's prices.

use std::time::Duration;

use serde::{Deserialize, Serialize};

use super::ID;
use crate::bounds;
use crate::catalog::first_five_minutes;
use crate::catalog::kit::Settings;
use crate::error::Result;

/// Settings; every default is the runbook's value or Cato's resource name.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
#[non_exhaustive]
pub struct Config {
    /// The table. Default `cato-semantic-memory`.
    pub table: String,
    /// The orchestrator's log group. Default `/cato/orchestrator`.
    pub log_group: String,
    /// The filter pattern of the exception's lines. Default
    /// `ProvisionedThroughputExceededException`.
    pub log_pattern: String,
    /// The field of a line that names the memory domain (`domain=<name>`). Default `domain`.
    pub domain_field: String,
    /// How far back the detectors look. Default 5 min.
    #[serde(with = "humantime_serde")]
    pub window: Duration,
    /// Throttled requests in the window from which it is a symptom. Default 10.
    pub min_throttle_events: u64,
    /// Exception lines in the window from which the log detector reports. Default 3.
    pub min_log_lines: usize,
    /// Consumption at this share of the provisioned capacity counts as exhausting it.
    /// Default 0.9.
    pub near_capacity: f64,
    /// Step 1: on-demand billing.
    pub on_demand: OnDemand,
    /// The first-five-minutes checks; cloud health events of
    /// [`CLOUD_SERVICES`](super::CLOUD_SERVICES) unless it names its own.
    pub first_five_minutes: first_five_minutes::Config,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            table: "cato-semantic-memory".into(),
            log_group: "/cato/orchestrator".into(),
            log_pattern: "ProvisionedThroughputExceededException".into(),
            domain_field: "domain".into(),
            window: Duration::from_secs(5 * 60),
            min_throttle_events: 10,
            min_log_lines: 3,
            near_capacity: 0.9,
            on_demand: OnDemand::default(),
            first_five_minutes: first_five_minutes::Config::default(),
        }
    }
}

/// Step 1, `update-table --billing-mode PAY_PER_REQUEST`, and the prices its cost estimate
/// reads (US East, US dollars).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
#[non_exhaustive]
pub struct OnDemand {
    /// How long after the switch it is verified. Default 10 min.
    #[serde(with = "humantime_serde")]
    pub verify_after: Duration,
    /// On demand, per million read request units. Default 0.125.
    pub usd_per_million_reads: f64,
    /// On demand, per million write request units. Default 0.625.
    pub usd_per_million_writes: f64,
    /// Provisioned, per read capacity unit-hour. Default 0.00013.
    pub usd_per_rcu_hour: f64,
    /// Provisioned, per write capacity unit-hour. Default 0.00065.
    pub usd_per_wcu_hour: f64,
}

impl Default for OnDemand {
    fn default() -> Self {
        OnDemand {
            verify_after: Duration::from_secs(10 * 60),
            usd_per_million_reads: 0.125,
            usd_per_million_writes: 0.625,
            usd_per_rcu_hour: 0.000_13,
            usd_per_wcu_hour: 0.000_65,
        }
    }
}

impl Config {
    /// Checks shares, counts, prices and durations, each in its range: `near_capacity` 0 to 1,
    /// the counts 1 to 1 000 000, the prices $0 to $1000, the window a minute to 24 h,
    /// `on_demand.verify_after` above 0s and at most 6 h.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidInput`](crate::ErrorKind::InvalidInput) naming the setting.
    pub fn validate(&self) -> Result<()> {
        let s = Settings::of(ID);
        s.share("near_capacity", self.near_capacity)?;
        for (key, count) in [
            ("min_throttle_events", self.min_throttle_events),
            (
                "min_log_lines",
                u64::try_from(self.min_log_lines).unwrap_or(u64::MAX),
            ),
        ] {
            s.count(key, count, 1, bounds::MAX_MIN_COUNT)?;
        }
        let o = &self.on_demand;
        for (key, price) in [
            ("on_demand.usd_per_million_reads", o.usd_per_million_reads),
            ("on_demand.usd_per_million_writes", o.usd_per_million_writes),
            ("on_demand.usd_per_rcu_hour", o.usd_per_rcu_hour),
            ("on_demand.usd_per_wcu_hour", o.usd_per_wcu_hour),
        ] {
            s.not_negative(key, price, MAX_PRICE_USD)?;
        }
        s.minute_to("window", self.window, bounds::MAX_WINDOW)?;
        s.up_to(
            "on_demand.verify_after",
            self.on_demand.verify_after,
            bounds::MAX_WAIT,
        )?;
        self.first_five_minutes
            .validate_in(&s.within("first_five_minutes"))
    }
}

/// The most US dollars a unit of on-demand billing's prices may name (a million requests, a
/// capacity unit-hour): AWS's are cents.
const MAX_PRICE_USD: f64 = 1000.0;
