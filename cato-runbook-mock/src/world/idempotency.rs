//! The idempotency table of the fakes: what a call made with an idempotency key answered, for
//! as long as a provider remembers it.

use std::collections::{HashMap, VecDeque};

use cato_runbook_core::time::{self, Timestamp};
use cato_runbook_core::{Error, ErrorKind, IdempotencyKey, Result};
use serde_json::Value;

use crate::ops::Op;

/// How long a fake remembers an idempotency key after its first use: 8 hours. A repeat within
/// it is answered, not applied again; a repeat after it is a new request and is applied. That is
/// the shortest window AWS documents for its client tokens ("valid for 8 hours after the first
/// request that uses it", Directory Service Data `CreateUser`; "an idempotency token is active
/// for 8 hours", Lookout for Vision; Verified Permissions "recognizes a ClientToken for eight
/// hours"; others keep them 24 to 36 hours), so the fakes are never kinder than a provider.
/// The engine never leans on it past a retry: a step's retries come within minutes, and a
/// step taken up again after a crash reads its change back (`Mitigation::landed`, the
/// write-ahead *applying* record) instead of calling on a guess.
pub const IDEMPOTENCY_WINDOW: std::time::Duration = std::time::Duration::from_secs(8 * 3600);

/// A remembered idempotent call: its arguments, its answer, when it was first made.
#[derive(Debug)]
struct Memo {
    args: Value,
    answer: Value,
    at: Timestamp,
}

/// A call's key: its operation, the resource it acts on, the caller's key.
pub(super) type IdemKey = (Op, String, IdempotencyKey);

/// The remembered calls, and the order they were first made in (to forget the old ones).
#[derive(Debug, Default)]
pub(super) struct Idempotency {
    table: HashMap<IdemKey, Memo>,
    order: VecDeque<(Timestamp, IdemKey)>,
}

impl Idempotency {
    /// The answer of an earlier call with `id` and these `args`, if one is remembered at `now`.
    ///
    /// # Errors
    ///
    /// A conflict when `id` was used with other arguments.
    pub(super) fn answered(
        &mut self,
        now: Timestamp,
        id: &IdemKey,
        args: &Value,
    ) -> Result<Option<Value>> {
        self.forget_old(now);
        let Some(memo) = self.table.get(id) else {
            return Ok(None);
        };
        if &memo.args != args {
            let (op, scope, key) = id;
            return Err(Error::new(
                ErrorKind::Conflict,
                op.as_str(),
                format!(
                    "idempotency key {key} was used on {scope} with other arguments ({})",
                    memo.args
                ),
            )
            .with_resource(scope.as_str()));
        }
        Ok(Some(memo.answer.clone()))
    }

    /// Remembers the answer of a call with `id` and `args`, first made at `at`.
    pub(super) fn remember(&mut self, at: Timestamp, id: IdemKey, args: Value, answer: Value) {
        self.order.push_back((at, id.clone()));
        self.table.insert(id, Memo { args, answer, at });
    }

    /// Forgets the keys first used more than [`IDEMPOTENCY_WINDOW`] before `now`.
    fn forget_old(&mut self, now: Timestamp) {
        let horizon = time::sub(now, IDEMPOTENCY_WINDOW);
        while let Some((at, _)) = self.order.front() {
            if *at > horizon {
                break;
            }
            if let Some((at, id)) = self.order.pop_front()
                && self.table.get(&id).is_some_and(|memo| memo.at == at)
            {
                self.table.remove(&id);
            }
        }
    }
}
