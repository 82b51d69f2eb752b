//! Bedrock Throttling on the fakes.

mod config_and_ports;
mod detect;
mod quota_request;
mod traffic_controls;

use std::time::Duration;

use cato_runbook_core::ports::TrafficControl;
use cato_runbook_mock::config::QuotaDecision;
use cato_runbook_mock::{WorldChange, WorldConfig};

use crate::engine_on_world::OnWorld;

const ID: &str = "bedrock-throttling";
const QUOTA: &str = "request-quota-increase";
const THRESHOLD: &str = "lower-cache-threshold";
const SHIFT: &str = "shift-to-shadow-self";

fn mins(n: u64) -> Duration {
    Duration::from_secs(60 * n)
}

/// A surge at T+2m Bedrock's quota cannot take: 3000 requests/min send 225 calls/min to
/// Bedrock, whose quota is 200. The quota decision comes 10 minutes after the request.
fn surge(decision: QuotaDecision) -> WorldConfig {
    let mut config = WorldConfig::default();
    config.quotas.decided_after = mins(10);
    config.quotas.decision = decision;
    config
}

/// A surge so big that the cache threshold alone cannot absorb it: 4300 requests/min, with a
/// Shadow Self of 20 instances that can take more traffic.
fn big_surge(decision: QuotaDecision) -> WorldConfig {
    let mut config = surge(decision);
    config.endpoints[0].instances = 20;
    config
}

fn start(w: &OnWorld, requests_per_minute: f64) {
    w.world
        .schedule(
            w.world.at(mins(2)),
            WorldChange::RequestRate {
                requests_per_minute,
            },
        )
        .unwrap();
}

async fn approve_quota_at(w: &OnWorld, at: u64) {
    w.run_until(mins(at)).await;
    let incident = w.open(ID).await;
    w.operator()
        .approve(incident.id(), QUOTA, "alice")
        .await
        .unwrap();
}

async fn traffic(w: &OnWorld) -> cato_runbook_core::ports::TrafficState {
    w.world.traffic().state().await.unwrap()
}
