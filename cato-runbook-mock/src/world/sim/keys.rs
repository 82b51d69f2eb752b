//! The idempotency table: a mutating call's key, its arguments and its answer, remembered for
//! [`IDEMPOTENCY_WINDOW`] — where the real service would remember them.

use cato_runbook_core::time::{self, Timestamp};
use cato_runbook_core::{Error, ErrorKind, IdempotencyKey, Result};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

use super::Sim;
use crate::ops::Op;

pub(super) type IdemKey = (Op, String, IdempotencyKey);

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
pub(super) struct Memo {
    args: Value,
    answer: Value,
    at: Timestamp,
}

/// The operations whose key only the client remembers, and only once the answer has come:
/// the AWS services take no idempotency token for them (SageMaker `UpdateEndpoint` and
/// `UpdateEndpointWeightsAndCapacities`, ElastiCache `ModifyReplicationGroup`, DynamoDB
/// `UpdateTable`, Service Quotas `RequestServiceQuotaIncrease`), and `cato_runbook_aws` keeps a
/// memo of the calls it saw answered. A repeat after a lost answer reaches the service as a
/// new call, which applies it again or refuses it as the service does (an endpoint that is
/// updating, a quota request already open). The other keys are the service's own: the admin
/// API's `Idempotency-Key` (budget, traffic), the rollback annotation on the Deployment, and a
/// scale to an absolute count, which Kubernetes applies once whatever the repeats.
const KEYS_ONLY_THE_CLIENT_KEEPS: &[Op] = &[
    Op::EndpointUpdateConfig,
    Op::EndpointSetInstanceCount,
    Op::CacheClusterModifyNodeType,
    Op::TablesSetBillingMode,
    Op::QuotasRequestIncrease,
];

impl Sim {
    /// Runs `body` for a call whose answer is lost when `lost` (the key of a call only the
    /// client remembers is then not kept: the client never saw the answer).
    pub(crate) fn answering<T>(&mut self, lost: bool, body: impl FnOnce(&mut Sim) -> T) -> T {
        self.answer_lost = lost;
        let out = body(self);
        self.answer_lost = false;
        out
    }

    /// Runs `apply` once per `(op, scope, key)` within [`IDEMPOTENCY_WINDOW`]: a repeat with
    /// the same arguments returns the first answer without applying again (`true` in the
    /// answer says so); a repeat with other arguments is a conflict. Failed attempts are not
    /// remembered, so they can be retried; a key older than the window is forgotten, and its
    /// repeat applied again, as a provider's would be; and a key only the client keeps is not
    /// remembered when the call's answer is lost ([`Sim::answering`]).
    pub(crate) fn idempotent<T: Serialize + DeserializeOwned>(
        &mut self,
        op: Op,
        scope: &str,
        key: &IdempotencyKey,
        args: &Value,
        apply: impl FnOnce(&mut Sim) -> Result<T>,
    ) -> Result<(T, bool)> {
        self.forget_old_keys();
        let id = (op, scope.to_owned(), key.clone());
        if let Some(memo) = self.idempotency.get(&id) {
            if &memo.args != args {
                return Err(Error::new(
                    ErrorKind::Conflict,
                    op.as_str(),
                    format!(
                        "idempotency key {key} was used on {scope} with other arguments ({})",
                        memo.args
                    ),
                )
                .with_resource(scope));
            }
            let value = serde_json::from_value(memo.answer.clone()).map_err(|err| {
                Error::new(ErrorKind::Internal, op.as_str(), "stored answer unreadable")
                    .with_source(err)
            })?;
            return Ok((value, true));
        }
        let value = apply(self)?;
        if self.answer_lost && KEYS_ONLY_THE_CLIENT_KEEPS.contains(&op) {
            tracing::debug!(%op, %key, "answer lost: the key stays unknown to the client");
            return Ok((value, false));
        }
        let answer = serde_json::to_value(&value).map_err(|err| {
            Error::new(ErrorKind::Internal, op.as_str(), "answer not storable").with_source(err)
        })?;
        let at = self.now;
        self.memo_order.push_back((at, id.clone()));
        self.idempotency.insert(
            id,
            Memo {
                args: args.clone(),
                answer,
                at,
            },
        );
        Ok((value, false))
    }

    /// Forgets the keys first used more than [`IDEMPOTENCY_WINDOW`] ago.
    fn forget_old_keys(&mut self) {
        let horizon = time::sub(self.now, IDEMPOTENCY_WINDOW);
        while let Some((at, _)) = self.memo_order.front() {
            if *at > horizon {
                break;
            }
            if let Some((at, id)) = self.memo_order.pop_front()
                && self.idempotency.get(&id).is_some_and(|memo| memo.at == at)
            {
                self.idempotency.remove(&id);
            }
        }
    }
}
