//! The configuration file, `cato.toml`: the engine, the policy, the runbooks, the providers,
//! the store and the lease, and the service. The command and a host load the same file. The
//! schema (feature `config`: [`Config::load`], every table, its checks) needs serde and toml
//! alone; building the providers, the store and the lease from it (`Wiring`, feature
//! `wiring`) needs every provider's client:
//!
//! ```no_run
//! # #[cfg(feature = "wiring")]
//! # async fn host() -> Result<(), Box<dyn std::error::Error>> {
//! use cato_runbook_aws::config::{Config, Wiring};
//!
//! let config = Config::load("cato.toml")?;
//! let wiring = Wiring::from_config(&config).await?;     // clients, the store, the lease
//! let engine = wiring.engine(&config, &wiring.providers()?)?;
//! # let _ = engine; Ok(()) }
//! ```
//!
//! ```toml
//! enabled = ["shadow-self-down", "high-latency"]   # default: every runbook
//!
//! [engine]       # tick interval, hysteresis, escalation contacts and delays, the lease's ttl
//! [policy]       # mode, approvals, caps, cooldowns, prices
//! [runbooks.high-latency]   # one table per runbook: its thresholds and targets
//! [postmortem]   # author, owner, due dates, revenue per minute
//!
//! [providers]
//! kind = "fake"                  # what a port without a real provider uses: the command's fakes
//! world = "my-world.toml"        # the command's fakes' world (a WorldConfig), if any
//! [providers.aws]                # AWS for its ports (see `aws.rs` for every key)
//! [providers.redis]              # and the other real providers (`redis.rs`, `kubernetes.rs`,
//! [providers.kubernetes]         #   `http.rs`)
//! [providers.cato_api]
//! [providers.pagerduty]
//! [providers.slack]
//! [providers.sendgrid]
//! [providers.deployments]        # recent deployments: SageMaker's endpoint configs (`changes.rs`)
//! [providers.health]             # AWS Health (`changes.rs`)
//!
//! [store]                        # where incidents are kept (see `store.rs`): SQLite by default
//! [lease]                        # who acts among replicas: none (one process) by default
//! [service]                      # the operator API: listen address, tokens, webhooks
//! [trace]                        # what `run` records for `replay` (see `trace.rs`): on
//! ```
//!
//! An unknown key or a bad value is a [`ConfigError`] naming the file, the line and the key.

mod aws;
#[cfg(feature = "wiring")]
mod build;
mod changes;
mod checks;
mod http;
mod kubernetes;
mod redis;
mod service;
mod store;
mod trace;

use std::path::{Path, PathBuf};

use cato_runbook_core::catalog::{self, CatalogConfig};
use cato_runbook_core::engine::{EngineConfig, KnownNames, Policy};
use cato_runbook_core::postmortem::PostmortemOptions;
use serde::{Deserialize, Serialize};

pub use aws::{AwsConfig, Capacity};
pub use changes::{DeploymentsConfig, HealthConfig};
pub use http::{CatoApiConfig, PagerDutyConfig, SendGridConfig, SlackConfig};
pub use kubernetes::KubernetesConfig;
pub use redis::{CacheServer, RedisConfig};
pub use store::{LeaseConfig, LeaseKind, StoreConfig, StoreKind};
pub use trace::TraceConfig;

#[cfg(feature = "wiring")]
#[cfg_attr(docsrs, doc(cfg(feature = "wiring")))]
pub use build::Wiring;
#[cfg(feature = "service")]
pub(crate) use build::secret_from_env;

pub use service::{Role, ServiceConfig, TokenConfig, WebhookConfig};

/// A configuration that cannot be loaded or built.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The file, a value in it or the environment it names is wrong: a person must fix it.
    #[error("{0}")]
    Invalid(String),
    /// A client or a file could not be set up (no network is touched when building).
    #[error("{0}")]
    Unavailable(String),
}

