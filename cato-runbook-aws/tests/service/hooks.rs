//! `POST /webhooks/pagerduty`: signatures checked, then acknowledgements and resolutions made
//! in PagerDuty reach the engine's incident.

use axum::body::Body;
use axum::http::{Request, StatusCode};
use cato_runbook_aws::service::sign_pagerduty_webhook;

use crate::rig::{OLD_SECRET, Rig, SECRET, kind};

fn event(kind: &str, incident_key: &str) -> String {
    serde_json::json!({
        "event": {
            "id": format!("{kind}/{incident_key}"),
            "event_type": kind,
            "resource_type": "incident",
            "occurred_at": "2026-03-10T09:05:00Z",
            "agent": {"summary": "Dana", "type": "user_reference"},
            "data": {"id": "Q1ABC", "type": "incident", "incident_key": incident_key, "status": "acknowledged"}
        }
    })
    .to_string()
}

fn hook(body: &str, signature: Option<&str>) -> Request<Body> {
    let mut request =
        Request::post("/webhooks/pagerduty").header("content-type", "application/json");
    if let Some(signature) = signature {
        request = request.header("x-pagerduty-signature", signature);
    }
    request.body(Body::from(body.to_owned())).unwrap()
}

#[tokio::test(start_paused = true)]
async fn a_bad_or_missing_signature_is_401_and_changes_nothing() {
    let rig = Rig::new(false);
    let id = rig.shadow_self_down().await;
    let before = rig.timeline(&id).await;
    let body = event("incident.acknowledged", &id);
    let tampered = event("incident.acknowledged", &format!("{id}x"));
    for signature in [
        None,
        Some("v1=00ff".to_owned()),
        Some("v0=abc".to_owned()),
        Some("v1=not-hex".to_owned()),
        Some(sign_pagerduty_webhook("another-secret", body.as_bytes())),
        Some(sign_pagerduty_webhook(SECRET, tampered.as_bytes())),
    ] {
        let (status, reply) = rig.raw(hook(&body, signature.as_deref())).await;
        assert_eq!(
            (status, kind(&reply)),
            (StatusCode::UNAUTHORIZED, "unauthorized"),
            "{signature:?}"
        );
    }
    assert_eq!(rig.timeline(&id).await, before);
    assert!(
        rig.engine
            .operator()
            .incident(&id.as_str().into())
            .await
            .unwrap()
            .unwrap()
            .acknowledged_by()
            .is_none()
    );
}

#[tokio::test(start_paused = true)]
async fn an_acknowledgement_in_pagerduty_acknowledges_the_incident_during_rotation_too() {
    let rig = Rig::new(false);
    let id = rig.shadow_self_down().await;
    let body = event("incident.acknowledged", &id);
    // During rotation PagerDuty signs with both secrets; a stale first signature is fine.
    let signature = format!(
        "{},{}",
        sign_pagerduty_webhook("retired", body.as_bytes()),
        sign_pagerduty_webhook(OLD_SECRET, body.as_bytes())
    );
    let (status, _) = rig.raw(hook(&body, Some(&signature))).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let incident = rig
        .engine
        .operator()
        .incident(&id.as_str().into())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(incident.acknowledged_by(), Some("Dana (PagerDuty)"));

    // A resolution in PagerDuty is recorded; the engine resolves on its own evidence.
    let body = event("incident.resolved", &id);
    let (status, _) = rig
        .raw(hook(
            &body,
            Some(&sign_pagerduty_webhook(SECRET, body.as_bytes())),
        ))
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let incident = rig
        .engine
        .operator()
        .incident(&id.as_str().into())
        .await
        .unwrap()
        .unwrap();
    assert!(incident.is_open());
    assert!(
        rig.timeline(&id)
            .await
            .iter()
            .any(|e| e.contains("resolved in PagerDuty"))
    );
    // PagerDuty delivers at least once: the same event again is accepted and changes nothing.
    let signature = sign_pagerduty_webhook(SECRET, body.as_bytes());
    let (status, _) = rig.raw(hook(&body, Some(&signature))).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let notes = rig.timeline(&id).await;
    let resolved = notes.iter().filter(|e| e.contains("resolved in PagerDuty"));
    assert_eq!(resolved.count(), 1, "{notes:?}");

    // An incident the engine does not know, and an event it does not act on: accepted, ignored.
    for body in [
        event("incident.acknowledged", "INC-unknown"),
        event("incident.priority_updated", &id),
    ] {
        let (status, _) = rig
            .raw(hook(
                &body,
                Some(&sign_pagerduty_webhook(SECRET, body.as_bytes())),
            ))
            .await;
        assert_eq!(status, StatusCode::NO_CONTENT, "{body}");
    }
    let signed_garbage = "{\"event\": {}}";
    let (status, _) = rig
        .raw(hook(
            signed_garbage,
            Some(&sign_pagerduty_webhook(SECRET, signed_garbage.as_bytes())),
        ))
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
}

#[tokio::test(start_paused = true)]
async fn with_resolve_on_a_resolution_in_pagerduty_resolves_the_incident() {
    let rig = Rig::new(true);
    let id = rig.shadow_self_down().await;
    let body = event("incident.resolved", &id);
    let (status, _) = rig
        .raw(hook(
            &body,
            Some(&sign_pagerduty_webhook(SECRET, body.as_bytes())),
        ))
        .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let incident = rig
        .engine
        .operator()
        .incident(&id.as_str().into())
        .await
        .unwrap()
        .unwrap();
    assert!(!incident.is_open(), "{:?}", incident.status());
}
