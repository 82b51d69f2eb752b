//! The budget fake: EMERGENCY at the limit, reset at the month boundary.

mod support;

use std::time::Duration;

use cato_runbook_core::ports::{Budget, BudgetMode, TrafficControl};
use cato_runbook_mock::{World, WorldChange, WorldConfig};
use chrono::{Datelike, TimeZone, Utc};
use support::{key, wait};

#[tokio::test(start_paused = true)]
async fn spend_reaching_the_limit_is_an_emergency_until_raised() {
    let world = World::default();
    let budget = world.budget();
    let s = budget.status().await.unwrap();
    assert_eq!(
        (s.mode, s.spent_usd, s.monthly_limit_usd),
        (BudgetMode::Normal, 420.0, 1000.0)
    );
    assert!(s.curiosity_enabled);

    world.apply(WorldChange::SpendReachesLimit).unwrap();
    let s = budget.status().await.unwrap();
    assert_eq!(s.mode, BudgetMode::Emergency);
    assert!(!s.curiosity_enabled);
    wait(&world, Duration::from_secs(3600)).await;
    assert_eq!(
        budget.status().await.unwrap().spent_usd,
        1000.0,
        "spend stops at the limit"
    );

    // The runbook: increase the budget if approved.
    budget
        .set_monthly_limit(2000.0, &key("raise-budget"))
        .await
        .unwrap();
    let s = budget.status().await.unwrap();
    assert_eq!(s.mode, BudgetMode::Normal);
    wait(&world, Duration::from_secs(3600)).await;
    assert!(
        budget.status().await.unwrap().spent_usd > 1000.0,
        "spending resumes"
    );
}

#[tokio::test(start_paused = true)]
async fn warning_before_the_limit() {
    let world = World::default();
    world.apply(WorldChange::Spend { usd: 850.0 }).unwrap();
    assert_eq!(
        world.budget().status().await.unwrap().mode,
        BudgetMode::Warning
    );
}

#[tokio::test(start_paused = true)]
async fn the_month_boundary_resets_spend() {
    let world = World::default();
    world.apply(WorldChange::SpendReachesLimit).unwrap();
    let budget = world.budget();
    let s = budget.status().await.unwrap();
    let april = Utc.with_ymd_and_hms(2026, 4, 1, 0, 0, 0).unwrap();
    assert_eq!(s.next_reset, april);

    world
        .clock()
        .sleep_until(april - chrono::TimeDelta::seconds(1))
        .await;
    assert_eq!(budget.status().await.unwrap().mode, BudgetMode::Emergency);
    wait(&world, Duration::from_secs(1)).await;
    let s = budget.status().await.unwrap();
    assert_eq!((s.mode, s.spent_usd), (BudgetMode::Normal, 0.0));
    assert_eq!(s.next_reset.month(), 5);
    wait(&world, Duration::from_secs(24 * 3600)).await;
    let s = budget.status().await.unwrap();
    assert!(s.spent_usd > 10.0 && s.spent_usd < 50.0, "{s:?}");
}

#[tokio::test(start_paused = true)]
async fn spend_follows_bedrock_traffic() {
    let mut config = WorldConfig::default();
    config.budget.curiosity_usd_per_hour = 0.0;
    let world = World::new(config).unwrap();
    let rate = world.snapshot().budget.spend_rate_usd_per_hour;
    world
        .traffic()
        .set_shadow_self_share(1.0, &key("all-shadow-self"))
        .await
        .unwrap();
    assert_eq!(world.snapshot().budget.spend_rate_usd_per_hour, 0.0);
    world
        .traffic()
        .set_emergency_mode(true, &key("emergency"))
        .await
        .unwrap();
    world
        .traffic()
        .set_shadow_self_share(0.5, &key("half"))
        .await
        .unwrap();
    let limited = world.snapshot().budget.spend_rate_usd_per_hour;
    assert!((limited - rate / 2.0).abs() < 1e-9, "{limited} vs {rate}");
}

#[tokio::test(start_paused = true)]
async fn december_resets_into_january() {
    let config = WorldConfig {
        start: Utc.with_ymd_and_hms(2026, 12, 31, 23, 0, 0).unwrap(),
        ..WorldConfig::default()
    };
    let world = World::new(config).unwrap();
    let s = world.budget().status().await.unwrap();
    assert_eq!(
        s.next_reset,
        Utc.with_ymd_and_hms(2027, 1, 1, 0, 0, 0).unwrap()
    );
    wait(&world, Duration::from_secs(3600)).await;
    assert_eq!(world.budget().status().await.unwrap().spent_usd, 0.0);
}
