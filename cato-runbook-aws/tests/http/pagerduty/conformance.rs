//! The shared pager checks against the fake Events API.

use cato_runbook_mock::conformance::pager;

use super::fake::{Alert, FakePagerDuty, ON_CALL_KEY};

#[tokio::test]
async fn pager_conformance() {
    let pd = FakePagerDuty::start().await;
    let fixture = pager::PagerFixture {
        target: "on-call".into(),
        key_prefix: "conformance".into(),
    };
    pager::run_all(&pd.pager(), &fixture).await.unwrap();
    // What PagerDuty did with the events: two alerts opened under one key, both resolved.
    assert_eq!(pd.state.lock().unwrap().opened, 2);
    assert_eq!(
        pd.alert(ON_CALL_KEY, "conformance-lifecycle"),
        Some(Alert::Resolved)
    );
    assert_eq!(pd.alert(ON_CALL_KEY, "conformance-never-triggered"), None);
}
