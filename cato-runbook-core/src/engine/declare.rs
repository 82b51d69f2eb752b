//! What people open and close by hand: an incident declared from a user report or a dashboard
//! anomaly (the runbook's manual detection), and the postmortem that closes a resolved one.

use serde::{Deserialize, Serialize};

use super::operator::Operator;
use super::state::Cell;
use crate::RunbookId;
use crate::error::{Error, ErrorKind, Result};
use crate::incident::{DedupKey, Incident, IncidentId, NewIncident, Status};
use crate::ports::Created;
use crate::severity::{Impact, Severity};
use crate::timeline::Actor;

/// The runbook id of an incident declared without a runbook: no ladder, escalation only.
pub const MANUAL_RUNBOOK: &str = "manual";

/// How many taken ids a declaration skips before it gives up.
const ID_TRIES: usize = 100;

/// An incident a person declares: on a runbook (and resource), or with a free-form title.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Declaration {
    /// The runbook that handles it; none for a free-form incident (escalation only).
    #[serde(default)]
    pub runbook: Option<RunbookId>,
    /// The affected resource; the runbook's own by default.
    #[serde(default)]
    pub resource: Option<String>,
    /// A one-line title; the runbook's by default. Required without a runbook.
    #[serde(default)]
    pub title: Option<String>,
    /// Who is hurt, and how badly: the severity is assessed from it (by the runbook's rule).
    pub impact: Impact,
    /// Where it was seen: "user report", "dashboard anomaly", …
    #[serde(default)]
    pub source: Option<String>,
}

/// What a declaration did.
#[derive(Debug, Clone, PartialEq)]
pub enum Declared {
    /// A new incident opened.
    Opened(Incident),
    /// One was open on that runbook and resource already; the declaration is a note on it.
    AlreadyOpen(Incident),
}

impl Declared {
    /// The incident, new or not.
    pub fn incident(&self) -> &Incident {
        match self {
            Declared::Opened(i) | Declared::AlreadyOpen(i) => i,
        }
    }
}

impl Operator {
    /// Opens an incident by hand. The engine announces, pages and escalates it like one a
    /// detector opened; on a runbook's resource it also diagnoses and walks the ladder, and its
    /// detectors resolve it once they see it healthy `resolve_after` ticks in a row after the
    /// declaration. A free-form one (no runbook) is resolved by hand.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidInput`] for a runbook this engine does not run, or a free-form
    /// declaration without a title; the store's error when it cannot take the incident.
    pub async fn declare(&self, declaration: &Declaration, by: &str) -> Result<Declared> {
        const OP: &str = "operator.declare";
        let inner = &self.inner;
        let (runbook, resource, title, severity) = self.resolve_declaration(declaration)?;
        let dedup = DedupKey::of(&runbook, &resource);
        let now = inner.now();
        let source = declaration.source.as_deref().unwrap_or("by hand");
        for _ in 0..ID_TRIES {
            let id = inner.next_id(now).await;
            let mut incident = Incident::open(
                NewIncident {
                    id: id.clone(),
                    runbook: runbook.clone(),
                    resource: resource.clone(),
                    title: title.clone(),
                    impact: declaration.impact,
                    severity: Some(severity),
                },
                now,
                Actor::person(by),
            );
            incident.note(
                now,
                Actor::person(by),
                format!("declared by {by} ({source})"),
            );
            let created = inner
                .store_call(
                    "store.create",
                    id.as_str(),
                    inner.store.create(&incident, inner.write_fence()),
                )
                .await;
            let created = match created {
                Ok(created) => created,
                // The id is taken (another replica's incident of today): the next one.
                Err(err) if err.kind() == ErrorKind::Conflict => continue,
                Err(err) => return Err(err),
            };
            match created {
                Created::Created => {
                    tracing::info!(incident = %id, runbook = %runbook, resource = %resource, severity = %severity, by, "incident declared");
                    super::telemetry::opened(severity);
                    if inner.leads() {
                        let mut table = inner.table.lock().await;
                        if let Some(&key) = inner.key_index.get(&dedup)
                            && let Some(state) = table.keys.get_mut(key)
                        {
                            // The streaks start over: healthy looks from before the
                            // declaration do not resolve it.
                            *state = Default::default();
                            state.incident = Some(id.clone());
                        }
                        table
                            .incidents
                            .entry(id)
                            .or_insert_with(|| Cell::new(incident.clone(), 1));
                    }
                    return Ok(Declared::Opened(incident));
                }
                Created::Exists(theirs) => {
                    let id = theirs.value.id().clone();
                    self.note(&id, by, &format!("declared again by {by} ({source})"))
                        .await?;
                    let current = self.incident(&id).await?.unwrap_or(theirs.value);
                    return Ok(Declared::AlreadyOpen(current));
                }
            }
        }
        Err(Error::new(
            ErrorKind::Conflict,
            OP,
            "no free incident id found",
        ))
    }

