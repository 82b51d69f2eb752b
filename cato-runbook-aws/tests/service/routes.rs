//! Every `/api` route: who may call it, what it changes, and what a bad request gets.

use axum::http::StatusCode;

use crate::rig::{ADMIN, RESPONDER, Rig, VIEWER, entries, kind};

#[tokio::test(start_paused = true)]
async fn reading_needs_a_known_token() {
    let rig = Rig::new(false);
    let (status, body) = rig.send("GET", "/api/incidents", None, None).await;
    assert_eq!(
        (status, kind(&body)),
        (StatusCode::UNAUTHORIZED, "unauthorized")
    );
    let (status, body) = rig.send("GET", "/api/incidents", Some("nope"), None).await;
    assert_eq!(
        (status, kind(&body)),
        (StatusCode::UNAUTHORIZED, "unauthorized")
    );
    let (status, body) = rig.send("GET", "/api/incidents", Some(VIEWER), None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["incidents"].as_array().map(Vec::len), Some(0));
    let (status, body) = rig.send("GET", "/api/status", Some(VIEWER), None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["mode"], "auto");
    assert_eq!(body["halted"], false);
    let (status, body) = rig
        .send("GET", "/api/incidents/INC-nope", Some(VIEWER), None)
        .await;
    assert_eq!((status, kind(&body)), (StatusCode::NOT_FOUND, "not_found"));
    let (status, body) = rig
        .send("GET", "/api/nothing-here", Some(VIEWER), None)
        .await;
    assert_eq!((status, kind(&body)), (StatusCode::NOT_FOUND, "not_found"));
}

