//! What runbooks rely on from [`Logs`]: the Shadow Self runbook's `filter-log-events` with
//! terms and quoted phrases.

use std::time::Duration;

use cato_runbook_core::ports::{LogEvent, Logs};
use cato_runbook_core::time;
use cato_runbook_core::{ErrorKind, Timestamp};

use super::{CheckResult, During, Failure, Settle, ensure, refused, run_checks};

/// A log group the harness filled with [`LogsFixture::standard_events`] (or its own lines),
/// all logged at or after `since`.
#[derive(Debug, Clone)]
pub struct LogsFixture {
    /// The group.
    pub group: String,
    /// The messages written, oldest first.
    pub events: Vec<String>,
    /// A time before the first of them.
    pub since: Timestamp,
    /// A group that does not exist.
    pub missing_group: String,
    /// How to wait for the lines to show.
    pub settle: Settle,
}

impl LogsFixture {
    /// The lines a harness writes for the checks, oldest first.
    pub fn standard_events() -> Vec<String> {
        [
            "INFO model server started on port 8080",
            "ERROR torch.OutOfMemoryError: CUDA out of memory. Tried to allocate 2.00 GiB",
            "WARN ThrottlingException: Rate exceeded",
            "ERROR Container exited with code 137",
            "INFO invocation served in 812 ms",
        ]
        .map(str::to_owned)
        .to_vec()
    }
}

/// Whether `wanted` appear in `found`, in order (other events may sit between them).
fn in_order(found: &[LogEvent], wanted: &[&String]) -> bool {
    let mut rest = found.iter();
    wanted.iter().all(|w| rest.any(|e| &e.message == *w))
}

async fn all_written(
    port: &dyn Logs,
    fixture: &LogsFixture,
    check: &'static str,
) -> Result<Vec<LogEvent>, Failure> {
    fixture
        .settle
        .until(check, "the written lines to show", async || {
            let found = port
                .filter(&fixture.group, "", fixture.since, 10_000)
                .await
                .during(check)?;
            let wanted: Vec<&String> = fixture.events.iter().collect();
            Ok(in_order(&found, &wanted).then_some(found))
        })
        .await
}

/// The empty pattern answers every event since the time, oldest first.
pub async fn empty_pattern_matches_everything(
    port: &dyn Logs,
    fixture: &LogsFixture,
) -> CheckResult {
    const CHECK: &str = "logs.empty_pattern_matches_everything";
    let found = all_written(port, fixture, CHECK).await?;
    ensure(found.windows(2).all(|w| w[0].at <= w[1].at), CHECK, || {
        "events not oldest first".into()
    })?;
    ensure(found.iter().all(|e| e.at >= fixture.since), CHECK, || {
        "an event before `since`".into()
    })
}

async fn check_pattern(
    port: &dyn Logs,
    fixture: &LogsFixture,
    check: &'static str,
    pattern: &str,
    matches: impl Fn(&str) -> bool,
) -> CheckResult {
    all_written(port, fixture, check).await?;
    let found = port
        .filter(&fixture.group, pattern, fixture.since, 10_000)
        .await
        .during(check)?;
    ensure(found.iter().all(|e| matches(&e.message)), check, || {
        format!("{pattern} matched an event it should not: {found:?}")
    })?;
    let wanted: Vec<&String> = fixture.events.iter().filter(|m| matches(m)).collect();
    ensure(
        !wanted.is_empty() && in_order(&found, &wanted),
        check,
        || format!("{pattern} missed events: wanted {wanted:?}, found {found:?}"),
    )
}

/// A term matches the events that contain it, case-sensitively.
pub async fn term_matches(port: &dyn Logs, fixture: &LogsFixture) -> CheckResult {
    check_pattern(port, fixture, "logs.term_matches", "ERROR", |m| {
        m.contains("ERROR")
    })
    .await
}

/// A quoted phrase matches the events that contain it, spaces included.
pub async fn quoted_phrase_matches(port: &dyn Logs, fixture: &LogsFixture) -> CheckResult {
    check_pattern(
        port,
        fixture,
        "logs.quoted_phrase_matches",
        "\"out of memory\"",
        |m| m.contains("out of memory"),
    )
    .await
}

/// Several terms must all appear.
pub async fn terms_combine(port: &dyn Logs, fixture: &LogsFixture) -> CheckResult {
    check_pattern(port, fixture, "logs.terms_combine", "ERROR 137", |m| {
        m.contains("ERROR") && m.contains("137")
    })
    .await
}

/// At most `limit` events come back, the oldest.
pub async fn limit_keeps_the_oldest(port: &dyn Logs, fixture: &LogsFixture) -> CheckResult {
    const CHECK: &str = "logs.limit_keeps_the_oldest";
    let all = all_written(port, fixture, CHECK).await?;
    let two = port
        .filter(&fixture.group, "", fixture.since, 2)
        .await
        .during(CHECK)?;
    ensure(
        two.len() == 2.min(all.len()) && two[..] == all[..two.len()],
        CHECK,
        || format!("limit 2 gave {two:?}"),
    )
}

/// Nothing is logged after now.
pub async fn future_since_is_empty(port: &dyn Logs, fixture: &LogsFixture) -> CheckResult {
    const CHECK: &str = "logs.future_since_is_empty";
    let later = time::add(fixture.settle.clock.now(), Duration::from_secs(3600));
    let found = port
        .filter(&fixture.group, "", later, 100)
        .await
        .during(CHECK)?;
    ensure(found.is_empty(), CHECK, || format!("{found:?}"))
}

/// A group that does not exist is `NotFound`; a malformed pattern is invalid input.
pub async fn refuses_bad_requests(port: &dyn Logs, fixture: &LogsFixture) -> CheckResult {
    const CHECK: &str = "logs.refuses_bad_requests";
    refused(
        port.filter(&fixture.missing_group, "", fixture.since, 10)
            .await,
        CHECK,
        &[ErrorKind::NotFound],
    )?;
    refused(
        port.filter(&fixture.group, "\"unterminated", fixture.since, 10)
            .await,
        CHECK,
        &[ErrorKind::InvalidInput],
    )
}

/// Every check.
pub async fn run_all(port: &dyn Logs, fixture: &LogsFixture) -> CheckResult {
    run_checks!(port, fixture;
        empty_pattern_matches_everything,
        term_matches,
        quoted_phrase_matches,
        terms_combine,
        limit_keeps_the_oldest,
        future_since_is_empty,
        refuses_bad_requests,
    )
}
