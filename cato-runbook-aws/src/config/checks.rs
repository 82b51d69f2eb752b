//! The values every `[providers.*]` table and `[lease]` checks the same way when `cato.toml` is
//! loaded: a timeout above zero and at most [`MAX_TIMEOUT`], a count from one to its ceiling.
//! Each message names the key as the file writes it (`[providers.slack] timeout: must be above
//! 0`).

use std::time::Duration;

use cato_runbook_core::time::HumanDuration;

use super::{ConfigError, LeaseConfig, ProvidersConfig};

/// `table key: message`.
pub(super) fn invalid(table: &str, key: &str, message: impl std::fmt::Display) -> ConfigError {
    ConfigError::Invalid(format!("{table} {key}: {message}"))
}

/// The longest timeout of one try: a call that may take longer stalls the engine's tick.
pub(super) const MAX_TIMEOUT: Duration = Duration::from_secs(5 * 60);

/// The most tries in all of one call.
pub(super) const MAX_ATTEMPTS: u64 = 10;

/// A timeout of zero fails every call before it is made; one above [`MAX_TIMEOUT`] stalls.
pub(super) fn timeout(table: &str, key: &str, value: Duration) -> Result<(), ConfigError> {
    if value.is_zero() {
        return Err(invalid(
            table,
            key,
            "must be above 0 (every call would time out)",
        ));
    }
    if value > MAX_TIMEOUT {
        return Err(invalid(
            table,
            key,
            format!(
                "{} must be at most {} (a call that long stalls the tick)",
                HumanDuration(value),
                HumanDuration(MAX_TIMEOUT)
            ),
        ));
    }
    Ok(())
}

/// A count (tries, events, capacity units) from one to `max`.
pub(super) fn one_to(
    table: &str,
    key: &str,
    value: u64,
    max: u64,
    why: &str,
) -> Result<(), ConfigError> {
    if value == 0 {
        return Err(invalid(table, key, format!("must be at least 1 ({why})")));
    }
    if value > max {
        return Err(invalid(
            table,
            key,
            format!("{value} must be at most {max} ({why})"),
        ));
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

    #[test]
    fn values_beyond_their_ceiling_are_refused_naming_the_table_and_key() {
        // Each table with `{}` where the value goes, the key named, the largest value taken and
        // values beyond it.
        let tables: &[(&str, &str, &str, &[&str])] = &[
            (
                "[lease]\ntimeout = {}\n",
                "[lease] timeout",
                "\"5m\"",
                &["\"5m1s\"", "\"30d\""],
            ),
            (
                "[providers.aws]\ntimeout = {}\n",
                "[providers.aws] timeout",
                "\"5m\"",
                &["\"301s\"", "\"10000d\""],
            ),
            (
                "[providers.aws]\nprovisioned_capacity = {{ read = 5, write = {} }}\n",
                "[providers.aws] provisioned_capacity.write",
                "40000",
                &["40001", "4294967296"],
            ),
            (
                "[providers.redis]\ntimeout = {}\n[providers.redis.caches]\n",
                "[providers.redis] timeout",
                "\"5m\"",
                &["\"6m\""],
            ),
            (
                "[providers.kubernetes]\nmax_replicas = {}\n",
                "[providers.kubernetes] max_replicas",
                "1000",
                &["1001", "4294967295"],
            ),
            (
                "[providers.cato_api]\nbase_url = \"https://x\"\ntoken_env = \"T\"\nmax_attempts = {}\n",
                "[providers.cato_api] max_attempts",
                "10",
                &["11", "4294967295"],
            ),
            (
                "[providers.pagerduty]\nevents_per_minute = {}\n[providers.pagerduty.routing_keys_env]\n",
                "[providers.pagerduty] events_per_minute",
                "1000",
                &["1001", "4294967295"],
            ),
            (
                "[providers.slack]\ntoken_env = \"T\"\ntimeout = {}\n",
                "[providers.slack] timeout",
                "\"300s\"",
                &["\"1h\""],
            ),
            (
                "[providers.deployments]\ntimeout = {}\n",
                "[providers.deployments] timeout",
                "\"5m\"",
                &["\"5m1s\""],
            ),
            (
                "[providers.health]\ntimeout = {}\n",
                "[providers.health] timeout",
                "\"5m\"",
                &["\"1d\""],
            ),
            (
                "[trace]\nmax_bytes = {}\n",
                "[trace] max_bytes",
                "1073741824",
                &["1073741825", "9223372036854775807"],
            ),
            (
                "[service]\nbody_limit = {}\n",
                "[service]",
                "16777216",
                &["16777217", "1023", "1"],
            ),
        ];
        for (table, named, largest, beyond) in tables {
            let text = |value: &str| {
                table
                    .replace("{}", value)
                    .replace("{{", "{")
                    .replace("}}", "}")
            };
            assert!(
                super::super::Config::parse(&text(largest), "cato.toml").is_ok(),
                "{}",
                text(largest)
            );
            for value in *beyond {
                let err = refused(&text(value));
                assert!(
                    err.starts_with(&format!("cato.toml: {named}")),
                    "{}: {err}",
                    text(value)
                );
            }
        }
    }
}
