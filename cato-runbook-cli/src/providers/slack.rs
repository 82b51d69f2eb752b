//! `[providers.slack]`: Slack `chat.postMessage` as a bot.
//!
//! ```toml
//! [providers.slack]
//! token_env = "SLACK_BOT_TOKEN"    # xoxb-…, from the environment
//! ```

use std::time::Duration;

use cato_runbook_aws::slack::{DEFAULT_BASE_URL, Slack};
use serde::{Deserialize, Serialize};

use super::cato_api::{default_attempts, default_timeout, options};
use super::{http_client, secret_from_env};
use crate::exit::Failure;

/// The `[providers.slack]` table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct SlackConfig {
    #[serde(default = "default_base_url")]
    pub(crate) base_url: String,
    pub(crate) token_env: String,
    #[serde(default = "default_timeout", with = "humantime_serde")]
    pub(crate) timeout: Duration,
    #[serde(default = "default_attempts")]
    pub(crate) max_attempts: u32,
}

fn default_base_url() -> String {
    DEFAULT_BASE_URL.into()
}

impl SlackConfig {
    pub(crate) fn build(&self) -> Result<Slack, Failure> {
        let token = secret_from_env(&self.token_env)?;
        Ok(Slack::new(http_client()?, &self.base_url, token)?
            .with_options(options(self.timeout, self.max_attempts)))
    }
}
