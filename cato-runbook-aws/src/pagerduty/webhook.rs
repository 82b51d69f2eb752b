//! PagerDuty v3 webhook bodies: what an event says, parsed from the bytes received (their
//! signature is the service's to check first). A pure parser: no HTTP, no MAC.

use cato_runbook_core::ports::MAX_TEXT;
use serde::Deserialize;

/// Why a webhook body was refused: what is wrong with it, naming the field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Malformed(pub(crate) String);

impl std::fmt::Display for Malformed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "malformed webhook: {}", self.0)
    }
}

impl std::error::Error for Malformed {}

/// What a webhook event says, reduced to what incident handling needs.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Event {
    /// PagerDuty's id of this event (`event.id`), for deduplicating deliveries.
    pub(crate) id: String,
    /// What happened (`event.event_type`).
    pub(crate) kind: EventKind,
    /// The incident's dedup key (`event.data.incident_key`): the key our pages were sent with.
    pub(crate) dedup_key: Option<String>,
    /// PagerDuty's incident id (`event.data.id`), when the resource is an incident.
    pub(crate) pagerduty_incident: Option<String>,
    /// Who caused the event (`event.agent.summary`), when a person or integration did.
    pub(crate) agent: Option<String>,
}

/// The kind of a webhook event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum EventKind {
    /// `incident.acknowledged`.
    Acknowledged,
    /// `incident.resolved`.
    Resolved,
    /// Any other event type, kept verbatim.
    Other(String),
}

impl EventKind {
    /// The kind named by a v3 `event_type`.
    fn from_event_type(event_type: &str) -> Self {
        match event_type {
            "incident.acknowledged" => EventKind::Acknowledged,
            "incident.resolved" => EventKind::Resolved,
            other => EventKind::Other(other.to_owned()),
        }
    }
}

/// The v3 body: `{"event": {…}}`. Every wire field is optional here; [`parse`] names the
/// required ones that are missing.
#[derive(Deserialize, Default)]
#[serde(default)]
struct WireBody {
    event: Option<WireEvent>,
}

/// `event` (unknown fields, e.g. `occurred_at`, are ignored); `agent` is `null` for system events.
#[derive(Deserialize, Default)]
#[serde(default)]
struct WireEvent {
    id: Option<String>,
    event_type: Option<String>,
    resource_type: Option<String>,
    agent: Option<WireAgent>,
    data: Option<WireData>,
}

/// `event.agent`: `summary` is a human-readable name, e.g. `Alice`.
#[derive(Deserialize, Default)]
#[serde(default)]
struct WireAgent {
    summary: Option<String>,
}

/// `event.data`, the resource the event is about (`type` is e.g. `incident`).
#[derive(Deserialize, Default)]
#[serde(default)]
struct WireData {
    id: Option<String>,
    #[serde(rename = "type")]
    kind: Option<String>,
    incident_key: Option<String>,
}

/// Parses a v3 webhook body (verify its signature first).
///
/// Not JSON, a field of the wrong type, no `event.id` / `event.event_type`, or a text longer
/// than [`MAX_TEXT`] bytes: [`Malformed`] naming the field.
pub(crate) fn parse(body: &[u8]) -> Result<Event, Malformed> {
    let wire: WireBody = crate::http::transport::decode_json(body)
        .map_err(|e| Malformed(format!("body is not a v3 webhook: {e}")))?;
    let event = wire
        .event
        .ok_or_else(|| Malformed("missing field `event`".to_owned()))?;
    let id = required(event.id, "event.id")?;
    let event_type = required(event.event_type, "event.event_type")?;
    let data = event.data.unwrap_or_default();
    let is_incident = event.resource_type.as_deref() == Some("incident")
        || data.kind.as_deref() == Some("incident");
    Ok(Event {
        id,
        kind: EventKind::from_event_type(&event_type),
        dedup_key: non_empty(data.incident_key, "event.data.incident_key")?,
        pagerduty_incident: non_empty(data.id, "event.data.id")?.filter(|_| is_incident),
        agent: non_empty(event.agent.and_then(|a| a.summary), "event.agent.summary")?,
    })
}

/// A field that must be present and non-empty, or a [`Malformed`] naming it.
fn required(value: Option<String>, name: &str) -> Result<String, Malformed> {
    non_empty(value, name)?.ok_or_else(|| Malformed(format!("missing field `{name}`")))
}

/// `None` for an absent or empty string; a [`Malformed`] naming a text longer
/// than [`MAX_TEXT`] bytes.
fn non_empty(value: Option<String>, name: &str) -> Result<Option<String>, Malformed> {
    match value {
        Some(text) if text.len() > MAX_TEXT => Err(Malformed(format!(
            "`{name}` is {} bytes long (at most {MAX_TEXT})",
            text.len()
        ))),
        value => Ok(value.filter(|s| !s.is_empty())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Any test failure.
    type Boxed = Box<dyn std::error::Error>;
    /// A test result.
    type TestResult = Result<(), Boxed>;

    /// An acknowledged-incident payload as PagerDuty sends it, with fields we ignore.
    const ACK: &str = r#"{"event":{"id":"01DEN","event_type":"incident.acknowledged",
        "resource_type":"incident","occurred_at":"2026-01-02T03:04:05.678Z",
        "agent":{"summary":"Alice","type":"user_reference","id":"PU1"},
        "data":{"id":"Q1ABC","type":"incident","incident_key":"cato-budget-7",
        "title":"Budget burn","status":"acknowledged","extra":[1,2]}},"new_field":true}"#;

    #[test]
    fn parses_acknowledged_with_incident_key() -> TestResult {
        let expected = Event {
            id: "01DEN".to_owned(),
            kind: EventKind::Acknowledged,
            dedup_key: Some("cato-budget-7".to_owned()),
            pagerduty_incident: Some("Q1ABC".to_owned()),
            agent: Some("Alice".to_owned()),
        };
        assert_eq!(parse(ACK.as_bytes())?, expected);
        Ok(())
    }

    #[test]
    fn missing_event_type_or_not_json_is_malformed() -> TestResult {
        let result = parse(br#"{"event":{"id":"01DEN","agent":null,"data":{"id":"Q1"}}}"#);
        let message = result.err().map(|e| e.to_string()).unwrap_or_default();
        assert!(
            message.contains("missing field `event.event_type`"),
            "{message}"
        );
        assert!(matches!(parse(b"not json"), Err(Malformed(_))));
        Ok(())
    }

    #[test]
    fn unknown_event_type_is_other() -> TestResult {
        let body = br#"{"event":{"id":"E2","event_type":"service.updated",
            "resource_type":"service","agent":null,"data":{"id":"PS1","type":"service"}}}"#;
        let event = parse(body)?;
        assert_eq!(event.kind, EventKind::Other("service.updated".to_owned()));
        assert_eq!((event.agent, event.pagerduty_incident), (None, None));
        Ok(())
    }
}
