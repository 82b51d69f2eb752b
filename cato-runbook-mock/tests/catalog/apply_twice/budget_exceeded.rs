//! Budget Exceeded: the raise (and its revert) sent twice; the wait, which sends nothing.

use cato_runbook_core::Result;
use cato_runbook_core::ports::BudgetMode;
use cato_runbook_mock::{Op, WorldChange, WorldConfig};

use super::{
    Rung, Twins, alike, applied, apply_twice, minutes, record, repeated, revert_twice, writes,
};

const ID: &str = "budget-exceeded";
const BUDGET: &str = "cato-llm-budget";

/// Twins whose spend reached the $1,000 monthly limit a minute ago: EMERGENCY.
async fn in_emergency() -> Result<Twins> {
    let twins = Twins::new(WorldConfig::default())?;
    twins.apply(WorldChange::SpendReachesLimit)?;
    twins.wait(minutes(1)).await;
    Ok(twins)
}

/// `$1500.00` as a number.
fn dollars(text: &str) -> Option<f64> {
    text.strip_prefix('$')?.parse().ok()
}

#[tokio::test(start_paused = true)]
async fn raise_monthly_limit_applied_twice_raises_once_and_reverts_once() {
    let twins = in_emergency().await.unwrap();
    let rung = Rung::new(ID, BUDGET, "raise-monthly-limit").diagnosed_by(&["budget-status"]);
    let (twice, once) = twins.plan(&rung).await.unwrap();
    let (before, after) = (
        dollars(&twice.plan.changes[0].before).unwrap(),
        dollars(&twice.plan.changes[0].after).unwrap(),
    );
    assert_eq!((before, after), (1000.0, 1500.0));

    apply_twice(&twice, &once, minutes(1)).await.unwrap();
    let world = alike(&twice, &once, minutes(2)).await;
    assert_eq!(
        world.budget.limit_usd, after,
        "1.5 × the limit, not 1.5 × 1.5 ×"
    );
    assert_ne!(world.budget.mode, BudgetMode::Emergency);

    let lines = revert_twice(&twice, &once, minutes(1)).await.unwrap();
    assert_eq!(lines[0], "monthly limit back to $1000.00");
    assert_eq!(
        lines[1], lines[0],
        "the repeat is answered as the first revert"
    );
    let world = alike(&twice, &once, minutes(1)).await;
    assert_eq!(world.budget.limit_usd, before);

    let (key, back) = (twice.key(), twice.revert_key());
    assert_eq!(
        record(&twice, Op::BudgetSetMonthlyLimit),
        [
            applied(&key),
            repeated(&key),
            applied(&back),
            repeated(&back)
        ]
    );
    assert_eq!(
        record(&once, Op::BudgetSetMonthlyLimit),
        [applied(&key), applied(&back)]
    );
    let limits: Vec<_> = twice
        .world
        .calls()
        .of(Op::BudgetSetMonthlyLimit)
        .iter()
        .map(|c| c.arg_f64("monthly_limit_usd"))
        .collect();
    assert_eq!(
        limits,
        [Some(after), Some(after), Some(before), Some(before)],
        "absolute limits, never an increment"
    );
}

#[tokio::test(start_paused = true)]
async fn wait_for_monthly_reset_applied_twice_changes_nothing() {
    let twins = in_emergency().await.unwrap();
    let rung = Rung::new(ID, BUDGET, "wait-for-monthly-reset").diagnosed_by(&["budget-status"]);
    let (twice, once) = twins.plan(&rung).await.unwrap();
    assert!(!twice.plan.reversible);
    assert!(twice.plan.changes.is_empty());

    let line = apply_twice(&twice, &once, minutes(1)).await.unwrap();
    assert!(
        line.starts_with("waiting for the monthly reset on 2026-04-01"),
        "{line}"
    );
    let world = alike(&twice, &once, minutes(1)).await;
    assert_eq!(world.budget.mode, BudgetMode::Emergency);
    assert_eq!(world.budget.limit_usd, 1000.0);
    assert!(writes(&twice).is_empty(), "{:?}", writes(&twice));
    assert!(writes(&once).is_empty(), "{:?}", writes(&once));
}
