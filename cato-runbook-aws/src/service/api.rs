//! The JSON routes under `/api`: read incidents, act on them, declare one, the kill switch.

use std::sync::Arc;

use axum::Json;
use axum::extract::rejection::JsonRejection;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use cato_runbook_core::engine::{Declaration, Declared};
use cato_runbook_core::{Incident, IncidentId};
use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};

use super::Shared;
use super::errors::ApiError;
use crate::config::Role;

type Reply = Result<Json<Value>, ApiError>;

/// The longest text (a note, a reason, a title) taken.
const MAX_TEXT: usize = 4096;

/// `{"step": ...}`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct StepBody {
    step: String,
}

/// `{"step": ..., "reason": ...}`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct DenyBody {
    step: String,
    reason: String,
}

/// `{"text": ...}`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct NoteBody {
    text: String,
}

/// `{"reason": ...}`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct ReasonBody {
    reason: String,
}

/// `{"url": ...}`: where the postmortem is.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct PostmortemBody {
    url: String,
}

/// A JSON body, or a 400 that says what is wrong with it.
fn body<T: DeserializeOwned>(body: Result<Json<T>, JsonRejection>) -> Result<T, ApiError> {
    body.map(|Json(value)| value).map_err(|rejection| {
        if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
            ApiError::too_large(rejection.body_text())
        } else {
            ApiError::bad_request(rejection.body_text())
        }
    })
}

/// A text field: not blank, not longer than [`MAX_TEXT`].
fn text<'a>(field: &str, value: &'a str) -> Result<&'a str, ApiError> {
    let value = value.trim();
    if value.is_empty() {
        return Err(ApiError::bad_request(format!("`{field}` is empty")));
    }
    if value.len() > MAX_TEXT {
        return Err(ApiError::bad_request(format!(
            "`{field}` is longer than {MAX_TEXT} bytes"
        )));
    }
    Ok(value)
}

fn incident_json(incident: &Incident) -> Reply {
    serde_json::to_value(incident)
        .map(Json)
        .map_err(|e| ApiError::internal(e.to_string()))
}

/// The incident after an action.
async fn current(state: &Shared, id: &IncidentId) -> Reply {
    match state.operator.incident(id).await? {
        Some(incident) => incident_json(&incident),
        None => Err(ApiError::not_found(format!("no incident {id}"))),
    }
}

/// `GET /api/status`.
pub(crate) async fn status(State(state): State<Arc<Shared>>, headers: HeaderMap) -> Reply {
    state.tokens.authorize(&headers, Role::Viewer)?;
    status_json(&state).await
}

async fn status_json(state: &Shared) -> Reply {
    let standing = state.operator.standing();
    let open = state.operator.open_incidents().await?.len();
    Ok(Json(json!({
        "replica": standing.replica,
        "leader": standing.leads,
        "halted": standing.halted,
        "mode": state.mode,
        "open": open,
    })))
}

/// `GET /api/incidents`.
pub(crate) async fn list(State(state): State<Arc<Shared>>, headers: HeaderMap) -> Reply {
    state.tokens.authorize(&headers, Role::Viewer)?;
    let incidents = state.operator.open_incidents().await?;
    Ok(Json(json!({ "incidents": incidents })))
}