#[tokio::test(start_paused = true)]
async fn a_person_works_an_incident_and_every_action_is_on_its_timeline() {
    let rig = Rig::new(false);
    let id = rig.shadow_self_down().await;
    let path = |action: &str| format!("/api/incidents/{id}/{action}");

    // A viewer may look, not act: refused, and nothing changes.
    let before = rig.timeline(&id).await;
    let (status, body) = rig.send("POST", &path("ack"), Some(VIEWER), None).await;
    assert_eq!((status, kind(&body)), (StatusCode::FORBIDDEN, "forbidden"));
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("needs a responder")
    );
    assert_eq!(rig.timeline(&id).await, before);

    let (status, incident) = rig.send("POST", &path("ack"), Some(RESPONDER), None).await;
    assert_eq!(status, StatusCode::OK, "{incident}");
    assert!(!incident["phases"]["acknowledged"].is_null(), "{incident}");
    let (status, incident) = rig
        .send(
            "POST",
            &path("notes"),
            Some(RESPONDER),
            Some(r#"{"text": "watching the restart"}"#),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let timeline = entries(&incident);
    assert!(
        timeline
            .iter()
            .any(|e| e.contains("by rosa") && e.contains("watching the restart")),
        "{timeline:?}"
    );
    assert!(
        timeline
            .iter()
            .any(|e| e.starts_with("acknowledged by rosa")),
        "{timeline:?}"
    );

    // The restart waits for approval: a wrong step is a conflict, the right one is approved.
    let (status, body) = rig
        .send(
            "POST",
            &path("approve"),
            Some(RESPONDER),
            Some(r#"{"step": "no-such-step"}"#),
        )
        .await;
    assert_eq!(
        (status, kind(&body)),
        (StatusCode::CONFLICT, "conflict"),
        "{body}"
    );
    let (status, incident) = rig
        .send(
            "POST",
            &path("approve"),
            Some(RESPONDER),
            Some(r#"{"step": "restart-endpoint"}"#),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{incident}");
    assert!(
        entries(&incident)
            .iter()
            .any(|e| e.starts_with("approval_granted by rosa")),
        "{:?}",
        entries(&incident)
    );
    let (status, body) = rig
        .send(
            "POST",
            &path("deny"),
            Some(RESPONDER),
            Some(r#"{"step": "restart-endpoint", "reason": "late"}"#),
        )
        .await;
    assert_eq!(
        (status, kind(&body)),
        (StatusCode::CONFLICT, "conflict"),
        "approved already: {body}"
    );

    // The AWS TAM, then a resolution by hand, then the postmortem closes it.
    let (status, incident) = rig
        .send(
            "POST",
            &path("tam"),
            Some(RESPONDER),
            Some(r#"{"reason": "capacity in us-east-1"}"#),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{incident}");
    let (status, body) = rig
        .send(
            "POST",
            &path("postmortem"),
            Some(RESPONDER),
            Some(r#"{"url": "https://wiki/pm/1"}"#),
        )
        .await;
    assert_eq!(
        (status, kind(&body)),
        (StatusCode::CONFLICT, "illegal_transition"),
        "not resolved yet: {body}"
    );
    let (status, incident) = rig
        .send(
            "POST",
            &path("resolve"),
            Some(RESPONDER),
            Some(r#"{"reason": "restarted by hand"}"#),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{incident}");
    assert_eq!(incident["status"], "resolved");
    // The postmortem is due 48 h after the resolution.
    let resolved: chrono::DateTime<chrono::Utc> =
        serde_json::from_value(incident["phases"]["resolved"].clone()).unwrap();
    let due: chrono::DateTime<chrono::Utc> =
        serde_json::from_value(incident["automation"]["postmortem"]["due"].clone()).unwrap();
    assert_eq!(due - resolved, chrono::TimeDelta::hours(48));
    let (status, incident) = rig
        .send(
            "POST",
            &path("postmortem"),
            Some(RESPONDER),
            Some(r#"{"url": "https://wiki/pm/1"}"#),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{incident}");
    assert_eq!(incident["status"], "closed");
    assert!(
        entries(&incident)
            .iter()
            .any(|e| e.contains("https://wiki/pm/1") && e.contains("by rosa"))
    );
    let (status, body) = rig
        .send(
            "POST",
            &path("notes"),
            Some(RESPONDER),
            Some(r#"{"text": "late"}"#),
        )
        .await;
    assert_eq!(
        (status, kind(&body)),
        (StatusCode::CONFLICT, "illegal_transition"),
        "{body}"
    );
}

#[tokio::test(start_paused = true)]
async fn bad_bodies_are_refused_and_change_nothing() {
    let rig = Rig::new(false);
    let id = rig.shadow_self_down().await;
    let before = rig.timeline(&id).await;
    let notes = format!("/api/incidents/{id}/notes");
    for body in [
        "not json",
        r#"{"txt": "typo"}"#,
        r#"{"text": "  "}"#,
        r#"{"text": 42}"#,
    ] {
        let (status, reply) = rig.send("POST", &notes, Some(RESPONDER), Some(body)).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}: {reply}");
        assert_eq!(kind(&reply), "bad_request", "{body}");
    }
    let long = format!(r#"{{"text": "{}"}}"#, "x".repeat(5000));
    let (status, _) = rig.send("POST", &notes, Some(RESPONDER), Some(&long)).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let huge = format!(r#"{{"text": "{}"}}"#, "x".repeat(100 * 1024));
    let (status, _) = rig.send("POST", &notes, Some(RESPONDER), Some(&huge)).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    let (status, body) = rig
        .send(
            "POST",
            "/api/incidents/INC-nope/notes",
            Some(RESPONDER),
            Some(r#"{"text": "hi"}"#),
        )
        .await;
    assert_eq!((status, kind(&body)), (StatusCode::NOT_FOUND, "not_found"));
    assert_eq!(rig.timeline(&id).await, before);
}

#[tokio::test(start_paused = true)]
async fn an_incident_is_declared_by_hand_once_per_runbook_and_resource() {
    let rig = Rig::new(false);
    // Healthy looks from before the declaration do not resolve it.
    rig.healthy_ticks(4).await;
    let declare = r#"{"runbook": "high-latency", "impact": {"affected_share": 0.3, "complete_outage": false, "user_visible": true}, "source": "dashboard anomaly"}"#;
    let (status, incident) = rig
        .send("POST", "/api/incidents", Some(RESPONDER), Some(declare))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{incident}");
    assert_eq!(incident["runbook"], "high-latency");
    assert!(
        entries(&incident)
            .iter()
            .any(|e| e.contains("declared by rosa (dashboard anomaly)"))
    );
    let first = incident["id"].clone();
    rig.healthy_ticks(1).await;
    let (_, after) = rig
        .send(
            "GET",
            &format!("/api/incidents/{}", first.as_str().unwrap()),
            Some(VIEWER),
            None,
        )
        .await;
    // Still open: the engine works it (in auto mode, its ladder's first step).
    assert_ne!(
        after["status"], "resolved",
        "one healthy look after the declaration: {after}"
    );
    let (status, again) = rig
        .send("POST", "/api/incidents", Some(RESPONDER), Some(declare))
        .await;
    assert_eq!(status, StatusCode::OK, "{again}");
    assert_eq!(again["id"], first);

    let manual = r#"{"title": "users report blank answers", "impact": {"affected_share": 1.0, "complete_outage": true, "user_visible": true}}"#;
    let (status, incident) = rig
        .send("POST", "/api/incidents", Some(RESPONDER), Some(manual))
        .await;
    assert_eq!(status, StatusCode::CREATED, "{incident}");
    assert_eq!(
        (incident["runbook"].as_str(), incident["severity"].as_str()),
        (Some("manual"), Some("SEV1"))
    );
    let (_, list) = rig.send("GET", "/api/incidents", Some(VIEWER), None).await;
    assert_eq!(list["incidents"].as_array().map(Vec::len), Some(2));

    for (body, why) in [
        (
            r#"{"impact": {"affected_share": 0.5, "complete_outage": false, "user_visible": true}}"#,
            "neither runbook nor title",
        ),
        (
            r#"{"runbook": "no-such", "impact": {"affected_share": 0.5, "complete_outage": false, "user_visible": true}}"#,
            "unknown runbook",
        ),
        (
            r#"{"title": "x", "impact": {"affected_share": 2.0, "complete_outage": false, "user_visible": true}}"#,
            "a share above one",
        ),
        (
            r#"{"title": "x", "impact": {"affected_share": 0.5, "complete_outage": false, "user_visible": true}, "sevrity": 1}"#,
            "an unknown key",
        ),
    ] {
        let (status, body) = rig
            .send("POST", "/api/incidents", Some(RESPONDER), Some(body))
            .await;
        assert_eq!(
            (status, kind(&body)),
            (StatusCode::BAD_REQUEST, "bad_request"),
            "{why}: {body}"
        );
    }
    let (status, _) = rig
        .send("POST", "/api/incidents", Some(VIEWER), Some(manual))
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}

#[tokio::test(start_paused = true)]
async fn only_an_admin_pulls_the_kill_switch() {
    let rig = Rig::new(false);
    let id = rig.shadow_self_down().await;
    let halt = r#"{"reason": "automation is fighting the deploy"}"#;
    let (status, body) = rig
        .send("POST", "/api/halt", Some(RESPONDER), Some(halt))
        .await;
    assert_eq!((status, kind(&body)), (StatusCode::FORBIDDEN, "forbidden"));
    assert!(!rig.engine.operator().is_halted());
    let (status, body) = rig.send("POST", "/api/halt", Some(ADMIN), Some(halt)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["halted"], true);
    assert!(
        rig.timeline(&id)
            .await
            .iter()
            .any(|e| e.contains("automation halted by ada"))
    );
    let (status, body) = rig.send("POST", "/api/resume", Some(ADMIN), None).await;
    assert_eq!(
        (status, body["halted"].as_bool()),
        (StatusCode::OK, Some(false))
    );
}

#[tokio::test(start_paused = true)]
async fn health_and_the_page() {
    let rig = Rig::new(false);
    let (status, _) = rig.send("GET", "/healthz", None, None).await;
    assert_eq!(status, StatusCode::OK);
    let (status, body) = rig.send("GET", "/readyz", None, None).await;
    assert_eq!(
        status,
        StatusCode::SERVICE_UNAVAILABLE,
        "no tick yet: {body}"
    );
    let id = rig.shadow_self_down().await;
    let (status, body) = rig.send("GET", "/readyz", None, None).await;
    assert_eq!(
        (status, body["leader"].as_bool()),
        (StatusCode::OK, Some(true)),
        "{body}"
    );
    let (status, body) = rig.send("GET", "/metrics", None, None).await;
    assert_eq!(
        (status, kind(&body)),
        (StatusCode::NOT_FOUND, "not_found"),
        "no recorder installed"
    );

    let page = axum::http::Request::get("/")
        .body(axum::body::Body::empty())
        .unwrap();
    let (status, _) = rig.raw_bytes(page).await;
    assert_eq!(
        status,
        StatusCode::UNAUTHORIZED,
        "the page needs a viewer's token"
    );
    let page = axum::http::Request::get("/")
        .header("authorization", format!("Bearer {VIEWER}"))
        .body(axum::body::Body::empty())
        .unwrap();
    let (status, html) = rig.raw_bytes(page).await;
    let html = String::from_utf8(html).unwrap();
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains(&id) && html.contains("SEV1"), "{html}");
}
