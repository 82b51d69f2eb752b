//! What runbooks rely on from [`Budget`]: the Budget Exceeded runbook's status and limit.

use cato_runbook_core::ports::{Budget, BudgetMode};
use cato_runbook_core::{ErrorKind, IdempotencyKey};
use chrono::{Datelike, Timelike};

use super::{CheckResult, During, Settle, ensure, refused, run_checks};

/// The budget the harness set up.
#[derive(Debug, Clone)]
pub struct BudgetFixture {
    /// Its monthly limit, US dollars.
    pub monthly_limit_usd: f64,
    /// Its mode.
    pub mode: BudgetMode,
    /// Prefix of the idempotency keys the checks use.
    pub key_prefix: String,
    /// How to wait for a change to show.
    pub settle: Settle,
}

/// The status reports the limit and mode the harness set up; the mode agrees with spend and
/// limit; the next reset is a month boundary ahead.
pub async fn status_is_consistent(port: &dyn Budget, fixture: &BudgetFixture) -> CheckResult {
    const CHECK: &str = "budget.status_is_consistent";
    let s = port.status().await.during(CHECK)?;
    let now = fixture.settle.clock.now();
    ensure(
        s.monthly_limit_usd == fixture.monthly_limit_usd && s.mode == fixture.mode,
        CHECK,
        || {
            format!(
                "limit ${} in mode {}, expected ${} in mode {}",
                s.monthly_limit_usd, s.mode, fixture.monthly_limit_usd, fixture.mode
            )
        },
    )?;
    ensure(
        (s.mode == BudgetMode::Emergency) == (s.spent_usd >= s.monthly_limit_usd),
        CHECK,
        || {
            format!(
                "mode {} with ${} spent of ${}",
                s.mode, s.spent_usd, s.monthly_limit_usd
            )
        },
    )?;
    ensure(
        s.curiosity_enabled == (s.mode != BudgetMode::Emergency),
        CHECK,
        || format!("curiosity {} in mode {}", s.curiosity_enabled, s.mode),
    )?;
    let r = s.next_reset;
    ensure(
        r > now && r.day() == 1 && r.hour() == 0 && r.minute() == 0,
        CHECK,
        || format!("next reset {r} is not a month boundary after {now}"),
    )
}

/// A new monthly limit shows in the status.
pub async fn set_monthly_limit_applies(port: &dyn Budget, fixture: &BudgetFixture) -> CheckResult {
    const CHECK: &str = "budget.set_monthly_limit_applies";
    let original = port.status().await.during(CHECK)?.monthly_limit_usd;
    for (limit, step) in [(original + 100.0, "raise"), (original, "restore")] {
        let key = IdempotencyKey::new(format!("{}:{step}-limit", fixture.key_prefix));
        port.set_monthly_limit(limit, &key).await.during(CHECK)?;
        port.set_monthly_limit(limit, &key).await.during(CHECK)?;
        fixture
            .settle
            .until(CHECK, "the new limit", async || {
                let s = port.status().await.during(CHECK)?;
                Ok(((s.monthly_limit_usd - limit).abs() < 1e-6).then_some(()))
            })
            .await?;
    }
    Ok(())
}

/// A negative limit is invalid input.
pub async fn negative_limit_is_refused(port: &dyn Budget, fixture: &BudgetFixture) -> CheckResult {
    let key = IdempotencyKey::new(format!("{}:negative-limit", fixture.key_prefix));
    refused(
        port.set_monthly_limit(-1.0, &key).await,
        "budget.negative_limit_is_refused",
        &[ErrorKind::InvalidInput],
    )
}

/// Every check.
pub async fn run_all(port: &dyn Budget, fixture: &BudgetFixture) -> CheckResult {
    run_checks!(port, fixture;
        status_is_consistent,
        negative_limit_is_refused,
        set_monthly_limit_applies,
        status_is_consistent,
    )
}
