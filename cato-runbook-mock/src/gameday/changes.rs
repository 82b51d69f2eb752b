//! What a run's call records say about it as a whole: how many calls each operation took, and
//! any change that took effect twice under one idempotency key.

use std::collections::BTreeMap;

use crate::calls::{CallOutcome, CallRecord};

use super::expect::Verdict;

/// Calls per operation (`endpoint.describe` → 12).
pub(super) fn per_op(calls: &[CallRecord]) -> BTreeMap<String, u64> {
    let mut counts = BTreeMap::new();
    for call in calls {
        *counts.entry(call.op.as_str().to_owned()).or_default() += 1;
    }
    counts
}

/// The changes that took effect more than once under one key (`endpoint.update_config
/// INC-1:restart-endpoint ×2`): a call the fake applied, not one it deduplicated or refused.
pub(super) fn repeated(calls: &[CallRecord]) -> Vec<String> {
    let mut applied: BTreeMap<(&str, &str), u32> = BTreeMap::new();
    for call in calls {
        if let (Some(key), CallOutcome::Ok) = (&call.key, &call.outcome)
            && call.op.mutates()
        {
            *applied.entry((call.op.as_str(), key.as_str())).or_default() += 1;
        }
    }
    applied
        .into_iter()
        .filter(|(_, n)| *n > 1)
        .map(|((op, key), n)| format!("{op} {key} ×{n}"))
        .collect()
}

/// The verdict every run gets when a change took effect twice (none when none did).
pub(super) fn verdict(repeated: &[String]) -> Option<Verdict> {
    (!repeated.is_empty()).then(|| Verdict {
        expectation: "no change applied twice under one idempotency key".to_owned(),
        passed: false,
        detail: repeated.join("; "),
    })
}
