//! `POST /webhooks/pagerduty`: what people do in PagerDuty comes back into the engine. An
//! acknowledgement there acknowledges the engine's incident (escalation stops); a resolution
//! is recorded, and resolves the incident when `[service.pagerduty] resolve = true`.
//!
//! The engine pages with the incident's id as PagerDuty's dedup key, so a webhook's
//! `incident_key` names the engine's incident.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use cato_runbook_core::{ErrorKind, IncidentId};
use secrecy::SecretString;

use super::Shared;
use super::errors::ApiError;
use super::webhook;
use crate::config::ConfigError;
use crate::config::WebhookConfig;
use crate::pagerduty::webhook::{EventKind, parse};

/// How many delivered event ids are remembered, to drop PagerDuty's redeliveries.
const REMEMBERED: usize = 1024;

/// The subscription's secrets, what a resolution does, and the events already handled.
#[derive(Clone)]
pub(crate) struct Subscription {
    pub(crate) secrets: Vec<SecretString>,
    pub(crate) resolve: bool,
    pub(crate) seen: Arc<std::sync::Mutex<std::collections::VecDeque<String>>>,
}

impl Subscription {
    /// A subscription with these secrets.
    pub(crate) fn new(secrets: Vec<SecretString>, resolve: bool) -> Self {
        Subscription {
            secrets,
            resolve,
            seen: Arc::default(),
        }
    }

    /// Whether the event `id` was handled already (PagerDuty delivers at least once); the
    /// last [`REMEMBERED`] ids are kept.
    fn seen_before(&self, id: &str) -> bool {
        let Ok(seen) = self.seen.lock() else {
            return false;
        };
        seen.iter().any(|s| s == id)
    }

    fn remember(&self, id: &str) {
        if let Ok(mut seen) = self.seen.lock() {
            if seen.len() >= REMEMBERED {
                seen.pop_front();
            }
            seen.push_back(id.to_owned());
        }
    }
}

impl Subscription {
    /// The secrets, from the environment variables the table names.
    pub(crate) fn from_config(config: &WebhookConfig) -> Result<Self, ConfigError> {
        let secrets = config
            .secrets_env
            .iter()
            .map(|var| crate::config::secret_from_env(var))
            .collect::<Result<_, _>>()?;
        Ok(Subscription::new(secrets, config.resolve))
    }
}

/// The handler: 401 and nothing done for a bad or missing signature; 204 once handled (an
/// incident the engine does not know is ignored, so that PagerDuty does not retry it); 503
/// when the store cannot take it (PagerDuty retries).
pub(crate) async fn pagerduty(
    State(state): State<Arc<Shared>>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<StatusCode, ApiError> {
    let Some(subscription) = &state.webhook else {
        return Err(ApiError::not_found(
            "no PagerDuty webhook is configured ([service.pagerduty])",
        ));
    };
    let signature = headers
        .get("x-pagerduty-signature")
        .and_then(|v| v.to_str().ok());
    webhook::verify(&subscription.secrets, &body, signature)
        .map_err(|e| ApiError::unauthorized(e.to_string()))?;
    let event = parse(&body).map_err(|e| ApiError::bad_request(e.to_string()))?;
    if subscription.seen_before(&event.id) {
        tracing::debug!(event = %event.id, "a PagerDuty event delivered again");
        return Ok(StatusCode::NO_CONTENT);
    }
    let Some(key) = event.dedup_key.as_deref() else {
        tracing::debug!(event = %event.id, "a PagerDuty event without an incident key");
        return Ok(StatusCode::NO_CONTENT);
    };
    let id = IncidentId::new(key);
    let by = format!(
        "{} (PagerDuty)",
        event.agent.as_deref().unwrap_or("someone")
    );
    let done = match &event.kind {
        EventKind::Acknowledged => state.operator.acknowledge(&id, &by).await.map(|_| ()),
        EventKind::Resolved if subscription.resolve => {
            state
                .operator
                .resolve(&id, &by, "resolved in PagerDuty")
                .await
        }
        EventKind::Resolved => {
            state
                .operator
                .note(
                    &id,
                    &by,
                    "resolved in PagerDuty (the engine resolves on its own evidence)",
                )
                .await
        }
        EventKind::Other(kind) => {
            tracing::debug!(event = %event.id, kind, "a PagerDuty event the engine does not act on");
            Ok(())
        }
    };
    match done {
        Ok(()) => {
            subscription.remember(&event.id);
            tracing::info!(incident = %id, event = %event.id, kind = ?event.kind, "PagerDuty webhook handled");
            Ok(StatusCode::NO_CONTENT)
        }
        Err(err)
            if matches!(
                err.kind(),
                ErrorKind::NotFound | ErrorKind::IllegalTransition
            ) =>
        {
            tracing::info!(incident = %id, event = %event.id, error = %err, "a PagerDuty event on an incident not open here");
            Ok(StatusCode::NO_CONTENT)
        }
        Err(err) => Err(err.into()),
    }
}
