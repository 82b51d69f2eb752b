//! The HTTP providers' tables: `[providers.cato_api]`, `[providers.pagerduty]`,
//! `[providers.slack]` and `[providers.sendgrid]`. Secrets are named by environment variable.
//!
//! `[providers.cato_api]`: the Cato admin API (budget and traffic controls).
//!
//! ```toml
//! [providers.cato_api]
//! base_url = "https://api.cato.thinktank.ai"
//! token_env = "CATO_ADMIN_TOKEN"   # the bearer token, from the environment
//! timeout = "10s"                  # one try
//! max_attempts = 3                 # tries in all on 429, 5xx, timeouts
//! ```
//!
//! `[providers.pagerduty]`: PagerDuty Events API v2.
//!
//! ```toml
//! [providers.pagerduty]
//! events_per_minute = 120          # per routing key
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

use super::{ConfigError, checks, http_client, secret_from_env};
use crate::cato_api::CatoAdminApi;
use crate::http::HttpOptions;
use crate::pagerduty::PagerDuty;
use crate::sendgrid::SendGridMail;
use crate::slack::Slack;

/// The default timeout of one try.
pub(crate) fn default_timeout() -> Duration {
    Duration::from_secs(10)
}

/// The default number of tries.
pub(crate) fn default_attempts() -> u32 {
    3
}

/// Checks a table's timeout and tries.
fn check_options(table: &str, timeout: Duration, max_attempts: u32) -> Result<(), ConfigError> {
    checks::timeout(table, "timeout", timeout)?;
    checks::at_least_one(
        table,
        "max_attempts",
        max_attempts.into(),
        "tries in all, the first included; 1 never retries",
    )
}

/// Timeouts and tries as the configuration says them.
pub(crate) fn options(timeout: Duration, max_attempts: u32) -> HttpOptions {
    HttpOptions::default()
        .with_timeout(timeout)
        .with_max_attempts(max_attempts)
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

impl CatoApiConfig {
    /// Checks the timeout and the tries (at load).
    ///
    /// # Errors
    ///
    /// [`ConfigError::Invalid`] naming the key.
    pub fn validate(&self) -> Result<(), ConfigError> {
        check_options("[providers.cato_api]", self.timeout, self.max_attempts)
    }

    /// Builds the provider (no network: it connects on first use).
    ///
    /// # Errors
    ///
    /// [`ConfigError::Invalid`] for a missing environment variable or a bad URL.
    pub fn build(&self) -> Result<CatoAdminApi, ConfigError> {
        let token = secret_from_env(&self.token_env)?;
        Ok(CatoAdminApi::new(http_client()?, &self.base_url, token)?
            .with_options(options(self.timeout, self.max_attempts)))
    }
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
    /// Events sent per minute and routing key, at most.
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
    crate::pagerduty::DEFAULT_BASE_URL.into()
}

fn default_rate() -> u32 {
    120
}

impl PagerDutyConfig {
    /// Checks the timeout and the tries (at load).
    ///
    /// # Errors
    ///
    /// [`ConfigError::Invalid`] naming the key.
    pub fn validate(&self) -> Result<(), ConfigError> {
        checks::at_least_one(
            "[providers.pagerduty]",
            "events_per_minute",
            self.events_per_minute.into(),
            "no page would ever be sent",
        )?;
        check_options("[providers.pagerduty]", self.timeout, self.max_attempts)
    }

    /// Builds the provider (no network: it connects on first use).
    ///
    /// # Errors
    ///
    /// [`ConfigError::Invalid`] for a missing environment variable or a bad URL.
    pub fn build(&self) -> Result<PagerDuty, ConfigError> {
        let mut pager = PagerDuty::new(http_client()?, &self.base_url)?
            .with_rate_limit(self.events_per_minute, Duration::from_secs(60))
            .with_options(options(self.timeout, self.max_attempts));
        for (target, var) in &self.routing_keys_env {
            pager = pager.with_routing_key(target.clone(), secret_from_env(var)?);
        }
        Ok(pager)
    }
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
    crate::slack::DEFAULT_BASE_URL.into()
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

    /// Builds the provider (no network: it connects on first use).
    ///
    /// # Errors
    ///
    /// [`ConfigError::Invalid`] for a missing environment variable or a bad URL.
    pub fn build(&self) -> Result<Slack, ConfigError> {
        let token = secret_from_env(&self.token_env)?;
        Ok(Slack::new(http_client()?, &self.base_url, token)?
            .with_options(options(self.timeout, self.max_attempts)))
    }
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
    crate::sendgrid::DEFAULT_BASE_URL.into()
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

    /// Builds the provider (no network: it connects on first use).
    ///
    /// # Errors
    ///
    /// [`ConfigError::Invalid`] for a missing environment variable or a bad URL.
    pub fn build(&self) -> Result<SendGridMail, ConfigError> {
        let key = secret_from_env(&self.api_key_env)?;
        Ok(
            SendGridMail::new(http_client()?, &self.base_url, key, self.from.clone())?
                .with_options(options(self.timeout, self.max_attempts)),
        )
    }
}
