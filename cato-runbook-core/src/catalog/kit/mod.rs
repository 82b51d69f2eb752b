//! The kit a catalog runbook is written with: what every runbook would otherwise write again.
//!
//! | need | here |
//! |------|------|
//! | the complete minutes before now, or since a change | [`last_minutes`], [`whole_minutes`], [`since_change`], [`whole_second`] |
//! | a series or a value of a metrics answer, by the query's id | [`peak`], [`total`], [`latest`] |
//! | a production variant of `describe-endpoint` | [`variant`], [`find_variant`] |
//! | a setting that does not validate | [`Settings`]: every message reads `runbooks.<id>.<key>: <why>` |
//! | the key of a revert | [`revert_key`], [`apply_key_revert`] |
//! | a log line as evidence, a count as a fact | [`log_line`], [`count`] |

mod endpoint;
mod metrics;
mod settings;
#[cfg(test)]
pub(crate) mod stub;
mod window;

pub(crate) use endpoint::{DESCRIBE_ENDPOINT, find_variant, variant};
pub(crate) use metrics::{latest, peak, total};
pub(crate) use settings::Settings;
pub(crate) use window::{last_minutes, since_change, whole_minutes, whole_second};

use crate::incident::IdempotencyKey;
use crate::ports::LogEvent;
use crate::runbook::{Plan, StepContext};

/// Hours in an average month, for a monthly cost from an hourly price.
pub(crate) const HOURS_PER_MONTH: f64 = 730.0;

/// The key of a step's revert: `incident:step:revert`, derived from the incident and the plan's
/// step, so that the revert is a side effect of its own and not a repeat of the apply.
pub(crate) fn revert_key(ctx: &StepContext, plan: &Plan) -> IdempotencyKey {
    IdempotencyKey::derive(&ctx.incident, &format!("{}:revert", plan.step))
}

/// The key of a revert as the apply's key with `:revert` after it: not the apply's, whose
/// arguments differ.
pub(crate) fn apply_key_revert(ctx: &StepContext) -> IdempotencyKey {
    IdempotencyKey::new(format!("{}:revert", ctx.idempotency_key))
}

/// A log event as a line of evidence: `09:02:13 stream: message`.
pub(crate) fn log_line(event: &LogEvent) -> String {
    format!(
        "{} {}: {}",
        event.at.format("%H:%M:%S"),
        event.stream,
        event.message
    )
}

/// A count as an integer fact, `i64::MAX` at most.
pub(crate) fn count(n: impl TryInto<i64>) -> i64 {
    n.try_into().unwrap_or(i64::MAX)
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_count_too_large_for_a_fact_saturates() {
        assert_eq!(super::count(u64::MAX), i64::MAX);
        assert_eq!(super::count(usize::MAX), i64::MAX);
        assert_eq!(super::count(7_u64), 7);
    }
}
