//! `[providers.sendgrid]`: mail (the AWS TAM) through SendGrid's Mail Send API.
//!
//! ```toml
//! [providers.sendgrid]
//! api_key_env = "SENDGRID_API_KEY"   # from the environment
//! from = "cato-runbook@company.com"  # a sender SendGrid has verified
//! ```

use std::time::Duration;

use cato_runbook_aws::sendgrid::{DEFAULT_BASE_URL, SendGridMail};
use serde::{Deserialize, Serialize};

use super::cato_api::{default_attempts, default_timeout, options};
use super::{http_client, secret_from_env};
use crate::exit::Failure;

/// The `[providers.sendgrid]` table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct SendGridConfig {
    #[serde(default = "default_base_url")]
    pub(crate) base_url: String,
    pub(crate) api_key_env: String,
    pub(crate) from: String,
    #[serde(default = "default_timeout", with = "humantime_serde")]
    pub(crate) timeout: Duration,
    #[serde(default = "default_attempts")]
    pub(crate) max_attempts: u32,
}

fn default_base_url() -> String {
    DEFAULT_BASE_URL.into()
}

impl SendGridConfig {
    pub(crate) fn build(&self) -> Result<SendGridMail, Failure> {
        let key = secret_from_env(&self.api_key_env)?;
        Ok(
            SendGridMail::new(http_client()?, &self.base_url, key, self.from.clone())?
                .with_options(options(self.timeout, self.max_attempts)),
        )
    }
}