    /// Attaches the postmortem to a resolved incident: it is closed (`Resolved → Closed`).
    ///
    /// # Errors
    ///
    /// [`ErrorKind::NotFound`] for an unknown id, [`ErrorKind::IllegalTransition`] for an
    /// incident that is not resolved (or already closed), a transient
    /// [`ErrorKind::Conflict`] while the leader still winds it down (a revert to finish).
    pub async fn close(&self, id: &IncidentId, by: &str, postmortem: &str) -> Result<Incident> {
        const OP: &str = "operator.close";
        let inner = &self.inner;
        // The leader may still be finishing a resolved incident (a revert): its copy is the
        // one to change then, and it will be done shortly.
        let held = inner.table.lock().await.incidents.get(id).cloned();
        if let Some(cell) = held
            && (cell.is_unsaved() || !cell.lock().await.automation().temporary.is_empty())
        {
            return Err(Error::new(
                ErrorKind::Conflict,
                OP,
                format!("{id} is still being wound down (a revert, a save); try again shortly"),
            )
            .with_retry(crate::error::Retry::Transient)
            .with_resource(id.to_string()));
        }
        let Some(stored) = inner.get_stored(id).await? else {
            return Err(Error::not_found(OP, id.to_string()));
        };
        let mut incident = stored.value;
        let mut version = stored.version;
        for _ in 0..ID_TRIES {
            let now = inner.now();
            incident.transition(Status::Closed, now, Actor::person(by))?;
            incident.note(
                now,
                Actor::person(by),
                format!("postmortem attached by {by}: {postmortem}"),
            );
            let saved = inner
                .store_call(
                    "store.update",
                    id.as_str(),
                    inner.store.update(&incident, version, inner.write_fence()),
                )
                .await;
            match saved {
                Ok(saved) => {
                    // The leader's copy, if it still keeps one (nothing left to do on it),
                    // follows, in its save turn.
                    let cell = inner.table.lock().await.incidents.get(id).cloned();
                    if let Some(cell) = cell {
                        let _turn = cell.save_turn().await;
                        if saved > cell.version() {
                            cell.replace(incident.clone(), saved).await;
                        }
                    }
                    inner.unwatch(id);
                    tracing::info!(incident = %id, by, "incident closed: postmortem attached");
                    return Ok(incident);
                }
                Err(err) if err.kind() == ErrorKind::Conflict => {
                    let Some(again) = inner.get_stored(id).await? else {
                        return Err(Error::not_found(OP, id.to_string()));
                    };
                    incident = again.value;
                    version = again.version;
                }
                Err(err) => return Err(err),
            }
        }
        Err(Error::new(
            ErrorKind::Conflict,
            OP,
            format!("{id} keeps changing; try again"),
        ))
    }

    /// The runbook, resource, title and severity of a declaration.
    fn resolve_declaration(
        &self,
        declaration: &Declaration,
    ) -> Result<(RunbookId, String, String, Severity)> {
        const OP: &str = "operator.declare";
        let inner = &self.inner;
        let Some(id) = &declaration.runbook else {
            let Some(title) = declaration
                .title
                .as_deref()
                .filter(|t| !t.trim().is_empty())
            else {
                return Err(Error::new(
                    ErrorKind::InvalidInput,
                    OP,
                    "a declaration names a runbook or gives a title",
                ));
            };
            let resource = declaration
                .resource
                .clone()
                .unwrap_or_else(|| title.trim().to_lowercase().replace(' ', "-"));
            return Ok((
                RunbookId::new(MANUAL_RUNBOOK),
                resource,
                title.trim().to_owned(),
                Severity::assess(&declaration.impact),
            ));
        };
        let Some((index, runbook)) = inner.runbooks.iter().enumerate().find(|(_, r)| &r.id == id)
        else {
            let known: Vec<_> = inner.runbooks.iter().map(|r| r.id.to_string()).collect();
            return Err(Error::new(
                ErrorKind::InvalidInput,
                OP,
                format!(
                    "this engine runs no runbook {id}; it runs {}",
                    known.join(", ")
                ),
            ));
        };
        let slot = inner.keys.iter().find(|k| {
            k.runbook == Some(index)
                && declaration
                    .resource
                    .as_ref()
                    .is_none_or(|r| r == &k.resource)
        });
        let resource = match (&declaration.resource, slot) {
            (Some(r), _) => r.clone(),
            (None, Some(slot)) => slot.resource.clone(),
            (None, None) => id.to_string(),
        };
        let title = match (&declaration.title, slot) {
            (Some(t), _) if !t.trim().is_empty() => t.trim().to_owned(),
            (_, Some(slot)) => slot.title.clone(),
            _ => format!("{} on {resource}", runbook.title),
        };
        Ok((
            id.clone(),
            resource,
            title,
            runbook.severity.severity(&declaration.impact),
        ))
    }
}