impl ConfigError {
    /// `place: message`.
    pub fn prefixed(self, place: &str) -> Self {
        match self {
            ConfigError::Invalid(m) => ConfigError::Invalid(format!("{place}: {m}")),
            ConfigError::Unavailable(m) => ConfigError::Unavailable(format!("{place}: {m}")),
        }
    }

    fn invalid(message: impl Into<String>) -> Self {
        ConfigError::Invalid(message.into())
    }
}

impl From<cato_runbook_core::Error> for ConfigError {
    fn from(err: cato_runbook_core::Error) -> Self {
        match err.kind() {
            cato_runbook_core::ErrorKind::InvalidInput => ConfigError::Invalid(err.to_string()),
            _ => ConfigError::Unavailable(err.to_string()),
        }
    }
}

/// What a port without a real provider uses.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ProviderKind {
    /// The command's in-memory fakes; a host leaves such a port unset, and an enabled runbook
    /// that needs it makes building the engine fail, naming the port (enable only the runbooks
    /// whose ports are configured).
    #[default]
    Fake,
}

/// The `[providers]` table.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ProvidersConfig {
    /// What a port without a real provider uses.
    pub kind: ProviderKind,
    /// A world file for the command's fakes, relative to the configuration file.
    pub world: Option<PathBuf>,
    /// Cache counters from Redis `INFO`.
    pub redis: Option<RedisConfig>,
    /// The orchestrator's Deployment.
    pub kubernetes: Option<KubernetesConfig>,
    /// Budget and traffic controls from the Cato admin API.
    pub cato_api: Option<CatoApiConfig>,
    /// Pages through PagerDuty Events v2.
    pub pagerduty: Option<PagerDutyConfig>,
    /// Chat through Slack.
    pub slack: Option<SlackConfig>,
    /// Mail (the AWS TAM) through SendGrid.
    pub sendgrid: Option<SendGridConfig>,
    /// AWS providers for the ports they serve.
    pub aws: Option<AwsConfig>,
    /// Recent deployments from real sources (SageMaker's endpoint configs).
    pub deployments: Option<DeploymentsConfig>,
    /// The cloud's health dashboard from AWS Health.
    pub health: Option<HealthConfig>,
}

impl ProvidersConfig {
    /// Whether any port talks to a real service (then time is the wall clock's).
    pub fn real(&self) -> bool {
        !self.real_tables().is_empty()
    }

    /// The tables that name a real provider (`[providers.aws]`, …), in the schema's order:
    /// what a build without the providers refuses, naming each.
    pub fn real_tables(&self) -> Vec<&'static str> {
        [
            (self.redis.is_some(), "[providers.redis]"),
            (self.kubernetes.is_some(), "[providers.kubernetes]"),
            (self.cato_api.is_some(), "[providers.cato_api]"),
            (self.pagerduty.is_some(), "[providers.pagerduty]"),
            (self.slack.is_some(), "[providers.slack]"),
            (self.sendgrid.is_some(), "[providers.sendgrid]"),
            (self.aws.is_some(), "[providers.aws]"),
            (self.deployments.is_some(), "[providers.deployments]"),
            (
                self.health.as_ref().is_some_and(|h| h.enabled),
                "[providers.health]",
            ),
        ]
        .into_iter()
        .filter_map(|(named, table)| named.then_some(table))
        .collect()
    }
}

/// The whole file.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// The runbooks to run (ids); every one when absent.
    pub enabled: Option<Vec<String>>,
    /// The engine: tick interval, hysteresis, escalation, timeouts, the lease's ttl.
    pub engine: EngineConfig,
    /// The guardrails.
    pub policy: Policy,
    /// Each runbook's thresholds and targets.
    pub runbooks: CatalogConfig,
    /// The postmortem's options.
    pub postmortem: PostmortemOptions,
    /// Where the ports come from.
    pub providers: ProvidersConfig,
    /// Where incidents are kept.
    pub store: StoreConfig,
    /// Who acts among replicas.
    pub lease: LeaseConfig,
    /// The operator API.
    pub service: ServiceConfig,
    /// What `run` records of the providers' answers.
    pub trace: TraceConfig,
    /// The file it was read from (relative paths in it are relative to its folder).
    #[serde(skip)]
    pub file: Option<PathBuf>,
}

