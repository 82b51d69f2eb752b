//! From the schema to live objects (feature `wiring`): each table's provider built, the store
//! and the lease opened, and the [`Wiring`] that holds them. Nothing here touches the network:
//! clients connect on first use.

mod aws;
mod changes;
mod http;
mod kubernetes;
mod redis;
mod state;
mod wiring;

pub use wiring::Wiring;

use super::ConfigError;

/// The secret in the environment variable `var`.
pub(crate) fn secret_from_env(var: &str) -> Result<secrecy::SecretString, ConfigError> {
    match std::env::var(var) {
        Ok(value) if !value.trim().is_empty() => Ok(secrecy::SecretString::from(value)),
        _ => Err(ConfigError::invalid(format!(
            "the environment variable {var} (named in the configuration) is not set"
        ))),
    }
}

/// A `reqwest` client for the HTTP providers (rustls, the platform's roots).
pub(crate) fn http_client() -> Result<reqwest::Client, ConfigError> {
    reqwest::Client::builder()
        .user_agent(concat!("cato-runbook/", env!("CARGO_PKG_VERSION")))
        .build()
        .map_err(|e| ConfigError::Unavailable(format!("cannot make an HTTP client: {e}")))
}
