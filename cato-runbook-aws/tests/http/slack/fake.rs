//! A fake Slack Web API: `chat.postMessage` with a bot token, two channels, threads.

use std::sync::{Arc, Mutex};

use cato_runbook_aws::secrecy::SecretString;
use cato_runbook_aws::slack::Slack;
use serde_json::{Value, json};
use wiremock::matchers::any;
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

use crate::common::quick;

pub(crate) const TOKEN: &str = "xoxb-1234-5678-s3cr3tB0tT0k3n";

/// A message Slack stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Stored {
    pub(crate) channel: String,
    pub(crate) ts: String,
    pub(crate) thread_ts: Option<String>,
    pub(crate) text: String,
}

pub(crate) struct FakeSlack {
    pub(crate) server: MockServer,
    pub(crate) messages: Arc<Mutex<Vec<Stored>>>,
}

impl FakeSlack {
    pub(crate) async fn start() -> FakeSlack {
        let server = MockServer::start().await;
        let messages = Arc::new(Mutex::new(Vec::new()));
        Mock::given(any())
            .respond_with(Handler(Arc::clone(&messages)))
            .mount(&server)
            .await;
        FakeSlack { server, messages }
    }

    pub(crate) fn slack(&self) -> Slack {
        Slack::new(
            reqwest::Client::new(),
            &self.server.uri(),
            SecretString::from(TOKEN),
        )
        .unwrap()
        .with_options(quick())
    }
}

fn channel_id(name: &str) -> Option<&'static str> {
    match name.trim_start_matches('#') {
        "cato-alerts" => Some("C0CATOALRT"),
        "cato-incident" => Some("C0CATOINCD"),
        _ => None,
    }
}

fn fail(error: &str) -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_json(json!({"ok": false, "error": error}))
}

struct Handler(Arc<Mutex<Vec<Stored>>>);

impl Respond for Handler {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        if request.method.as_str() != "POST" || request.url.path() != "/api/chat.postMessage" {
            return ResponseTemplate::new(404).set_body_raw("Not Found", "text/plain");
        }
        let auth = request
            .headers
            .get("authorization")
            .and_then(|v| v.to_str().ok());
        if auth != Some(&format!("Bearer {TOKEN}")) {
            return fail("invalid_auth");
        }
        let Ok(body) = serde_json::from_slice::<Value>(&request.body) else {
            return fail("invalid_json");
        };
        let name = body["channel"].as_str().unwrap_or("");
        let Some(id) = channel_id(name) else {
            return fail("channel_not_found");
        };
        let text = body["text"].as_str().unwrap_or("");
        if text.is_empty() {
            return fail("no_text");
        }
        let mut messages = self.0.lock().unwrap();
        let ts = format!("1773133200.{:06}", messages.len() + 1);
        let thread_ts = body["thread_ts"].as_str().map(str::to_owned);
        if let Some(parent) = &thread_ts
            && !messages.iter().any(|m| &m.ts == parent && m.channel == id)
        {
            return fail("thread_not_found");
        }
        messages.push(Stored {
            channel: id.into(),
            ts: ts.clone(),
            thread_ts: thread_ts.clone(),
            text: text.into(),
        });
        ResponseTemplate::new(200).set_body_json(json!({
            "ok": true,
            "channel": id,
            "ts": ts,
            "message": {"type": "message", "text": text, "ts": ts, "thread_ts": thread_ts},
        }))
    }
}
