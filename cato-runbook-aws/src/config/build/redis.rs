//! `[providers.redis]` built: one client per cache, its password from the environment.

use super::secret_from_env;
use crate::config::{ConfigError, RedisConfig};
use crate::redis::{RedisCacheStats, RedisOptions};
use crate::secrecy::ExposeSecret;

impl RedisConfig {
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
