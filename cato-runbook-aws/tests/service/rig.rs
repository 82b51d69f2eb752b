//! An engine over a fake world, its service, and requests sent through the router.

use std::time::Duration;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use cato_runbook_aws::service::{Role, Service, ServiceConfig, TokenConfig, hash_token};
use cato_runbook_core::catalog::{self, CatalogConfig};
use cato_runbook_core::engine::{Engine, EngineConfig, Mode, Policy};
use cato_runbook_core::ports::Clock;
use cato_runbook_core::runbook::Risk;
use cato_runbook_mock::World;
use cato_runbook_mock::config::CrashCause;
use cato_runbook_mock::world::WorldChange;
use http_body_util::BodyExt;
use serde_json::Value;
use tower::ServiceExt;

pub(crate) const VIEWER: &str = "viewer-token";
pub(crate) const RESPONDER: &str = "responder-token";
pub(crate) const ADMIN: &str = "admin-token";
pub(crate) const SECRET: &str = "webhook-secret";
pub(crate) const OLD_SECRET: &str = "webhook-secret-old";

/// A world, an engine on it (auto mode; high-risk steps need approval) and its service.
pub(crate) struct Rig {
    pub(crate) world: World,
    pub(crate) engine: Engine,
    pub(crate) service: Service,
}

pub(crate) fn service_config() -> ServiceConfig {
    ServiceConfig {
        tokens: vec![
            token("vera", Role::Viewer, VIEWER),
            token("rosa", Role::Responder, RESPONDER),
            token("ada", Role::Admin, ADMIN),
        ],
        ..ServiceConfig::default()
    }
}

fn token(name: &str, role: Role, token: &str) -> TokenConfig {
    TokenConfig {
        name: name.into(),
        role,
        sha256: hash_token(token),
    }
}

impl Rig {
    pub(crate) fn new(resolve: bool) -> Rig {
        let world = World::default();
        let ports = world.ports("orchestrator-0");
        let runbooks = catalog::all(
            &ports.providers(world.clock_handle()),
            &CatalogConfig::default(),
        )
        .unwrap();
        let mut policy = Policy::with_mode(Mode::Auto);
        policy.approval.risk_at_least = Some(Risk::High);
        let engine = world
            .engine_builder(&ports)
            .runbooks(runbooks)
            .policy(policy)
            .config(EngineConfig::default())
            .build()
            .unwrap();
        let secrets = vec![SECRET.to_owned().into(), OLD_SECRET.to_owned().into()];
        let service = Service::new(&engine, &service_config())
            .unwrap()
            .with_pagerduty_webhook(secrets, resolve);
        Rig {
            world,
            engine,
            service,
        }
    }

    /// The Shadow Self endpoint loses its instances now; ticks until its incident waits for
    /// approval of the restart. Returns the incident's id.
    pub(crate) async fn shadow_self_down(&self) -> String {
        self.world
            .schedule_in(
                Duration::ZERO,
                WorldChange::EndpointLosesInstances {
                    endpoint: "cato-shadow-self".into(),
                    cause: CrashCause::CrashLoop,
                },
            )
            .unwrap();
        for _ in 0..4 {
            self.engine.tick().await.unwrap();
            self.world.clock().sleep(Duration::from_secs(30)).await;
        }
        let open = self.engine.operator().open_incidents().await.unwrap();
        let incident = open
            .iter()
            .find(|i| i.runbook().as_str() == "shadow-self-down")
            .expect("the Shadow Self incident is open");
        incident.id().to_string()
    }

    /// `n` ticks 30 s apart on a healthy world.
    pub(crate) async fn healthy_ticks(&self, n: usize) {
        for _ in 0..n {
            self.engine.tick().await.unwrap();
            self.world.clock().sleep(Duration::from_secs(30)).await;
        }
    }

    /// Sends a request; the status and the body as JSON (`Value::Null` when empty or not JSON).
    pub(crate) async fn send(
        &self,
        method: &str,
        path: &str,
        token: Option<&str>,
        body: Option<&str>,
    ) -> (StatusCode, Value) {
        let mut request = Request::builder().method(method).uri(path);
        if let Some(token) = token {
            request = request.header("authorization", format!("Bearer {token}"));
        }
        if body.is_some() {
            request = request.header("content-type", "application/json");
        }
        let request = request
            .body(Body::from(body.unwrap_or("").to_owned()))
            .unwrap();
        self.raw(request).await
    }

    pub(crate) async fn raw(&self, request: Request<Body>) -> (StatusCode, Value) {
        let (status, bytes) = self.raw_bytes(request).await;
        (
            status,
            serde_json::from_slice(&bytes).unwrap_or(Value::Null),
        )
    }

    pub(crate) async fn raw_bytes(&self, request: Request<Body>) -> (StatusCode, Vec<u8>) {
        let response = self.service.router().oneshot(request).await.unwrap();
        let status = response.status();
        let bytes = response.into_body().collect().await.unwrap().to_bytes();
        (status, bytes.to_vec())
    }

    /// The timeline's entry kinds and details of an incident, as the API shows it.
    pub(crate) async fn timeline(&self, id: &str) -> Vec<String> {
        let (status, incident) = self
            .send("GET", &format!("/api/incidents/{id}"), Some(VIEWER), None)
            .await;
        assert_eq!(status, StatusCode::OK, "{incident}");
        entries(&incident)
    }
}

/// `kind by actor: detail` for each timeline entry of an incident's JSON.
pub(crate) fn entries(incident: &Value) -> Vec<String> {
    incident["timeline"]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .iter()
        .map(|e| {
            format!(
                "{} by {}: {}",
                e["kind"].as_str().unwrap_or("?"),
                e["actor"]["name"].as_str().unwrap_or("engine"),
                e["detail"].as_str().unwrap_or("")
            )
        })
        .collect()
}

/// The error kind of a refused request.
pub(crate) fn kind(body: &Value) -> &str {
    body["error"]["kind"].as_str().unwrap_or("(no error body)")
}
