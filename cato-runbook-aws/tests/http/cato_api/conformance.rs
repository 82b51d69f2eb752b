//! The shared budget and traffic checks against the fake admin API.

use cato_runbook_mock::conformance::{budget, traffic};

use super::fake::FakeAdmin;
use crate::common::settle;

#[tokio::test]
async fn budget_conformance() {
    let admin = FakeAdmin::start().await;
    let fixture = budget::BudgetFixture {
        key_prefix: "conformance".into(),
        settle: settle(),
    };
    budget::run_all(&admin.api(), &fixture).await.unwrap();
    assert_eq!(admin.state.lock().unwrap().limit, 1000.0, "restored");
}

#[tokio::test]
async fn traffic_conformance() {
    let admin = FakeAdmin::start().await;
    let fixture = traffic::TrafficFixture {
        key_prefix: "conformance".into(),
        settle: settle(),
    };
    traffic::run_all(&admin.api(), &fixture).await.unwrap();
    let s = admin.state.lock().unwrap().clone();
    assert_eq!(
        (s.share, s.threshold, s.emergency),
        (0.3, 0.92, false),
        "restored"
    );
}