/// `GET /api/incidents/{id}`.
pub(crate) async fn show(
    State(state): State<Arc<Shared>>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Reply {
    state.tokens.authorize(&headers, Role::Viewer)?;
    current(&state, &IncidentId::new(id)).await
}

/// `POST /api/incidents`: declare one by hand.
pub(crate) async fn declare(
    State(state): State<Arc<Shared>>,
    headers: HeaderMap,
    declaration: Result<Json<Declaration>, JsonRejection>,
) -> Result<(StatusCode, Json<Value>), ApiError> {
    let caller = state.tokens.authorize(&headers, Role::Responder)?;
    let declaration = body(declaration)?;
    for (field, value) in [
        ("title", &declaration.title),
        ("resource", &declaration.resource),
        ("source", &declaration.source),
    ] {
        if let Some(value) = value {
            text(field, value)?;
        }
    }
    let declared = state.operator.declare(&declaration, &caller.name).await?;
    let status = match declared {
        Declared::Opened(_) => StatusCode::CREATED,
        Declared::AlreadyOpen(_) => StatusCode::OK,
    };
    Ok((status, incident_json(declared.incident())?))
}

/// `POST /api/incidents/{id}/ack`.
pub(crate) async fn ack(
    State(state): State<Arc<Shared>>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Reply {
    let caller = state.tokens.authorize(&headers, Role::Responder)?;
    let id = IncidentId::new(id);
    state.operator.acknowledge(&id, &caller.name).await?;
    current(&state, &id).await
}

/// `POST /api/incidents/{id}/approve`.
pub(crate) async fn approve(
    State(state): State<Arc<Shared>>,
    headers: HeaderMap,
    Path(id): Path<String>,
    request: Result<Json<StepBody>, JsonRejection>,
) -> Reply {
    let caller = state.tokens.authorize(&headers, Role::Responder)?;
    let request = body(request)?;
    let id = IncidentId::new(id);
    state
        .operator
        .approve(&id, text("step", &request.step)?, &caller.name)
        .await?;
    current(&state, &id).await
}

/// `POST /api/incidents/{id}/deny`.
pub(crate) async fn deny(
    State(state): State<Arc<Shared>>,
    headers: HeaderMap,
    Path(id): Path<String>,
    request: Result<Json<DenyBody>, JsonRejection>,
) -> Reply {
    let caller = state.tokens.authorize(&headers, Role::Responder)?;
    let request = body(request)?;
    let id = IncidentId::new(id);
    let (step, reason) = (
        text("step", &request.step)?,
        text("reason", &request.reason)?,
    );
    state.operator.deny(&id, step, &caller.name, reason).await?;
    current(&state, &id).await
}

/// `POST /api/incidents/{id}/notes`.
pub(crate) async fn note(
    State(state): State<Arc<Shared>>,
    headers: HeaderMap,
    Path(id): Path<String>,
    request: Result<Json<NoteBody>, JsonRejection>,
) -> Reply {
    let caller = state.tokens.authorize(&headers, Role::Responder)?;
    let request = body(request)?;
    let id = IncidentId::new(id);
    state
        .operator
        .note(&id, &caller.name, text("text", &request.text)?)
        .await?;
    current(&state, &id).await
}

/// `POST /api/incidents/{id}/resolve`.
pub(crate) async fn resolve(
    State(state): State<Arc<Shared>>,
    headers: HeaderMap,
    Path(id): Path<String>,
    request: Result<Json<ReasonBody>, JsonRejection>,
) -> Reply {
    let caller = state.tokens.authorize(&headers, Role::Responder)?;
    let request = body(request)?;
    let id = IncidentId::new(id);
    state
        .operator
        .resolve(&id, &caller.name, text("reason", &request.reason)?)
        .await?;
    current(&state, &id).await
}

/// `POST /api/incidents/{id}/tam`: call in the AWS TAM.
pub(crate) async fn tam(
    State(state): State<Arc<Shared>>,
    headers: HeaderMap,
    Path(id): Path<String>,
    request: Result<Json<ReasonBody>, JsonRejection>,
) -> Reply {
    let caller = state.tokens.authorize(&headers, Role::Responder)?;
    let request = body(request)?;
    let id = IncidentId::new(id);
    state
        .operator
        .escalate_to_aws_tam(&id, &caller.name, text("reason", &request.reason)?)
        .await?;
    current(&state, &id).await
}

/// `POST /api/incidents/{id}/postmortem`: attach it; the incident closes.
pub(crate) async fn postmortem(
    State(state): State<Arc<Shared>>,
    headers: HeaderMap,
    Path(id): Path<String>,
    request: Result<Json<PostmortemBody>, JsonRejection>,
) -> Reply {
    let caller = state.tokens.authorize(&headers, Role::Responder)?;
    let request = body(request)?;
    let id = IncidentId::new(id);
    let closed = state
        .operator
        .close(&id, &caller.name, text("url", &request.url)?)
        .await?;
    incident_json(&closed)
}

/// `POST /api/halt`: the kill switch.
pub(crate) async fn halt(
    State(state): State<Arc<Shared>>,
    headers: HeaderMap,
    request: Result<Json<ReasonBody>, JsonRejection>,
) -> Reply {
    let caller = state.tokens.authorize(&headers, Role::Admin)?;
    let request = body(request)?;
    state
        .operator
        .halt(&caller.name, text("reason", &request.reason)?)
        .await?;
    status_json(&state).await
}

/// `POST /api/resume`.
pub(crate) async fn resume(State(state): State<Arc<Shared>>, headers: HeaderMap) -> Reply {
    let caller = state.tokens.authorize(&headers, Role::Admin)?;
    state.operator.resume(&caller.name).await?;
    status_json(&state).await
}

/// Any other route: a JSON 404.
pub(crate) async fn unknown_route() -> ApiError {
    ApiError::not_found("no such route; see the service's documentation for its routes")
}
