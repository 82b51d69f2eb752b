//! The values every `[providers.*]` table and `[lease]` checks the same way when `cato.toml` is
//! loaded: a timeout above zero, a count of at least one. Each message names the key as the file
//! writes it (`[providers.slack] timeout: must be above 0`).

use std::time::Duration;

use super::{ConfigError, LeaseConfig, ProvidersConfig};

/// `table key: message`.
pub(super) fn invalid(table: &str, key: &str, message: impl std::fmt::Display) -> ConfigError {
    ConfigError::Invalid(format!("{table} {key}: {message}"))
}

/// A timeout of zero fails every call before it is made.
pub(super) fn timeout(table: &str, key: &str, value: Duration) -> Result<(), ConfigError> {
    if value.is_zero() {
        return Err(invalid(
            table,
            key,
            "must be above 0 (every call would time out)",
        ));
    }
    Ok(())
}

/// A count (tries, events, capacity units) of at least one.
pub(super) fn at_least_one(
    table: &str,
    key: &str,
    value: u64,
    why: &str,
) -> Result<(), ConfigError> {
    if value == 0 {
        return Err(invalid(table, key, format!("must be at least 1 ({why})")));
    }
    Ok(())
}

impl ProvidersConfig {
    /// Checks every configured provider's table.
    ///
    /// # Errors
    ///
    /// [`ConfigError::Invalid`] naming the table and the key.
    pub fn validate(&self) -> Result<(), ConfigError> {
        if let Some(aws) = &self.aws {
            aws.validate()?;
        }
        if let Some(redis) = &self.redis {
            redis.validate()?;
        }
        if let Some(kubernetes) = &self.kubernetes {
            kubernetes.validate()?;
        }
        if let Some(c) = &self.cato_api {
            c.validate()?;
        }
        if let Some(c) = &self.pagerduty {
            c.validate()?;
        }
        if let Some(c) = &self.slack {
            c.validate()?;
        }
        if let Some(c) = &self.sendgrid {
            c.validate()?;
        }
        if let Some(d) = &self.deployments {
            d.validate()?;
        }
        if let Some(h) = &self.health {
            h.validate()?;
        }
        Ok(())
    }
}

impl LeaseConfig {
    /// Checks the lease call's timeout.
    ///
    /// # Errors
    ///
    /// [`ConfigError::Invalid`] naming the key.
    pub fn validate(&self) -> Result<(), ConfigError> {
        timeout("[lease]", "timeout", self.timeout)
    }
}

#[cfg(test)]
mod tests {
    use super::super::Config;

    #[allow(clippy::unwrap_used)]
    fn refused(text: &str) -> String {
        Config::parse(text, "cato.toml").unwrap_err().to_string()
    }

    #[test]
    fn zero_timeouts_tries_and_rates_are_refused_naming_the_table_and_key() {
        for (text, named) in [
            ("[lease]\ntimeout = \"0s\"\n", "[lease] timeout"),
            ("[store]\nretention = \"0s\"\n", "[store] retention"),
            ("[store]\nretention = \"5h\"\n", "[store] retention"),
            ("[store]\nretention = \"20000d\"\n", "[store] retention"),
            (
                "[providers.aws]\ntimeout = \"0s\"\n",
                "[providers.aws] timeout",
            ),
            (
                "[providers.aws]\nprovisioned_capacity = { read = 0, write = 5 }\n",
                "[providers.aws] provisioned_capacity.read",
            ),
            (
                "[providers.redis]\ntimeout = \"0s\"\n[providers.redis.caches]\n",
                "[providers.redis] timeout",
            ),
            (
                "[providers.kubernetes]\nmax_replicas = 10\ntimeout = \"0s\"\n",
                "[providers.kubernetes] timeout",
            ),
            (
                "[providers.kubernetes]\nmax_replicas = 0\n",
                "[providers.kubernetes] max_replicas",
            ),
            (
                "[providers.cato_api]\nbase_url = \"https://x\"\ntoken_env = \"T\"\ntimeout = \"0s\"\n",
                "[providers.cato_api] timeout",
            ),
            (
                "[providers.cato_api]\nbase_url = \"https://x\"\ntoken_env = \"T\"\nmax_attempts = 0\n",
                "[providers.cato_api] max_attempts",
            ),
            (
                "[providers.pagerduty]\nevents_per_minute = 0\n[providers.pagerduty.routing_keys_env]\n",
                "[providers.pagerduty] events_per_minute",
            ),
            (
                "[providers.slack]\ntoken_env = \"T\"\ntimeout = \"0ms\"\n",
                "[providers.slack] timeout",
            ),
            (
                "[providers.sendgrid]\napi_key_env = \"K\"\nfrom = \"a@b.c\"\nmax_attempts = 0\n",
                "[providers.sendgrid] max_attempts",
            ),
        ] {
            let err = refused(text);
            assert!(
                err.starts_with(&format!("cato.toml: {named}:")),
                "{text}: {err}"
            );
        }
    }
}
