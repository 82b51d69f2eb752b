//! PagerDuty v3 webhooks: signature verification and payload parsing, with no HTTP in it.
//!
//! PagerDuty v3 signs the raw request body with HMAC-SHA256, keyed by the webhook
//! subscription's secret, and sends the result in the `X-PagerDuty-Signature` header as
//! `v1=<lowercase hex>`. While a secret is being rotated the header carries several
//! comma-separated signatures (`v1=<old>,v1=<new>`); entries with another version prefix are
//! ignored. A request is accepted when any `v1` signature matches the body under any
//! configured secret; every comparison is constant-time (`hmac::Mac::verify_slice`).
//!
//! The body is verified exactly as received, before it is parsed.

use cato_runbook_core::ports::MAX_TEXT;
use hmac::{Hmac, Mac};
use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;
use sha2::Sha256;

/// HMAC-SHA256, the v3 signature's MAC.
type HmacSha256 = Hmac<Sha256>;

/// The version prefix of the only signature scheme understood here.
const V1: &str = "v1=";

/// Why a webhook request was refused.
#[derive(Debug, thiserror::Error)]
pub(crate) enum WebhookError {
    /// The request carried no signature header.
    #[error("no X-PagerDuty-Signature header")]
    MissingSignature,
    /// The header held no `v1=` entry.
    #[error("no v1 signature in the X-PagerDuty-Signature header")]
    NoV1Signature,
    /// No `v1` signature matched the body under any configured secret.
    #[error("no X-PagerDuty-Signature v1 signature matches the body")]
    BadSignature,
    /// The body (or, for signatures, every `v1` entry) could not be read.
    #[error("malformed webhook: {0}")]
    Malformed(String),
}

/// Checks the `X-PagerDuty-Signature` header against `body` under each of `secrets`.
///
/// Missing header: [`WebhookError::MissingSignature`]; no `v1=` entry:
/// [`WebhookError::NoV1Signature`]; every `v1` entry not hex: [`WebhookError::Malformed`];
/// otherwise no match: [`WebhookError::BadSignature`].
pub(crate) fn verify(
    secrets: &[SecretString],
    body: &[u8],
    header: Option<&str>,
) -> Result<(), WebhookError> {
    let header = header.ok_or(WebhookError::MissingSignature)?;
    let v1: Vec<&str> = header
        .split(',')
        .filter_map(|e| e.trim().strip_prefix(V1))
        .collect();
    if v1.is_empty() {
        return Err(WebhookError::NoV1Signature);
    }
    let signatures: Vec<Vec<u8>> = v1
        .iter()
        .filter_map(|h| hex::decode(h.trim()).ok())
        .collect();
    if signatures.is_empty() {
        let why = "X-PagerDuty-Signature v1 signature is not hex";
        return Err(WebhookError::Malformed(why.to_owned()));
    }
    let matched = secrets.iter().any(|secret| {
        mac(secret.expose_secret(), body).is_some_and(|mac| {
            let mut candidates = signatures.iter();
            candidates.any(|signature| mac.clone().verify_slice(signature).is_ok())
        })
    });
    matched.then_some(()).ok_or(WebhookError::BadSignature)
}

/// Signs `body` with `secret` as PagerDuty v3 does: `v1=<lowercase hex HMAC-SHA256>`.
pub fn sign(secret: &str, body: &[u8]) -> String {
    let hex_mac = mac(secret, body).map(|m| hex::encode(m.finalize().into_bytes()));
    format!("{V1}{}", hex_mac.unwrap_or_default())
}

/// The HMAC-SHA256 of `body` under `secret`, not yet finalized. `None` never happens in
/// practice: HMAC accepts keys of any length.
fn mac(secret: &str, body: &[u8]) -> Option<HmacSha256> {
    let mut mac = HmacSha256::new_from_slice(secret.as_bytes()).ok()?;
    mac.update(body);
    Some(mac)
}

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

/// Parses a v3 webhook body (verify it first with [`verify`]).
///
/// Not JSON, a field of the wrong type, no `event.id` / `event.event_type`, or a text longer
/// than [`MAX_TEXT`] bytes: [`WebhookError::Malformed`] naming the field.
pub(crate) fn parse(body: &[u8]) -> Result<Event, WebhookError> {
    let wire: WireBody = crate::http::transport::decode_json(body)
        .map_err(|e| WebhookError::Malformed(format!("body is not a v3 webhook: {e}")))?;
    let event = wire
        .event
        .ok_or_else(|| WebhookError::Malformed("missing field `event`".to_owned()))?;
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

/// A field that must be present and non-empty, or a [`WebhookError::Malformed`] naming it.
fn required(value: Option<String>, name: &str) -> Result<String, WebhookError> {
    non_empty(value, name)?
        .ok_or_else(|| WebhookError::Malformed(format!("missing field `{name}`")))
}

/// `None` for an absent or empty string; a [`WebhookError::Malformed`] naming a text longer
/// than [`MAX_TEXT`] bytes.
fn non_empty(value: Option<String>, name: &str) -> Result<Option<String>, WebhookError> {
    match value {
        Some(text) if text.len() > MAX_TEXT => Err(WebhookError::Malformed(format!(
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

    /// [`verify`] of `body` under a retiring and a new secret.
    fn check(body: &str, header: Option<&str>) -> Result<(), WebhookError> {
        let secrets = ["old-secret", "new-secret"].map(|s| SecretString::from(s.to_owned()));
        verify(&secrets, body.as_bytes(), header)
    }

    /// The error [`check`] refuses with, or an error if it accepted.
    fn refusal(body: &str, header: Option<&str>) -> Result<WebhookError, Boxed> {
        check(body, header).err().ok_or_else(|| "accepted".into())
    }

    #[test]
    fn sign_then_verify_round_trips() -> TestResult {
        let header = sign("new-secret", ACK.as_bytes());
        assert_eq!((&header[..3], header.len()), ("v1=", 3 + 64));
        check(ACK, Some(&header))?;
        Ok(())
    }

    #[test]
    fn rotation_header_passes_on_any_match() -> TestResult {
        let bad = sign("other-secret", ACK.as_bytes());
        let good = sign("old-secret", ACK.as_bytes());
        check(ACK, Some(&format!("{bad}, {good}")))?;
        check(ACK, Some(&format!("v1=zz,v0=00,{good}")))?;
        Ok(())
    }

    #[test]
    fn signature_failures_are_distinct() -> TestResult {
        use WebhookError::*;
        let good = sign("new-secret", ACK.as_bytes());
        let tampered = ACK.replace("Alice", "Mallory");
        assert!(matches!(refusal(&tampered, Some(&good))?, BadSignature));
        assert!(matches!(refusal(ACK, None)?, MissingSignature));
        let v0_only = good.replacen("v1=", "v0=", 1);
        assert!(matches!(refusal(ACK, Some(&v0_only))?, NoV1Signature));
        assert!(matches!(refusal(ACK, Some("v1=not-hex!"))?, Malformed(_)));
        Ok(())
    }

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
        assert!(matches!(
            parse(b"not json"),
            Err(WebhookError::Malformed(_))
        ));
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
