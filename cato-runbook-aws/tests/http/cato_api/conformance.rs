//! The shared budget and traffic checks against the fake admin API.

use std::collections::BTreeMap;

use cato_runbook_core::ports::{BudgetMode, TrafficState};
use cato_runbook_mock::conformance::{budget, traffic};

use super::fake::FakeAdmin;
use crate::common::settle;

#[tokio::test]
async fn budget_conformance() {
    let admin = FakeAdmin::start().await;
    // The fake starts at $812.50 spent of $1000: WARNING from 80 % on.
    let fixture = budget::BudgetFixture {
        monthly_limit_usd: 1000.0,
        mode: BudgetMode::Warning,
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
        state: TrafficState {
            shadow_self_share: 0.3,
            cache_similarity_threshold: 0.92,
            emergency_mode: false,
            regions: BTreeMap::from([("us-east-1".to_owned(), 1.0), ("us-west-2".to_owned(), 0.0)]),
        },
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
    assert_eq!(s.regions, fixture.state.regions, "failed over and back");
}
