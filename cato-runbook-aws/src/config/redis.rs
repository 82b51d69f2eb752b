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

use serde::{Deserialize, Serialize};

use super::{ConfigError, checks};

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
}
