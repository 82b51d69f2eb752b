//! About 120 events a minute per routing key: more wait on the clock.

use std::sync::Arc;
use std::time::Duration;

use cato_runbook_aws::pagerduty::PagerDuty;
use cato_runbook_aws::secrecy::SecretString;
use cato_runbook_core::ports::Pager;

use super::fake::FakePagerDuty;
use crate::common::quick;
use crate::support::step_clock::StepClock;

fn limited(pd: &FakePagerDuty, clock: Arc<StepClock>, keys: [&str; 3]) -> PagerDuty {
    PagerDuty::new(reqwest::Client::new(), &pd.server.uri())
        .unwrap()
        .with_rate_limit(5, Duration::from_secs(60))
        .with_routing_key("on-call", SecretString::from(keys[0]))
        .with_routing_key("on-call-backup", SecretString::from(keys[1]))
        .with_routing_key("vp-engineering", SecretString::from(keys[2]))
        .with_options(quick())
        .with_clock(clock)
}

const A: &str = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
const B: &str = "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb";

#[tokio::test]
async fn events_past_the_limit_wait_for_the_window() {
    let pd = FakePagerDuty::start().await;
    let clock = Arc::new(StepClock::default());
    let pager = limited(&pd, clock.clone(), [A, B, B]);
    for i in 0..12 {
        pager.resolve("on-call", &format!("INC-{i}")).await.unwrap();
    }
    // 5 at 0 s, 5 at 60 s, 2 at 120 s: two waits of a minute, none shorter than needed.
    assert_eq!(clock.elapsed(), Duration::from_secs(120));
    assert_eq!(
        clock.sleeps(),
        [Duration::from_secs(60), Duration::from_secs(60)]
    );
    assert_eq!(pd.server.received_requests().await.unwrap().len(), 12);
}

#[tokio::test]
async fn each_routing_key_has_its_own_limit_and_targets_sharing_a_key_share_it() {
    let pd = FakePagerDuty::start().await;
    let clock = Arc::new(StepClock::default());
    let pager = limited(&pd, clock.clone(), [A, B, B]);
    for i in 0..5 {
        pager.resolve("on-call", &format!("INC-{i}")).await.unwrap();
        pager
            .resolve("on-call-backup", &format!("INC-{i}"))
            .await
            .unwrap();
    }
    assert!(
        clock.sleeps().is_empty(),
        "5 each on two keys: within the limit"
    );
    // vp-engineering shares B with on-call-backup, whose 5 are spent.
    pager.resolve("vp-engineering", "INC-9").await.unwrap();
    assert_eq!(clock.sleeps(), [Duration::from_secs(60)]);
}

#[tokio::test]
async fn the_default_is_120_a_minute() {
    let pd = FakePagerDuty::start().await;
    let clock = Arc::new(StepClock::default());
    let pager = PagerDuty::new(reqwest::Client::new(), &pd.server.uri())
        .unwrap()
        .with_routing_key("on-call", SecretString::from(A))
        .with_options(quick())
        .with_clock(clock.clone());
    for i in 0..121 {
        pager
            .acknowledge("on-call", &format!("INC-{i}"))
            .await
            .unwrap();
    }
    assert_eq!(clock.sleeps(), [Duration::from_secs(60)]);
}
