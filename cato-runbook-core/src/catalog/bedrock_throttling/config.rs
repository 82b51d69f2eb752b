//! The runbook's settings: the model, the detectors' thresholds and each rung of the ladder.

use std::time::Duration;

use serde::{Deserialize, Serialize};

use super::ID;
use crate::bounds;
use crate::catalog::first_five_minutes::{self, BEDROCK_MODEL};
use crate::catalog::kit::Settings;
use crate::error::Result;

/// Settings; every default is the runbook's value or Cato's resource name.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
#[non_exhaustive]
pub struct Config {
    /// The Bedrock model Cato calls (`ModelId` of the `AWS/Bedrock` metrics); the incident's
    /// resource.
    pub model_id: String,
    /// The orchestrator's log group. Default `/cato/orchestrator`.
    pub log_group: String,
    /// The filter pattern of a throttling line. Default `ThrottlingException`.
    pub log_pattern: String,
    /// How far back the detectors look. Default 5 min.
    #[serde(with = "humantime_serde")]
    pub window: Duration,
    /// The throttled share of Bedrock calls from which it is a symptom. Default 0.05.
    pub throttle_rate: f64,
    /// …with at least this many throttled calls in the window. Default 10.
    pub min_throttles: u64,
    /// Throttling lines in the window from which the log detector reports. Default 3.
    pub min_log_lines: usize,
    /// A step passes verification when the throttled share since the change is below
    /// `throttle_rate`, or fell by at least this fraction of what it was. Default 0.5.
    pub min_improvement: f64,
    /// Step 1: the quota increase.
    pub quota: QuotaIncrease,
    /// Step 2: the cache similarity threshold.
    pub cache_threshold: CacheThreshold,
    /// Step 3: the traffic shift to Shadow Self.
    pub traffic_shift: TrafficShift,
    /// Whether emergency mode (with approval) is the last step. Default off: every user's
    /// responses would be limited, while throttling hurts only the throttled calls.
    pub emergency_mode_last: bool,
    /// The first-five-minutes checks; cloud health events of
    /// [`CLOUD_SERVICES`](super::CLOUD_SERVICES) unless it names its own.
    pub first_five_minutes: first_five_minutes::Config,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            model_id: BEDROCK_MODEL.into(),
            log_group: "/cato/orchestrator".into(),
            log_pattern: "ThrottlingException".into(),
            window: Duration::from_secs(5 * 60),
            throttle_rate: 0.05,
            min_throttles: 10,
            min_log_lines: 3,
            min_improvement: 0.5,
            quota: QuotaIncrease::default(),
            cache_threshold: CacheThreshold::default(),
            traffic_shift: TrafficShift::default(),
            emergency_mode_last: false,
            first_five_minutes: first_five_minutes::Config::default(),
        }
    }
}

/// Step 1, `request-service-quota-increase`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
#[non_exhaustive]
pub struct QuotaIncrease {
    /// `--service-code`. Default `bedrock`.
    pub service: String,
    /// `--quota-code`. Default `L-XXXXXXXX`; read as calls per minute.
    pub code: String,
    /// `--desired-value`. Default 10 000.
    pub desired: f64,
    /// How long after the request its status is read. Default 15 min.
    #[serde(with = "humantime_serde")]
    pub verify_after: Duration,
}

impl Default for QuotaIncrease {
    fn default() -> Self {
        QuotaIncrease {
            service: "bedrock".into(),
            code: "L-XXXXXXXX".into(),
            desired: 10_000.0,
            verify_after: Duration::from_secs(15 * 60),
        }
    }
}

/// Step 2, the temporary cache similarity threshold.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
#[non_exhaustive]
pub struct CacheThreshold {
    /// How much lower. Default 0.05.
    pub step: f64,
    /// Never below this. Default 0.80.
    pub floor: f64,
    /// Restored after this long if the incident is still open. Default 1 h.
    #[serde(with = "humantime_serde")]
    pub ttl: Duration,
    /// How long after the change it is verified. Default 5 min.
    #[serde(with = "humantime_serde")]
    pub verify_after: Duration,
}

