//! The operator service: an HTTP API over an [`Engine`]'s [`Operator`], the status page,
//! PagerDuty's webhook, and what a host's platform watches (`/metrics`, `/healthz`,
//! `/readyz`). The command's `run` serves it; a host mounts [`Service::router`] in its own
//! server.
//!
//! | route | role | what |
//! | --- | --- | --- |
//! | `GET /` | viewer (or none with `public_status`) | the status page: open incidents, severity, SLA clock, ladder, timeline |
//! | `GET /api/status` | viewer | replica, leader, halted, mode, open incidents |
//! | `GET /api/incidents`, `GET /api/incidents/{id}` | viewer | open incidents; one incident with its timeline |
//! | `POST /api/incidents` | responder | declare an incident by hand |
//! | `POST /api/incidents/{id}/{ack,approve,deny,notes,resolve,tam,postmortem}` | responder | act on an incident |
//! | `POST /api/halt`, `POST /api/resume` | admin | the kill switch |
//! | `POST /webhooks/pagerduty` | PagerDuty's signature | acknowledgements and resolutions made in PagerDuty |
//! | `GET /metrics`, `/healthz`, `/readyz` | none | Prometheus text; alive; store reachable and leader state known |
//!
//! Every action is recorded on the incident's timeline under the token's name. A refused
//! request changes nothing and says why: `{"error": {"kind", "message"}}`.

mod api;
mod auth;
mod errors;
mod health;
mod hooks;
mod page;
pub(crate) mod webhook;

use std::collections::HashMap;
use std::fmt;
use std::sync::Arc;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post};
use cato_runbook_core::RunbookId;
use cato_runbook_core::engine::{Engine, Operator};
use metrics_exporter_prometheus::PrometheusHandle;

pub use crate::config::{Role, ServiceConfig, TokenConfig, WebhookConfig};
pub use auth::hash_token;
pub use webhook::sign as sign_pagerduty_webhook;

use crate::config::ConfigError;

/// What every handler shares.
#[derive(Clone)]
pub(crate) struct Shared {
    pub(crate) operator: Operator,
    pub(crate) mode: String,
    pub(crate) ladders: HashMap<RunbookId, Vec<String>>,
    pub(crate) tokens: auth::Tokens,
    pub(crate) public_status: bool,
    pub(crate) webhook: Option<hooks::Subscription>,
    pub(crate) metrics: Option<PrometheusHandle>,
}

/// The operator service of one engine.
#[derive(Clone)]
pub struct Service {
    state: Shared,
    body_limit: usize,
}

impl fmt::Debug for Service {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Service")
            .field("mode", &self.state.mode)
            .field("body_limit", &self.body_limit)
            .finish_non_exhaustive()
    }
}

impl Service {
    /// The service of `engine`, as `[service]` configures it (the webhook's secrets are read
    /// from the environment now).
    ///
    /// # Errors
    ///
    /// [`ConfigError::Invalid`] for a bad table or a webhook secret missing from the
    /// environment.
    pub fn new(engine: &Engine, config: &ServiceConfig) -> Result<Service, ConfigError> {
        config.validate().map_err(|e| e.prefixed("[service]"))?;
        let webhook = match &config.pagerduty {
            Some(hook) => Some(
                hooks::Subscription::from_config(hook)
                    .map_err(|e| e.prefixed("[service.pagerduty]"))?,
            ),
            None => None,
        };
        let ladders = engine
            .runbooks()
            .iter()
            .map(|r| {
                let steps = r.ladder().iter().map(|m| m.name().to_owned()).collect();
                (r.id().clone(), steps)
            })
            .collect();
        Ok(Service {
            state: Shared {
                operator: engine.operator(),
                mode: engine.policy().mode.to_string(),
                ladders,
                tokens: auth::Tokens::new(&config.tokens),
                public_status: config.public_status,
                webhook,
                metrics: None,
            },
            body_limit: config.body_limit,
        })
    }

    /// Serves the metrics `handle` renders at `/metrics` (the host installed its recorder).
    #[must_use]
    pub fn with_metrics(mut self, handle: PrometheusHandle) -> Self {
        self.state.metrics = Some(handle);
        self
    }

    /// Takes PagerDuty's v3 webhooks with these signing secrets (a host that keeps them in a
    /// vault rather than the environment); `resolve`: whether `incident.resolved` resolves.
    #[must_use]
    pub fn with_pagerduty_webhook(
        mut self,
        secrets: Vec<secrecy::SecretString>,
        resolve: bool,
    ) -> Self {
        self.state.webhook = Some(hooks::Subscription::new(secrets, resolve));
        self
    }

    /// The routes, ready to serve (`axum::serve`) or to nest in a host's router.
    pub fn router(&self) -> Router {
        Router::new()
            .route("/", get(health::page))
            .route("/healthz", get(health::healthz))
            .route("/readyz", get(health::readyz))
            .route("/metrics", get(health::metrics))
            .route("/api/status", get(api::status))
            .route("/api/incidents", get(api::list).post(api::declare))
            .route("/api/incidents/{id}", get(api::show))
            .route("/api/incidents/{id}/ack", post(api::ack))
            .route("/api/incidents/{id}/approve", post(api::approve))
            .route("/api/incidents/{id}/deny", post(api::deny))
            .route("/api/incidents/{id}/notes", post(api::note))
            .route("/api/incidents/{id}/resolve", post(api::resolve))
            .route("/api/incidents/{id}/tam", post(api::tam))
            .route("/api/incidents/{id}/postmortem", post(api::postmortem))
            .route("/api/halt", post(api::halt))
            .route("/api/resume", post(api::resume))
            .route("/webhooks/pagerduty", post(hooks::pagerduty))
            .fallback(api::unknown_route)
            .layer(DefaultBodyLimit::max(self.body_limit))
            .with_state(Arc::new(self.state.clone()))
    }
}

/// The histograms' buckets, in seconds: provider calls and ticks.
const BUCKETS: &[f64] = &[
    0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0,
];

/// Installs a Prometheus recorder as the process's `metrics` recorder (histograms with
/// buckets from 1 ms to 60 s) and returns the handle that renders its scrape. Call the
/// handle's `run_upkeep` every few seconds (as `cato-runbook run` does), so that samples
/// recorded between scrapes stay bounded.
///
/// # Errors
///
/// [`ConfigError::Unavailable`] when a recorder is installed already.
pub fn install_prometheus() -> Result<PrometheusHandle, ConfigError> {
    metrics_exporter_prometheus::PrometheusBuilder::new()
        .set_buckets(BUCKETS)
        .map_err(|e| ConfigError::Unavailable(format!("the metrics buckets: {e}")))?
        .install_recorder()
        .map_err(|e| ConfigError::Unavailable(format!("cannot install the metrics recorder: {e}")))
}
