//! The HTTP providers' tables built: the Cato admin API, PagerDuty, Slack and SendGrid, each
//! with its secret from the environment.

use std::time::Duration;

use super::{http_client, secret_from_env};
use crate::cato_api::CatoAdminApi;
use crate::config::{CatoApiConfig, ConfigError, PagerDutyConfig, SendGridConfig, SlackConfig};
use crate::http::HttpOptions;
use crate::pagerduty::PagerDuty;
use crate::sendgrid::SendGridMail;
use crate::slack::Slack;

/// Where a provider's secret comes from, as its error names it.
fn source(vars: &str, key: &str, table: &str) -> String {
    format!("the environment variable {vars} (`{key}` of [providers.{table}])")
}

/// Timeouts and tries as the configuration says them.
pub(crate) fn options(timeout: Duration, max_attempts: u32) -> HttpOptions {
    HttpOptions::default()
        .with_timeout(timeout)
        .with_max_attempts(max_attempts)
}

impl CatoApiConfig {
    /// Builds the provider (no network: it connects on first use).
    ///
    /// # Errors
    ///
    /// [`ConfigError::Invalid`] for a missing environment variable or a bad URL.
    pub fn build(&self) -> Result<CatoAdminApi, ConfigError> {
        let token = secret_from_env(&self.token_env)?;
        Ok(CatoAdminApi::new(http_client()?, &self.base_url, token)?
            .with_options(options(self.timeout, self.max_attempts))
            .with_credential_source(&source(&self.token_env, "token_env", "cato_api")))
    }
}

impl PagerDutyConfig {
    /// Builds the provider (no network: it connects on first use).
    ///
    /// # Errors
    ///
    /// [`ConfigError::Invalid`] for a missing environment variable or a bad URL.
    pub fn build(&self) -> Result<PagerDuty, ConfigError> {
        let mut pager = PagerDuty::new(http_client()?, &self.base_url)?
            .with_rate_limit(self.events_per_minute, Duration::from_secs(60))
            .with_options(options(self.timeout, self.max_attempts));
        let vars: Vec<&str> = self.routing_keys_env.values().map(String::as_str).collect();
        pager = pager.with_credential_source(&source(
            &vars.join(", "),
            "routing_keys_env",
            "pagerduty",
        ));
        for (target, var) in &self.routing_keys_env {
            pager = pager.with_routing_key(target.clone(), secret_from_env(var)?);
        }
        Ok(pager)
    }
}

impl SlackConfig {
    /// Builds the provider (no network: it connects on first use).
    ///
    /// # Errors
    ///
    /// [`ConfigError::Invalid`] for a missing environment variable or a bad URL.
    pub fn build(&self) -> Result<Slack, ConfigError> {
        let token = secret_from_env(&self.token_env)?;
        Ok(Slack::new(http_client()?, &self.base_url, token)?
            .with_options(options(self.timeout, self.max_attempts))
            .with_credential_source(&source(&self.token_env, "token_env", "slack")))
    }
}

impl SendGridConfig {
    /// Builds the provider (no network: it connects on first use).
    ///
    /// # Errors
    ///
    /// [`ConfigError::Invalid`] for a missing environment variable or a bad URL.
    pub fn build(&self) -> Result<SendGridMail, ConfigError> {
        let key = secret_from_env(&self.api_key_env)?;
        Ok(
            SendGridMail::new(http_client()?, &self.base_url, key, self.from.clone())?
                .with_options(options(self.timeout, self.max_attempts))
                .with_credential_source(&source(&self.api_key_env, "api_key_env", "sendgrid")),
        )
    }
}
