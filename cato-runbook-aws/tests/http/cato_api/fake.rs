//! A fake Cato admin API: the budget and traffic routes, a bearer token, validation.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use cato_runbook_aws::cato_api::CatoAdminApi;
use cato_runbook_aws::secrecy::SecretString;
use cato_runbook_core::ports::{Clock, SystemClock};
use chrono::{Datelike, TimeZone, Utc};
use serde_json::{Value, json};
use wiremock::matchers::any;
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

use crate::common::quick;

pub(crate) const TOKEN: &str = "cato-admin-token-7f3a9c";

#[derive(Debug, Clone)]
pub(crate) struct State {
    pub(crate) spent: f64,
    pub(crate) limit: f64,
    pub(crate) share: f64,
    pub(crate) threshold: f64,
    pub(crate) emergency: bool,
    /// Shadow Self traffic by region: `us-east-1` and `us-west-2` are known.
    pub(crate) regions: BTreeMap<String, f64>,
}

pub(crate) struct FakeAdmin {
    pub(crate) server: MockServer,
    pub(crate) state: Arc<Mutex<State>>,
}

impl FakeAdmin {
    pub(crate) async fn start() -> FakeAdmin {
        let server = MockServer::start().await;
        let state = Arc::new(Mutex::new(State {
            spent: 812.5,
            limit: 1000.0,
            share: 0.3,
            threshold: 0.92,
            emergency: false,
            regions: BTreeMap::from([("us-east-1".to_owned(), 1.0), ("us-west-2".to_owned(), 0.0)]),
        }));
        Mock::given(any())
            .respond_with(Handler(Arc::clone(&state)))
            .mount(&server)
            .await;
        FakeAdmin { server, state }
    }

    pub(crate) fn api(&self) -> CatoAdminApi {
        CatoAdminApi::new(
            reqwest::Client::new(),
            &self.server.uri(),
            SecretString::from(TOKEN),
        )
        .unwrap()
        .with_options(quick())
    }
}

fn error(code: u16, message: &str) -> ResponseTemplate {
    ResponseTemplate::new(code).set_body_json(json!({"error": message}))
}

fn fraction(v: &Value) -> Option<f64> {
    v.as_f64().filter(|f| (0.0..=1.0).contains(f))
}

/// `{"weights": {...}}` over the known regions, each within 0..1, summing to 1.
fn regions(body: &Value, known: &BTreeMap<String, f64>) -> Result<BTreeMap<String, f64>, String> {
    let weights = body["weights"]
        .as_object()
        .ok_or("weights must be an object")?;
    let mut split = BTreeMap::new();
    for (region, weight) in weights {
        if !known.contains_key(region) {
            return Err(format!("unknown region {region}"));
        }
        let Some(weight) = fraction(weight) else {
            return Err(format!("the weight of {region} is not within 0..1"));
        };
        split.insert(region.clone(), weight);
    }
    let sum: f64 = split.values().sum();
    if (sum - 1.0).abs() > 1e-6 {
        return Err(format!("weights sum to {sum}, not 1"));
    }
    Ok(split)
}

struct Handler(Arc<Mutex<State>>);

impl Respond for Handler {
    fn respond(&self, request: &Request) -> ResponseTemplate {
        let authorised = request
            .headers
            .get("authorization")
            .and_then(|v| v.to_str().ok())
            == Some(&format!("Bearer {TOKEN}"));
        if !authorised {
            return error(401, "unauthorized");
        }
        let mut s = self.0.lock().unwrap();
        let write = request.method.as_str() == "PUT";
        if write && request.headers.get("idempotency-key").is_none() {
            return error(400, "Idempotency-Key header required");
        }
        let body: Value = if write {
            match serde_json::from_slice(&request.body) {
                Ok(v) => v,
                Err(_) => return error(400, "body is not JSON"),
            }
        } else {
            Value::Null
        };
        match (request.method.as_str(), request.url.path()) {
            ("GET", "/api/admin/cato/budget/status") => {
                let mode = if s.spent >= s.limit {
                    "EMERGENCY"
                } else if s.spent >= 0.8 * s.limit {
                    "WARNING"
                } else {
                    "NORMAL"
                };
                let now = SystemClock.now();
                let (y, m) = if now.month() == 12 {
                    (now.year() + 1, 1)
                } else {
                    (now.year(), now.month() + 1)
                };
                let next = Utc.with_ymd_and_hms(y, m, 1, 0, 0, 0).unwrap();
                ResponseTemplate::new(200).set_body_json(json!({
                    "mode": mode,
                    "spent": s.spent,
                    "monthlyLimit": s.limit,
                    "nextReset": next.to_rfc3339(),
                    "curiosityEnabled": mode != "EMERGENCY",
                }))
            }
            ("PUT", "/api/admin/cato/budget/config") => {
                match body["monthlyLimit"].as_f64().filter(|l| *l >= 0.0) {
                    Some(limit) => {
                        s.limit = limit;
                        ResponseTemplate::new(204)
                    }
                    None => error(400, "monthlyLimit must be a non-negative number"),
                }
            }
            ("GET", "/api/admin/cato/traffic/status") => {
                ResponseTemplate::new(200).set_body_json(json!({
                    "shadowSelfShare": s.share,
                    "cacheSimilarityThreshold": s.threshold,
                    "emergencyMode": s.emergency,
                    "regions": s.regions,
                }))
            }
            ("PUT", "/api/admin/cato/traffic/regions") => match regions(&body, &s.regions) {
                Ok(split) => {
                    s.regions = split;
                    ResponseTemplate::new(204)
                }
                Err(why) => error(422, &why),
            },
            ("PUT", "/api/admin/cato/traffic/config") => {
                let Some(fields) = body.as_object().filter(|o| !o.is_empty()) else {
                    return error(400, "nothing to change");
                };
                let mut next = s.clone();
                for (field, value) in fields {
                    match (field.as_str(), value) {
                        ("shadowSelfShare", v) => match fraction(v) {
                            Some(f) => next.share = f,
                            None => return error(422, "shadowSelfShare must be within 0..1"),
                        },
                        ("cacheSimilarityThreshold", v) => match fraction(v) {
                            Some(f) => next.threshold = f,
                            None => {
                                return error(422, "cacheSimilarityThreshold must be within 0..1");
                            }
                        },
                        ("emergencyMode", Value::Bool(b)) => next.emergency = *b,
                        _ => return error(400, &format!("unknown field {field}")),
                    }
                }
                *s = next;
                ResponseTemplate::new(200).set_body_json(json!({"ok": true}))
            }
            _ => error(404, "no such route"),
        }
    }
}
