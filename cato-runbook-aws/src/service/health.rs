//! What people and platforms look at without acting: the status page, `/healthz`, `/readyz`
//! and `/metrics`.

use std::sync::Arc;

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use serde_json::json;

use super::Shared;
use super::errors::ApiError;
use crate::config::Role;

/// `GET /`: the status page, server-rendered.
pub(crate) async fn page(State(state): State<Arc<Shared>>, headers: HeaderMap) -> Response {
    if !state.public_status
        && let Err(err) = state.tokens.authorize(&headers, Role::Viewer)
    {
        // A browser asks for the token (as the password) when told how.
        let mut response = err.into_response();
        response.headers_mut().insert(
            header::WWW_AUTHENTICATE,
            header::HeaderValue::from_static("Basic realm=\"cato-runbook\""),
        );
        return response;
    }
    let standing = state.operator.standing();
    let incidents = match state.operator.open_incidents().await {
        Ok(incidents) => incidents,
        Err(err) => return ApiError::from(err).into_response(),
    };
    let ladders =
        |id: &cato_runbook_core::RunbookId| state.ladders.get(id).cloned().unwrap_or_default();
    let view = super::page::view(
        &standing.replica,
        standing.leads,
        standing.halted,
        &state.mode,
        state.operator.now(),
        &incidents,
        &ladders,
    );
    match super::page::render(&view) {
        Ok(html) => Html(html).into_response(),
        Err(err) => {
            ApiError::internal(format!("the page could not be made: {err}")).into_response()
        }
    }
}

/// `GET /healthz`: the process answers.
pub(crate) async fn healthz() -> &'static str {
    "ok\n"
}

/// `GET /readyz`: the store answers, the lease has told this replica where it stands and a
/// tick has finished.
pub(crate) async fn readyz(State(state): State<Arc<Shared>>) -> Response {
    let standing = state.operator.standing();
    let store = state.operator.check_store().await;
    let ready = store.is_ok() && standing.known && standing.ticks > 0;
    let body = json!({
        "ready": ready,
        "store": store.as_ref().map_or_else(|e| e.to_string(), |()| "reachable".to_owned()),
        "leader": if standing.known { json!(standing.leads) } else { json!(null) },
        "replica": standing.replica,
        "ticks": standing.ticks,
    });
    let status = if ready {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    (status, Json(body)).into_response()
}

/// `GET /metrics`: the Prometheus text of the installed recorder.
pub(crate) async fn metrics(State(state): State<Arc<Shared>>) -> Response {
    match &state.metrics {
        Some(handle) => (
            [(header::CONTENT_TYPE, "text/plain; version=0.0.4")],
            handle.render(),
        )
            .into_response(),
        None => {
            ApiError::not_found("no metrics recorder is installed in this process").into_response()
        }
    }
}
