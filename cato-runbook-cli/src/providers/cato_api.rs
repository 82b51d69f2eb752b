//! `[providers.cato_api]`: the Cato admin API (budget and traffic controls).
//!
//! ```toml
//! [providers.cato_api]
//! base_url = "https://api.cato.thinktank.ai"
//! token_env = "CATO_ADMIN_TOKEN"   # the bearer token, from the environment
//! timeout = "10s"                  # one try
//! max_attempts = 3                 # tries in all on 429, 5xx, timeouts
//! ```

use std::time::Duration;

use cato_runbook_aws::cato_api::CatoAdminApi;
use cato_runbook_aws::http::HttpOptions;
use serde::{Deserialize, Serialize};

use super::{http_client, secret_from_env};
use crate::exit::Failure;

/// The default timeout of one try.
pub(crate) fn default_timeout() -> Duration {
    Duration::from_secs(10)
}

/// The default number of tries.
pub(crate) fn default_attempts() -> u32 {
    3
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
pub(crate) struct CatoApiConfig {
    pub(crate) base_url: String,
    pub(crate) token_env: String,
    #[serde(default = "default_timeout", with = "humantime_serde")]
    pub(crate) timeout: Duration,
    #[serde(default = "default_attempts")]
    pub(crate) max_attempts: u32,
}

impl CatoApiConfig {
    pub(crate) fn build(&self) -> Result<CatoAdminApi, Failure> {
        let token = secret_from_env(&self.token_env)?;
        Ok(CatoAdminApi::new(http_client()?, &self.base_url, token)?
            .with_options(options(self.timeout, self.max_attempts)))
    }
}
