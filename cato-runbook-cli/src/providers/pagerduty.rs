//! `[providers.pagerduty]`: PagerDuty Events API v2.
//!
//! ```toml
//! [providers.pagerduty]
//! events_per_minute = 120          # per routing key
//! [providers.pagerduty.routing_keys_env]   # target → the variable holding its routing key
//! on-call = "PAGERDUTY_ON_CALL_KEY"
//! vp-engineering = "PAGERDUTY_VP_KEY"
//! ```

use std::collections::BTreeMap;
use std::time::Duration;

use cato_runbook_aws::pagerduty::{DEFAULT_BASE_URL, PagerDuty};
use serde::{Deserialize, Serialize};

use super::cato_api::{default_attempts, default_timeout, options};
use super::{http_client, secret_from_env};
use crate::exit::Failure;

/// The `[providers.pagerduty]` table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct PagerDutyConfig {
    #[serde(default = "default_base_url")]
    pub(crate) base_url: String,
    pub(crate) routing_keys_env: BTreeMap<String, String>,
    #[serde(default = "default_rate")]
    pub(crate) events_per_minute: u32,
    #[serde(default = "default_timeout", with = "humantime_serde")]
    pub(crate) timeout: Duration,
    #[serde(default = "default_attempts")]
    pub(crate) max_attempts: u32,
}

fn default_base_url() -> String {
    DEFAULT_BASE_URL.into()
}

fn default_rate() -> u32 {
    120
}

impl PagerDutyConfig {
    pub(crate) fn build(&self) -> Result<PagerDuty, Failure> {
        let mut pager = PagerDuty::new(http_client()?, &self.base_url)?
            .with_rate_limit(self.events_per_minute, Duration::from_secs(60))
            .with_options(options(self.timeout, self.max_attempts));
        for (target, var) in &self.routing_keys_env {
            pager = pager.with_routing_key(target.clone(), secret_from_env(var)?);
        }
        Ok(pager)
    }
}
