//! **CloudWatch alarms → PagerDuty → On-call** — the runbook's automatic detection, as
//! detectors any runbook of the catalog can join.
//!
//! > **Automatic Alerts:**
//! > - CloudWatch alarms → PagerDuty → On-call
//!
//! # As code
//!
//! `[runbooks.alarms]` maps alarms to runbooks and resources by name prefix:
//!
//! ```toml
//! [runbooks.alarms]
//! shadow-self-down = [{ prefix = "cato-shadow-self-", resource = "cato-shadow-self" }]
//! ```
//!
//! Each rule becomes a detector of that runbook, named `alarms:<prefix>`, watching
//! `resource`: an alarm of the prefix in `ALARM` is a symptom (the engine opens the runbook's
//! incident and pages by its policy); every alarm `OK` is healthy; `INSUFFICIENT_DATA`, no alarm
//! of the prefix at all, or a failed read is *unknown* — never healthy, so it neither opens nor
//! resolves an incident.
//!
//! Alarms are matched by name, not by tag: `DescribeAlarms` returns no tags, and
//! `ListTagsForResource` would cost a call per alarm on every tick.
//!
//! One read per tick serves every alarm detector built over the same [`Providers`]: the
//! detectors share a board that calls `describe-alarms` once per tick with the longest prefix
//! common to every rule, and each detector keeps the alarms of its own prefix.

mod board;
mod config;
mod detect;

use std::sync::Arc;

pub(crate) use board::AlarmBoards;
pub use config::{AlarmRule, Config};

use super::{CatalogConfig, Providers};
use crate::error::Result;
use crate::runbook::Runbook;

/// `runbook` with the alarm detectors `config.alarms` names for it.
///
/// # Errors
///
/// A rule that does not validate (the message names its key), or rules for `id` without an
/// alarms port in `providers`.
pub(crate) fn join(
    id: &str,
    providers: &Providers,
    config: &CatalogConfig,
    mut runbook: Runbook,
) -> Result<Runbook> {
    config.alarms.validate()?;
    let rules = config.alarms.rules(id);
    if rules.is_empty() {
        return Ok(runbook);
    }
    // The configured port, not the accessor's wrapper of it: one board per port, whichever
    // runbook asks.
    providers.alarms(id)?;
    let Some(port) = providers.alarms.clone() else {
        return Ok(runbook);
    };
    let board = providers.alarm_boards.for_port(port);
    for rule in rules {
        board.watch(&rule.prefix);
        runbook
            .detectors
            .push(Arc::new(detect::AlarmDetector::new(rule, board.clone())?));
    }
    Ok(runbook)
}
