//! What runbooks rely on from [`Alarms`]: the runbook's "CloudWatch alarms → PagerDuty →
//! On-call", read by name prefix, many alarms per call, in pages.

use cato_runbook_core::ErrorKind;
use cato_runbook_core::ports::{AlarmValue, Alarms, MAX_ALARMS_PER_PAGE, all_alarms};

use super::{CheckResult, During, Settle, ensure, refused, run_checks};

/// The alarms the harness set up.
#[derive(Debug, Clone)]
pub struct AlarmsFixture {
    /// Their common name prefix.
    pub prefix: String,
    /// Every alarm of the prefix and its state, by name; at least two.
    pub alarms: Vec<(String, AlarmValue)>,
    /// An alarm outside the prefix.
    pub outsider: String,
    /// The clock ("now").
    pub settle: Settle,
}

/// One call answers every alarm of a prefix, by name, with its state; none outside it.
pub async fn describes_by_prefix(port: &dyn Alarms, fixture: &AlarmsFixture) -> CheckResult {
    const CHECK: &str = "alarms.describes_by_prefix";
    let page = port
        .describe(&fixture.prefix, MAX_ALARMS_PER_PAGE, None)
        .await
        .during(CHECK)?;
    let found: Vec<(String, AlarmValue)> = page
        .alarms
        .iter()
        .map(|a| (a.name.clone(), a.state))
        .collect();
    ensure(found == fixture.alarms, CHECK, || {
        format!("expected {:?}, found {found:?}", fixture.alarms)
    })?;
    ensure(page.next_token.is_none(), CHECK, || {
        format!("a next page after every alarm: {:?}", page.next_token)
    })?;
    let now = fixture.settle.clock.now();
    ensure(
        page.alarms.iter().all(|a| a.updated_at <= now),
        CHECK,
        || format!("an alarm updated in the future: {:?}", page.alarms),
    )
}

/// Small pages follow one another by token, in name order, until the last, which has none.
pub async fn pages(port: &dyn Alarms, fixture: &AlarmsFixture) -> CheckResult {
    const CHECK: &str = "alarms.pages";
    let mut names = Vec::new();
    let mut token = None;
    for _ in 0..=fixture.alarms.len() {
        let page = port
            .describe(&fixture.prefix, 1, token.take())
            .await
            .during(CHECK)?;
        ensure(page.alarms.len() <= 1, CHECK, || {
            format!("a page of {} alarms, asked for 1", page.alarms.len())
        })?;
        names.extend(page.alarms.into_iter().map(|a| a.name));
        match page.next_token {
            Some(next) => token = Some(next),
            None => break,
        }
    }
    let expected: Vec<&String> = fixture.alarms.iter().map(|(name, _)| name).collect();
    ensure(names.iter().eq(expected.iter().copied()), CHECK, || {
        format!("pages of one gave {names:?}, expected {expected:?}")
    })?;
    let all = all_alarms(port, &fixture.prefix, 1).await.during(CHECK)?;
    ensure(all.len() == fixture.alarms.len(), CHECK, || {
        format!("all_alarms gave {} alarms", all.len())
    })
}

/// A prefix nobody's alarm has answers an empty page; the empty prefix reaches every alarm.
pub async fn prefixes_select(port: &dyn Alarms, fixture: &AlarmsFixture) -> CheckResult {
    const CHECK: &str = "alarms.prefixes_select";
    let none = port
        .describe(&format!("{}no-such-alarm-", fixture.prefix), 10, None)
        .await
        .during(CHECK)?;
    ensure(
        none.alarms.is_empty() && none.next_token.is_none(),
        CHECK,
        || format!("alarms of an unused prefix: {none:?}"),
    )?;
    let every = all_alarms(port, "", 10).await.during(CHECK)?;
    let has = |name: &str| every.iter().any(|a| a.name == name);
    ensure(
        has(&fixture.outsider) && fixture.alarms.iter().all(|(n, _)| has(n)),
        CHECK,
        || format!("the empty prefix missed some alarms: {every:?}"),
    )
}

/// A page size outside `1..=100` is refused.
pub async fn refuses_page_sizes_out_of_range(
    port: &dyn Alarms,
    fixture: &AlarmsFixture,
) -> CheckResult {
    const CHECK: &str = "alarms.refuses_page_sizes_out_of_range";
    for size in [0, MAX_ALARMS_PER_PAGE + 1] {
        let result = port.describe(&fixture.prefix, size, None).await;
        refused(result, CHECK, &[ErrorKind::InvalidInput])?;
    }
    Ok(())
}

/// Every alarms check.
pub async fn run_all(port: &dyn Alarms, fixture: &AlarmsFixture) -> CheckResult {
    run_checks!(port, fixture;
        describes_by_prefix, pages, prefixes_select, refuses_page_sizes_out_of_range)
}
