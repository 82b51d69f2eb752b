//! PagerDuty v3 webhooks: signature verification, with no HTTP in it (the body is parsed by
//! [`crate::pagerduty::webhook`]).
//!
//! PagerDuty v3 signs the raw request body with HMAC-SHA256, keyed by the webhook
//! subscription's secret, and sends the result in the `X-PagerDuty-Signature` header as
//! `v1=<lowercase hex>`. While a secret is being rotated the header carries several
//! comma-separated signatures (`v1=<old>,v1=<new>`); entries with another version prefix are
//! ignored. A request is accepted when any `v1` signature matches the body under any
//! configured secret; every comparison is constant-time (`hmac::Mac::verify_slice`).
//!
//! The body is verified exactly as received, before it is parsed.

use hmac::{Hmac, Mac};
use secrecy::{ExposeSecret, SecretString};
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
    /// Every `v1` entry of the header could not be read.
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
}
