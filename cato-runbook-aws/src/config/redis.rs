//! `[providers.redis]`: cache counters from Redis `INFO`.
//!
//! ```toml
//! [providers.redis]
//! timeout = "5s"                      # one read of the counters
//! [providers.redis.caches.cato-cache]
//! url = "rediss://cato-cache.xxx.use1.cache.amazonaws.com:6379"
//! password_env = "CATO_REDIS_PASSWORD"   # optional: the AUTH token, from the environment
//! ```

use std::collections::BTreeMap;
use std::time::Duration;

use crate::redis::{RedisCacheStats, RedisOptions};
use crate::secrecy::ExposeSecret;
use serde::{Deserialize, Serialize};

use super::{ConfigError, checks, secret_from_env};

/// One cache server.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CacheServer {
    /// `redis://` or `rediss://` (TLS), without a password.
    pub url: String,
    /// The environment variable holding the password (AUTH token), if any.
    pub password_env: Option<String>,
}

/// The `[providers.redis]` table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RedisConfig {
    /// Cache name (as the runbooks name it, e.g. `cato-cache`) → server.
    pub caches: BTreeMap<String, CacheServer>,
    /// One read's timeout.
    #[serde(default = "default_timeout", with = "humantime_serde")]
    pub timeout: Duration,
}

fn default_timeout() -> Duration {
    Duration::from_secs(5)
}

impl RedisConfig {
    /// Checks the timeout (at load).
    ///
    /// # Errors
    ///
    /// [`ConfigError::Invalid`] naming the key.
    pub fn validate(&self) -> Result<(), ConfigError> {
        checks::timeout("[providers.redis]", "timeout", self.timeout)
    }

    /// Builds the provider (no network: it connects on first use).
    ///
    /// # Errors
    ///
    /// [`ConfigError::Invalid`] for a missing environment variable or a bad URL.
    pub fn build(&self) -> Result<RedisCacheStats, ConfigError> {
        let mut stats =
            RedisCacheStats::new().with_options(RedisOptions::default().with_timeout(self.timeout));
        for (name, server) in &self.caches {
            let mut url = reqwest::Url::parse(&server.url)
                .map_err(|e| ConfigError::invalid(format!("caches.{name}.url: {e}")))?;
            if let Some(var) = &server.password_env {
                let password = secret_from_env(var)?;
                url.set_password(Some(password.expose_secret()))
                    .map_err(|()| {
                        ConfigError::invalid(format!("caches.{name}.url cannot take a password"))
                    })?;
            }
            let client = ::redis::Client::open(url.as_str()).map_err(|e| {
                ConfigError::invalid(format!("caches.{name}.url: {}", e.category()))
            })?;
            stats = stats.with_cache(name.clone(), client);
        }
        Ok(stats)
    }
}
