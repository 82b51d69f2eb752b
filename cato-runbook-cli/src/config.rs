//! The configuration file: thresholds, caps, escalation contacts and providers.
//!
//! ```toml
//! enabled = ["shadow-self-down", "high-latency"]   # default: every runbook
//!
//! [engine]       # tick interval, hysteresis, escalation contacts and delays
//! [policy]       # mode, approvals, caps, cooldowns
//! [runbooks.high-latency]   # one table per runbook: its thresholds and targets
//! [postmortem]   # author, owner, due dates, revenue per minute
//!
//! [providers]
//! kind = "fake"                  # the in-memory fakes
//! world = "my-world.toml"        # optional: the fakes' world (a WorldConfig)
//!
//! [providers.aws]                # optional: AWS for its ports, the fakes for the rest
//! region = "us-east-1"           # see `providers::aws` for every key
//! [providers.redis]              # optional: real providers in place of some fakes
//! [providers.kubernetes]         #   (see `providers/*.rs` and the README)
//! [providers.cato_api]
//! [providers.pagerduty]
//! [providers.slack]
//! [providers.sendgrid]
//! ```

use std::path::{Path, PathBuf};

use cato_runbook_core::catalog::{self, CatalogConfig};
use cato_runbook_core::engine::{EngineConfig, Policy};
use cato_runbook_core::postmortem::PostmortemOptions;
use cato_runbook_mock::WorldConfig;
use serde::{Deserialize, Serialize};

use crate::exit::Failure;

/// Where the ports come from.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum ProviderKind {
    /// The in-memory fakes of `cato-runbook-mock`.
    #[default]
    Fake,
}

/// The `[providers]` table.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub(crate) struct ProvidersConfig {
    pub(crate) kind: ProviderKind,
    /// A `WorldConfig` file for the fakes, relative to the config file.
    pub(crate) world: Option<PathBuf>,
    /// Cache counters from Redis `INFO`.
    pub(crate) redis: Option<crate::providers::redis::RedisConfig>,
    /// The orchestrator's Deployment.
    pub(crate) kubernetes: Option<crate::providers::kubernetes::KubernetesConfig>,
    /// Budget and traffic controls from the Cato admin API.
    pub(crate) cato_api: Option<crate::providers::cato_api::CatoApiConfig>,
    /// Pages through PagerDuty Events v2.
    pub(crate) pagerduty: Option<crate::providers::pagerduty::PagerDutyConfig>,
    /// Chat through Slack.
    pub(crate) slack: Option<crate::providers::slack::SlackConfig>,
    /// Mail (the AWS TAM) through SendGrid.
    pub(crate) sendgrid: Option<crate::providers::sendgrid::SendGridConfig>,
    /// `[providers.aws]`: AWS providers for the ports they serve; the fakes for the rest.
    pub(crate) aws: Option<crate::providers::aws::AwsConfig>,
}

impl ProvidersConfig {
    /// Whether any port talks to a real service (then time is the wall clock's).
    pub(crate) fn real(&self) -> bool {
        self.aws.is_some() || self.any_real()
    }
}

/// The whole file.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub(crate) struct Config {
    pub(crate) enabled: Option<Vec<String>>,
    pub(crate) engine: EngineConfig,
    pub(crate) policy: Policy,
    pub(crate) runbooks: CatalogConfig,
    pub(crate) postmortem: PostmortemOptions,
    pub(crate) providers: ProvidersConfig,
    #[serde(skip)]
    pub(crate) file: Option<PathBuf>,
}

impl Config {
    /// Reads `path`, or the defaults when there is none.
    pub(crate) fn load(path: Option<&Path>) -> Result<Config, Failure> {
        let Some(path) = path else {
            return Ok(Config::default());
        };
        let text = std::fs::read_to_string(path).map_err(|e| {
            Failure::usage(format!(
                "{}: cannot read the configuration: {e}",
                path.display()
            ))
        })?;
        let mut config: Config = toml::from_str(&text).map_err(|e| {
            let place = e
                .span()
                .map(|span| {
                    let before = text.get(..span.start).unwrap_or("");
                    format!(":{}", before.matches('\n').count() + 1)
                })
                .unwrap_or_default();
            Failure::usage(format!("{}{place}: {}", path.display(), e.message().trim()))
        })?;
        config.file = Some(path.to_owned());
        for id in config.enabled.iter().flatten() {
            catalog::entry(id).map_err(|e| {
                Failure::usage(format!("{}: `enabled`: {}", path.display(), e.message()))
            })?;
        }
        Ok(config)
    }

    /// The runbooks to run: the enabled ones, or every one.
    pub(crate) fn enabled(&self) -> Vec<&'static catalog::Entry> {
        catalog::entries()
            .iter()
            .filter(|e| {
                self.enabled
                    .as_ref()
                    .is_none_or(|ids| ids.iter().any(|id| id == e.id))
            })
            .collect()
    }

    /// The fakes' world: the configured file, or the default world.
    pub(crate) fn world(&self) -> Result<WorldConfig, Failure> {
        let Some(world) = &self.providers.world else {
            return Ok(WorldConfig::default());
        };
        let path = match self.file.as_deref().and_then(Path::parent) {
            Some(dir) => dir.join(world),
            None => world.clone(),
        };
        let text = std::fs::read_to_string(&path).map_err(|e| {
            Failure::usage(format!("{}: cannot read the world: {e}", path.display()))
        })?;
        let config: WorldConfig = toml::from_str(&text)
            .map_err(|e| Failure::usage(format!("{}: {}", path.display(), e.message().trim())))?;
        config
            .validate()
            .map_err(|e| Failure::usage(format!("{}: {}", path.display(), e.message())))?;
        Ok(config)
    }

    /// The name of the file, for messages.
    pub(crate) fn source(&self) -> String {
        self.file.as_ref().map_or_else(
            || "built-in defaults".to_owned(),
            |f| f.display().to_string(),
        )
    }
}