impl Default for CacheThreshold {
    fn default() -> Self {
        CacheThreshold {
            step: 0.05,
            floor: 0.80,
            ttl: Duration::from_secs(3600),
            verify_after: Duration::from_secs(5 * 60),
        }
    }
}

/// Step 3, the traffic shift to the self-hosted Shadow Self.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
#[non_exhaustive]
pub struct TrafficShift {
    /// How much of the LLM traffic moves. Default 0.2.
    pub step: f64,
    /// The Shadow Self share never exceeds this. Default 0.8.
    pub cap: f64,
    /// The Shadow Self endpoint. Default `cato-shadow-self`.
    pub endpoint: String,
    /// Shadow Self's 5XX rate under the extra load must stay at or under this. Default 0.01.
    pub max_error_rate: f64,
    /// How long after the change it is verified. Default 5 min.
    #[serde(with = "humantime_serde")]
    pub verify_after: Duration,
}

impl Default for TrafficShift {
    fn default() -> Self {
        TrafficShift {
            step: 0.2,
            cap: 0.8,
            endpoint: "cato-shadow-self".into(),
            max_error_rate: 0.01,
            verify_after: Duration::from_secs(5 * 60),
        }
    }
}

impl Config {
    /// Checks shares and thresholds, each number in its range: shares 0 to 1 (the steps above
    /// 0), the counts 1 to 1 000 000, `quota.desired` above 0 and at most 1e9, the window a
    /// minute to 24 h, the cache threshold's `ttl` above 0s and at most 24 h, the waits above 0s
    /// and at most 6 h.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidInput`](crate::ErrorKind::InvalidInput) naming the setting.
    pub fn validate(&self) -> Result<()> {
        let s = Settings::of(ID);
        for (key, value) in [
            ("throttle_rate", self.throttle_rate),
            ("min_improvement", self.min_improvement),
            ("cache_threshold.step", self.cache_threshold.step),
            ("cache_threshold.floor", self.cache_threshold.floor),
            ("traffic_shift.step", self.traffic_shift.step),
            ("traffic_shift.cap", self.traffic_shift.cap),
            (
                "traffic_shift.max_error_rate",
                self.traffic_shift.max_error_rate,
            ),
        ] {
            s.share(key, value)?;
        }
        for (key, step) in [
            ("cache_threshold.step", self.cache_threshold.step),
            ("traffic_shift.step", self.traffic_shift.step),
        ] {
            s.number(key, step, (0.0, true), 1.0)?;
        }
        s.check(
            self.quota.desired.is_finite() && self.quota.desired > 0.0,
            "quota.desired",
            format_args!("{} must be a positive quota", self.quota.desired),
        )?;
        s.number("quota.desired", self.quota.desired, (0.0, true), MAX_QUOTA)?;
        for (key, count) in [
            ("min_throttles", self.min_throttles),
            (
                "min_log_lines",
                u64::try_from(self.min_log_lines).unwrap_or(u64::MAX),
            ),
        ] {
            s.count(key, count, 1, bounds::MAX_MIN_COUNT)?;
        }
        s.minute_to("window", self.window, bounds::MAX_WINDOW)?;
        s.up_to(
            "cache_threshold.ttl",
            self.cache_threshold.ttl,
            bounds::MAX_WINDOW,
        )?;
        for (key, wait) in [
            ("quota.verify_after", self.quota.verify_after),
            (
                "cache_threshold.verify_after",
                self.cache_threshold.verify_after,
            ),
            (
                "traffic_shift.verify_after",
                self.traffic_shift.verify_after,
            ),
        ] {
            s.up_to(key, wait, bounds::MAX_WAIT)?;
        }
        self.first_five_minutes
            .validate_in(&s.within("first_five_minutes"))
    }
}

/// The largest quota value the runbook asks for: more is a typo, not a request.
const MAX_QUOTA: f64 = 1e9;
