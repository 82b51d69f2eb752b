//! `[service]`: the operator API's address, its tokens and the PagerDuty webhook.
//!
//! ```toml
//! [service]
//! listen = "127.0.0.1:8080"
//! public_status = false         # the status page at / without a token (a private network)
//! body_limit = 65536            # the largest request body, in bytes
//!
//! [[service.tokens]]            # one per person or tool; the token itself is never written
//! name = "alice"                # who: on the timeline of every action taken with it
//! role = "responder"            # viewer (read) | responder (act on incidents) | admin (halt, resume)
//! sha256 = "9f86d0…"            # the SHA-256 of the token, in hex: `printf %s "$TOKEN" | sha256sum`
//!
//! [service.pagerduty]           # PagerDuty v3 webhooks at POST /webhooks/pagerduty
//! secrets_env = ["PAGERDUTY_WEBHOOK_SECRET", "PAGERDUTY_WEBHOOK_SECRET_OLD"]  # during rotation
//! resolve = false               # whether `incident.resolved` resolves the incident
//! ```

use std::net::SocketAddr;

use serde::{Deserialize, Serialize};

use super::ConfigError;

/// What a token may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Read incidents, their timelines and the status.
    Viewer,
    /// Everything a viewer does, and act on incidents: acknowledge, approve, deny, note,
    /// resolve, declare, call in the AWS TAM, attach the postmortem.
    Responder,
    /// Everything, and the kill switch: halt and resume automation.
    Admin,
}

impl Role {
    /// The role as configuration spells it.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Viewer => "viewer",
            Role::Responder => "responder",
            Role::Admin => "admin",
        }
    }
}

/// One `[[service.tokens]]` entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TokenConfig {
    /// Who holds it: recorded on the timeline of every action taken with it.
    pub name: String,
    /// What it may do.
    pub role: Role,
    /// The SHA-256 of the token, 64 hex digits.
    pub sha256: String,
}

/// `[service.pagerduty]`: the v3 webhook subscription.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WebhookConfig {
    /// The environment variables holding the subscription's signing secrets (two while a
    /// secret is rotated).
    pub secrets_env: Vec<String>,
    /// Whether `incident.resolved` resolves the engine's incident (otherwise it is recorded).
    #[serde(default)]
    pub resolve: bool,
}

/// The `[service]` table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ServiceConfig {
    /// Where the API listens.
    pub listen: SocketAddr,
    /// The tokens that may call it.
    pub tokens: Vec<TokenConfig>,
    /// PagerDuty's webhook, if subscribed.
    pub pagerduty: Option<WebhookConfig>,
    /// The largest request body taken, in bytes: 1 KiB to 16 MiB. Default 64 KiB.
    pub body_limit: usize,
    /// Whether the status page at `/` is served without a token (on a private network).
    pub public_status: bool,
}

impl Default for ServiceConfig {
    fn default() -> Self {
        ServiceConfig {
            listen: SocketAddr::from(([127, 0, 0, 1], 8080)),
            tokens: Vec::new(),
            pagerduty: None,
            body_limit: 64 * 1024,
            public_status: false,
        }
    }
}

/// The smallest body limit: a PagerDuty webhook's body fits.
const MIN_BODY_LIMIT: usize = 1024;
/// The largest body limit.
const MAX_BODY_LIMIT: usize = 16 << 20;

impl ServiceConfig {
    /// Checks the tokens: a name each, no name twice, a SHA-256 of 64 hex digits, no hash
    /// twice.
    ///
    /// # Errors
    ///
    /// [`ConfigError::Invalid`] naming the entry.
    pub fn validate(&self) -> Result<(), ConfigError> {
        let mut names = std::collections::HashSet::new();
        let mut hashes = std::collections::HashSet::new();
        for (i, token) in self.tokens.iter().enumerate() {
            let place = format!("tokens[{i}]");
            if token.name.trim().is_empty() {
                return Err(ConfigError::Invalid(format!("{place}: `name` is empty")));
            }
            if !names.insert(token.name.as_str()) {
                return Err(ConfigError::Invalid(format!(
                    "{place}: the name {:?} is used twice",
                    token.name
                )));
            }
            let hash = token.sha256.to_ascii_lowercase();
            if hash.len() != 64 || !hash.bytes().all(|b| b.is_ascii_hexdigit()) {
                return Err(ConfigError::Invalid(format!(
                    "{place}: `sha256` is not 64 hex digits (the SHA-256 of the token, never the token)"
                )));
            }
            if !hashes.insert(hash) {
                return Err(ConfigError::Invalid(format!(
                    "{place}: the same token is configured twice"
                )));
            }
        }
        if self.body_limit == 0 {
            return Err(ConfigError::Invalid("`body_limit` is 0".into()));
        }
        if !(MIN_BODY_LIMIT..=MAX_BODY_LIMIT).contains(&self.body_limit) {
            return Err(ConfigError::Invalid(format!(
                "`body_limit`: {} bytes must lie between {MIN_BODY_LIMIT} and {MAX_BODY_LIMIT} \
                 (1 KiB to 16 MiB: a webhook's body fits, a flood does not)",
                self.body_limit
            )));
        }
        if let Some(hook) = &self.pagerduty
            && hook.secrets_env.is_empty()
        {
            return Err(ConfigError::Invalid(
                "pagerduty: `secrets_env` names no variable".into(),
            ));
        }
        Ok(())
    }
}
