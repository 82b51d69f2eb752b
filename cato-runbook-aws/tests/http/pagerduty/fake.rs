//! A fake Events API v2: validates events as PagerDuty does and keeps the alerts they make.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use cato_runbook_aws::pagerduty::PagerDuty;
use cato_runbook_aws::secrecy::SecretString;
use serde_json::{Value, json};
use wiremock::matchers::any;
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

use crate::common::quick;

pub(crate) const ON_CALL_KEY: &str = "R0ut1ngKeyOnCall00000000000000aa";
pub(crate) const VP_KEY: &str = "R0ut1ngKeyVpEngineering0000000bb";

/// An alert's state, as PagerDuty keeps it per routing key and dedup key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Alert {
    Triggered,
    Acknowledged,
    Resolved,
}

#[derive(Debug, Default)]
pub(crate) struct State {
    pub(crate) alerts: BTreeMap<(String, String), Alert>,
    /// Events opened as a new alert (a trigger with no open alert under its key).
    pub(crate) opened: u32,
}

pub(crate) struct FakePagerDuty {
    pub(crate) server: MockServer,
    pub(crate) state: Arc<Mutex<State>>,
}

impl FakePagerDuty {
    pub(crate) async fn start() -> FakePagerDuty {
        let server = MockServer::start().await;
        let state = Arc::new(Mutex::new(State::default()));
        Mock::given(any())
            .respond_with(Handler(Arc::clone(&state)))
            .mount(&server)
            .await;
        FakePagerDuty { server, state }
    }

    pub(crate) fn pager(&self) -> PagerDuty {
        PagerDuty::new(reqwest::Client::new(), &self.server.uri())
            .unwrap()
            .with_routing_key("on-call", SecretString::from(ON_CALL_KEY))
            .with_routing_key("vp-engineering", SecretString::from(VP_KEY))
            .with_options(quick())
    }

    pub(crate) fn alert(&self, key: &str, dedup_key: &str) -> Option<Alert> {
        self.state
            .lock()
            .unwrap()
            .alerts
            .get(&(key.to_owned(), dedup_key.to_owned()))
            .copied()
    }
}

fn invalid(errors: &[&str]) -> ResponseTemplate {
    ResponseTemplate::new(400).set_body_json(json!({
        "status": "invalid event",
        "message": "Event object is invalid",
        "errors": errors,
    }))
}

struct Handler(Arc<Mutex<State>>);

impl Respond for Handler {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        if request.method.as_str() != "POST" || request.url.path() != "/v2/enqueue" {
            return ResponseTemplate::new(404);
        }
        let Ok(event) = serde_json::from_slice::<Value>(&request.body) else {
            return invalid(&["Could not parse JSON"]);
        };
        let key = event["routing_key"].as_str().unwrap_or("");
        if key.len() != 32 {
            return invalid(&["'routing_key' is invalid"]);
        }
        let Some(dedup) = event["dedup_key"].as_str().filter(|d| !d.is_empty()) else {
            return invalid(&["'dedup_key' is missing"]);
        };
        let action = event["event_action"].as_str().unwrap_or("");
        let mut s = self.0.lock().unwrap();
        let id = (key.to_owned(), dedup.to_owned());
        let open = s.alerts.get(&id).copied().filter(|a| *a != Alert::Resolved);
        match action {
            "trigger" => {
                let p = &event["payload"];
                let mut errors = Vec::new();
                if p["summary"].as_str().is_none_or(str::is_empty) {
                    errors.push("'payload.summary' is missing or blank");
                }
                if p["source"].as_str().is_none_or(str::is_empty) {
                    errors.push("'payload.source' is missing or blank");
                }
                if !matches!(
                    p["severity"].as_str(),
                    Some("critical" | "error" | "warning" | "info")
                ) {
                    errors.push("'payload.severity' is invalid");
                }
                if !errors.is_empty() {
                    return invalid(&errors);
                }
                if open.is_none() {
                    s.opened += 1;
                    s.alerts.insert(id, Alert::Triggered);
                }
            }
            // Dropped (still 202) when no alert is open under the key.
            "acknowledge" if open == Some(Alert::Triggered) => {
                s.alerts.insert(id, Alert::Acknowledged);
            }
            "resolve" if open.is_some() => {
                s.alerts.insert(id, Alert::Resolved);
            }
            "acknowledge" | "resolve" => {}
            _ => return invalid(&["'event_action' is invalid"]),
        }
        ResponseTemplate::new(202).set_body_json(json!({
            "status": "success",
            "message": "Event processed",
            "dedup_key": dedup,
        }))
    }
}