impl Config {
    /// Reads and checks `path`.
    ///
    /// # Errors
    ///
    /// [`ConfigError::Invalid`] naming the file (and the line) for a file that cannot be read,
    /// an unknown key, a bad value or an unknown runbook.
    pub fn load(path: impl AsRef<Path>) -> Result<Config, ConfigError> {
        let path = path.as_ref();
        let text = std::fs::read_to_string(path).map_err(|e| {
            ConfigError::invalid(format!(
                "{}: cannot read the configuration: {e}",
                path.display()
            ))
        })?;
        let mut config = Config::parse(&text, &path.display().to_string())?;
        config.file = Some(path.to_owned());
        Ok(config)
    }

    /// Parses the text of a configuration; `origin` names it in errors.
    ///
    /// # Errors
    ///
    /// As [`load`](Self::load).
    pub fn parse(text: &str, origin: &str) -> Result<Config, ConfigError> {
        let config: Config = toml::from_str(text).map_err(|e| {
            let place = e
                .span()
                .map(|span| {
                    let before = text.get(..span.start).unwrap_or("");
                    format!(":{}", before.matches('\n').count() + 1)
                })
                .unwrap_or_default();
            ConfigError::invalid(format!("{origin}{place}: {}", e.message().trim()))
        })?;
        for id in config.enabled.iter().flatten() {
            catalog::entry(id).map_err(|e| {
                ConfigError::invalid(format!("{origin}: `enabled`: {}", e.message()))
            })?;
        }
        config
            .engine
            .validate()
            .and_then(|()| config.policy.validate(&KnownNames::catalog()))
            .and_then(|()| config.runbooks.validate())
            .and_then(|()| config.postmortem.validate())
            .map_err(|e| ConfigError::invalid(format!("{origin}: {}", e.message())))?;
        cato_runbook_core::catalog::prices::PriceTable::new(&config.policy.prices)
            .map_err(|e| ConfigError::invalid(format!("{origin}: {}", e.message())))?;
        config
            .service
            .validate()
            .map_err(|e| e.prefixed(&format!("{origin}: [service]")))?;
        config.trace.validate().map_err(|e| e.prefixed(origin))?;
        config
            .providers
            .validate()
            .map_err(|e| e.prefixed(origin))?;
        config.lease.validate().map_err(|e| e.prefixed(origin))?;
        config.store.validate().map_err(|e| e.prefixed(origin))?;
        Ok(config)
    }

    /// The runbooks to run: the enabled ones, or every one.
    pub fn enabled(&self) -> Vec<&'static catalog::Entry> {
        catalog::entries()
            .iter()
            .filter(|e| {
                self.enabled
                    .as_ref()
                    .is_none_or(|ids| ids.iter().any(|id| id == e.id))
            })
            .collect()
    }

    /// The ports of the first five minutes served from AWS (`deployments` with SageMaker
    /// endpoints, `health` when enabled): what the IAM policy adds to the runbooks'.
    pub fn first_five_minutes_ports(&self) -> Vec<cato_runbook_core::catalog::PortName> {
        changes::ports(
            self.providers.deployments.as_ref(),
            self.providers.health.as_ref(),
            &self.runbooks,
        )
    }

    /// `path` relative to the configuration file's folder (as is when absolute).
    pub fn relative(&self, path: &Path) -> PathBuf {
        match self.file.as_deref().and_then(Path::parent) {
            Some(dir) if path.is_relative() => dir.join(path),
            _ => path.to_owned(),
        }
    }

    /// The name of the file, for messages.
    pub fn source(&self) -> String {
        self.file.as_ref().map_or_else(
            || "built-in defaults".to_owned(),
            |f| f.display().to_string(),
        )
    }
}
