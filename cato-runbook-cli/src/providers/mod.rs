//! Real providers from the `[providers]` table: AWS, Redis, Kubernetes, the Cato admin API,
//! PagerDuty, Slack and SendGrid. A port with a section here gets its real provider; every other
//! port keeps its fake. Secrets (tokens, routing keys, passwords) are never in the file: the file
//! names the environment variables that hold them.

pub(crate) mod aws;
pub(crate) mod cato_api;
pub(crate) mod kubernetes;
pub(crate) mod pagerduty;
pub(crate) mod redis;
pub(crate) mod sendgrid;
pub(crate) mod slack;

use std::sync::Arc;

use cato_runbook_aws::secrecy::SecretString;
use cato_runbook_core::catalog::Providers;
use cato_runbook_core::ports::{CacheStats, Chat, Mail, Pager, SystemClock, Workloads};

use crate::config::ProvidersConfig;
use crate::exit::Failure;

/// The real providers the configuration asks for, built.
#[derive(Default)]
pub(crate) struct Real {
    pub(crate) cache_stats: Option<Arc<dyn CacheStats>>,
    pub(crate) workloads: Option<Arc<dyn Workloads>>,
    pub(crate) admin: Option<Arc<cato_runbook_aws::cato_api::CatoAdminApi>>,
    pub(crate) pager: Option<Arc<dyn Pager>>,
    pub(crate) chat: Option<Arc<dyn Chat>>,
    pub(crate) mail: Option<Arc<dyn Mail>>,
}

impl Real {
    /// Builds every configured provider (no network: clients connect on first use).
    pub(crate) async fn build(config: &ProvidersConfig) -> Result<Real, Failure> {
        let mut real = Real::default();
        if let Some(c) = &config.redis {
            real.cache_stats = Some(Arc::new(
                c.build().map_err(|f| f.prefixed("[providers.redis]"))?,
            ));
        }
        if let Some(c) = &config.kubernetes {
            real.workloads = Some(Arc::new(
                c.build()
                    .await
                    .map_err(|f| f.prefixed("[providers.kubernetes]"))?,
            ));
        }
        if let Some(c) = &config.cato_api {
            real.admin = Some(Arc::new(
                c.build().map_err(|f| f.prefixed("[providers.cato_api]"))?,
            ));
        }
        if let Some(c) = &config.pagerduty {
            real.pager = Some(Arc::new(
                c.build().map_err(|f| f.prefixed("[providers.pagerduty]"))?,
            ));
        }
        if let Some(c) = &config.slack {
            real.chat = Some(Arc::new(
                c.build().map_err(|f| f.prefixed("[providers.slack]"))?,
            ));
        }
        if let Some(c) = &config.sendgrid {
            real.mail = Some(Arc::new(
                c.build().map_err(|f| f.prefixed("[providers.sendgrid]"))?,
            ));
        }
        Ok(real)
    }

    /// Puts the real providers in place of the fakes; with any real one, time is the wall
    /// clock's.
    pub(crate) fn overlay(&self, providers: &mut Providers) {
        if let Some(p) = &self.cache_stats {
            providers.cache_stats = Some(Arc::clone(p));
        }
        if let Some(p) = &self.workloads {
            providers.workloads = Some(Arc::clone(p));
        }
        if let Some(p) = &self.admin {
            providers.budget = Some(p.clone());
            providers.traffic = Some(p.clone());
        }
        if !self.describe().is_empty() {
            providers.clock = Arc::new(SystemClock);
        }
    }

    /// `(port, provider)` for each real provider.
    pub(crate) fn describe(&self) -> Vec<(&'static str, String)> {
        let mut rows = Vec::new();
        if let Some(p) = &self.cache_stats {
            rows.push(("cache-stats", p.to_string()));
        }
        if let Some(p) = &self.workloads {
            rows.push(("workloads", p.to_string()));
        }
        if let Some(p) = &self.admin {
            rows.push(("budget", p.to_string()));
            rows.push(("traffic", p.to_string()));
        }
        if let Some(p) = &self.pager {
            rows.push(("pager", p.to_string()));
        }
        if let Some(p) = &self.chat {
            rows.push(("chat", p.to_string()));
        }
        if let Some(p) = &self.mail {
            rows.push(("mail", p.to_string()));
        }
        rows
    }
}

impl ProvidersConfig {
    /// Whether any real provider is configured.
    pub(crate) fn any_real(&self) -> bool {
        self.redis.is_some()
            || self.kubernetes.is_some()
            || self.cato_api.is_some()
            || self.pagerduty.is_some()
            || self.slack.is_some()
            || self.sendgrid.is_some()
    }
}

/// The secret in the environment variable `var`.
pub(crate) fn secret_from_env(var: &str) -> Result<SecretString, Failure> {
    match std::env::var(var) {
        Ok(value) if !value.trim().is_empty() => Ok(SecretString::from(value)),
        _ => Err(Failure::usage(format!(
            "the environment variable {var} (named in the configuration) is not set"
        ))),
    }
}

/// A `reqwest` client for the HTTP providers (rustls, the platform's roots).
pub(crate) fn http_client() -> Result<reqwest::Client, Failure> {
    reqwest::Client::builder()
        .user_agent(concat!("cato-runbook/", env!("CARGO_PKG_VERSION")))
        .build()
        .map_err(|e| Failure::runtime(format!("cannot make an HTTP client: {e}")))
}
