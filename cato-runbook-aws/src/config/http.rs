//! The HTTP providers' tables: `[providers.cato_api]`, `[providers.pagerduty]`,
//! `[providers.slack]` and `[providers.sendgrid]`. Secrets are named by environment variable.
//!
//! `[providers.cato_api]`: the Cato admin API (budget and traffic controls).
//!
//! ```toml
//! [providers.cato_api]
//! base_url = "https://api.cato.thinktank.ai"
//! token_env = "CATO_ADMIN_TOKEN"   # the bearer token, from the environment
//! timeout = "10s"                  # one try: above 0s, at most 5m
//! max_attempts = 3                 # tries in all on 429, 5xx, timeouts: 1 to 10
//! ```
//!
//! `[providers.pagerduty]`: PagerDuty Events API v2.
//!
//! ```toml
//! [providers.pagerduty]
//! events_per_minute = 120          # per routing key: 1 to 1000
//! [providers.pagerduty.routing_keys_env]   # target → the variable holding its routing key
//! on-call = "PAGERDUTY_ON_CALL_KEY"
//! vp-engineering = "PAGERDUTY_VP_KEY"
//! ```
//!
//! `[providers.slack]`: Slack `chat.postMessage` as a bot.
//!
//! ```toml
//! [providers.slack]
//! token_env = "SLACK_BOT_TOKEN"    # xoxb-…, from the environment
//! ```
//!
//! `[providers.sendgrid]`: mail (the AWS TAM) through SendGrid's Mail Send API.
//!
//! ```toml
//! [providers.sendgrid]
//! api_key_env = "SENDGRID_API_KEY"   # from the environment
//! from = "cato-runbook@company.com"  # a sender SendGrid has verified
//! ```
//!

use std::collections::BTreeMap;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use super::{ConfigError, checks};

use crate::defaults;

/// The default timeout of one try.
pub(crate) fn default_timeout() -> Duration {
    Duration::from_secs(10)
}

/// The default number of tries.
pub(crate) fn default_attempts() -> u32 {
    3
}

/// The `[providers.cato_api]` table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CatoApiConfig {
    /// The API's base URL.
    pub base_url: String,
    /// The environment variable holding the bearer token.
    pub token_env: String,
    /// One try's timeout.
    #[serde(default = "default_timeout", with = "humantime_serde")]
    pub timeout: Duration,
    /// Tries in all on 429, 5xx and timeouts.
    #[serde(default = "default_attempts")]
    pub max_attempts: u32,
}

/// The `[providers.pagerduty]` table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PagerDutyConfig {
    /// The API's base URL.
    #[serde(default = "pagerduty_base_url")]
    pub base_url: String,
    /// Target (a contact's `target`) → the environment variable holding its routing key.
    pub routing_keys_env: BTreeMap<String, String>,
    /// Events sent per minute and routing key, at most: 1 to 1000.
    #[serde(default = "default_rate")]
    pub events_per_minute: u32,
    /// One try's timeout.
    #[serde(default = "default_timeout", with = "humantime_serde")]
    pub timeout: Duration,
    /// Tries in all on 429, 5xx and timeouts.
    #[serde(default = "default_attempts")]
    pub max_attempts: u32,
}

fn pagerduty_base_url() -> String {
    defaults::PAGERDUTY_BASE_URL.into()
}

/// The highest rate of events a routing key is sent.
const MAX_EVENTS_PER_MINUTE: u64 = 1000;

fn default_rate() -> u32 {
    120
}

/// The `[providers.slack]` table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SlackConfig {
    /// The API's base URL.
    #[serde(default = "slack_base_url")]
    pub base_url: String,
    /// The environment variable holding the bearer token.
    pub token_env: String,
    /// One try's timeout.
    #[serde(default = "default_timeout", with = "humantime_serde")]
    pub timeout: Duration,
    /// Tries in all on 429, 5xx and timeouts.
    #[serde(default = "default_attempts")]
    pub max_attempts: u32,
}

fn slack_base_url() -> String {
    defaults::SLACK_BASE_URL.into()
}

/// The `[providers.sendgrid]` table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SendGridConfig {
    /// The API's base URL.
    #[serde(default = "sendgrid_base_url")]
    pub base_url: String,
    /// The environment variable holding the API key.
    pub api_key_env: String,
    /// The sender's address.
    pub from: String,
    /// One try's timeout.
    #[serde(default = "default_timeout", with = "humantime_serde")]
    pub timeout: Duration,
    /// Tries in all on 429, 5xx and timeouts.
    #[serde(default = "default_attempts")]
    pub max_attempts: u32,
}

fn sendgrid_base_url() -> String {
    defaults::SENDGRID_BASE_URL.into()
}

/// Checks a table's timeout and tries.
fn check_options(table: &str, timeout: Duration, max_attempts: u32) -> Result<(), ConfigError> {
    checks::timeout(table, "timeout", timeout)?;
    checks::one_to(
        table,
        "max_attempts",
        max_attempts.into(),
        checks::MAX_ATTEMPTS,
        "tries in all, the first included; 1 never retries",
    )
}

impl CatoApiConfig {
    /// Checks the timeout and the tries (at load).
    ///
    /// # Errors
    ///
    /// [`ConfigError::Invalid`] naming the key.
    pub fn validate(&self) -> Result<(), ConfigError> {
        check_options("[providers.cato_api]", self.timeout, self.max_attempts)
    }
}

impl PagerDutyConfig {
    /// Checks the timeout and the tries (at load).
    ///
    /// # Errors
    ///
    /// [`ConfigError::Invalid`] naming the key.
    pub fn validate(&self) -> Result<(), ConfigError> {
        checks::one_to(
            "[providers.pagerduty]",
            "events_per_minute",
            self.events_per_minute.into(),
            MAX_EVENTS_PER_MINUTE,
            "0 would never page; PagerDuty itself takes 120 a minute",
        )?;
        check_options("[providers.pagerduty]", self.timeout, self.max_attempts)
    }
}

impl SlackConfig {
    /// Checks the timeout and the tries (at load).
    ///
    /// # Errors
    ///
    /// [`ConfigError::Invalid`] naming the key.
    pub fn validate(&self) -> Result<(), ConfigError> {
        check_options("[providers.slack]", self.timeout, self.max_attempts)
    }
}

impl SendGridConfig {
    /// Checks the timeout and the tries (at load).
    ///
    /// # Errors
    ///
    /// [`ConfigError::Invalid`] naming the key.
    pub fn validate(&self) -> Result<(), ConfigError> {
        check_options("[providers.sendgrid]", self.timeout, self.max_attempts)
    }
}
