//! What a fault is, and when it applies.

use std::fmt;
use std::time::Duration;

use cato_runbook_core::{Error, ErrorKind, Retry, Timestamp};
use serde::{Deserialize, Serialize};

use crate::ops::{Op, OpMatch};

/// The posts a provider sends at most once (`Transport::post_once` in `cato_runbook_aws`: Slack's
/// `chat.postMessage`, SendGrid's send): their lost answer is
/// [`ErrorKind::DeliveryUnknown`], never retried, as the real providers answer it.
const SENT_ONCE: &[Op] = &[Op::ChatPost, Op::MailSend];

/// What happens to a call a rule fires on.
///
/// In data (TOML, JSON) a fault is tagged by `kind`:
/// `{ kind = "transient" }`, `{ kind = "permanent", error = "permission_denied" }`,
/// `{ kind = "latency", delay = "5s" }`, `{ kind = "hang" }`, `{ kind = "garbage" }`,
/// `{ kind = "lost" }`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum Fault {
    /// Fails with a passing fault: a 5xx, a dropped connection ([`ErrorKind::Unavailable`],
    /// [`Retry::Transient`]).
    Transient {
        /// The error's message.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        message: Option<String>,
    },
    /// Fails because the service is rate limiting ([`ErrorKind::Throttled`],
    /// [`Retry::Throttled`]).
    Throttled {
        /// The error's message.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        message: Option<String>,
    },
    /// Fails in a way no retry fixes ([`Retry::Permanent`]); the kind defaults to
    /// [`ErrorKind::PermissionDenied`].
    Permanent {
        /// The error's kind.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        error: Option<ErrorKind>,
        /// The error's message.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        message: Option<String>,
    },
    /// Fails with exactly this kind and retry class.
    Error {
        /// The error's kind.
        error: ErrorKind,
        /// Its retry class; the kind's default when absent.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        retry: Option<Retry>,
        /// The error's message.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        message: Option<String>,
    },
    /// Waits `delay` on the clock, then lets the call through.
    Latency {
        /// How long.
        #[serde(with = "humantime_serde")]
        delay: Duration,
    },
    /// Never answers. The caller's timeout is the only way out.
    ///
    /// The fieldless kinds are empty struct variants (`Hang {}`), not unit variants: serde
    /// refuses unknown keys beside an internally tagged unit variant's `kind` only so.
    Hang {},
    /// Lets the call through, then spoils its answer: NaN, negative or overflowing counters,
    /// series out of order or empty, a name that exists nowhere, an enormous string (see
    /// [`Garble`](super::Garble)). Answers without evidence pass unchanged.
    Garbage {},
    /// Lets the call through, and it takes effect; then its answer is lost: a client timeout
    /// after the service applied the change, a connection reset after its 200. The caller gets
    /// a passing error ([`ErrorKind::Unavailable`], [`Retry::Transient`]; for a chat post or
    /// an email, sent at most once, [`ErrorKind::DeliveryUnknown`]) and cannot tell the call
    /// from one that never ran; the call's record shows what the service did (applied,
    /// deduplicated). An answer that is an error comes through as it is: that call took no
    /// effect.
    Lost {
        /// The error's message.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        message: Option<String>,
    },
    /// Lets the call through untouched (a placeholder in a sequence).
    Succeed {},
}

impl Fault {
    /// A transient failure.
    pub fn transient() -> Self {
        Fault::Transient { message: None }
    }

    /// A throttling failure.
    pub fn throttled() -> Self {
        Fault::Throttled { message: None }
    }

    /// A permanent failure of `kind`.
    pub fn permanent(kind: ErrorKind) -> Self {
        Fault::Permanent {
            error: Some(kind),
            message: None,
        }
    }

    /// A failure of `kind` with the retry class `retry`.
    pub fn error(kind: ErrorKind, retry: Retry) -> Self {
        Fault::Error {
            error: kind,
            retry: Some(retry),
            message: None,
        }
    }

    /// A call that takes effect and whose answer is lost.
    pub fn lost() -> Self {
        Fault::Lost { message: None }
    }

    /// A delay before the call goes through.
    pub fn latency(delay: Duration) -> Self {
        Fault::Latency { delay }
    }

    /// The error this fault fails `op` with, if it fails it: before the call for the error
    /// faults, after it for [`Fault::Lost`].
    pub fn to_error(&self, op: Op) -> Option<Error> {
        let (kind, retry, message) = match self {
            Fault::Lost { message } => {
                let message = message.as_deref().unwrap_or(
                    "injected lost answer: the call took effect, its answer never arrived",
                );
                // A post that is not idempotent is sent once: its lost answer is said so.
                let (kind, retry) = if SENT_ONCE.contains(&op) {
                    (ErrorKind::DeliveryUnknown, Retry::Permanent)
                } else {
                    (ErrorKind::Unavailable, Retry::Transient)
                };
                return Some(Error::new(kind, op.as_str(), message).with_retry(retry));
            }
            Fault::Transient { message } => {
                (ErrorKind::Unavailable, Retry::Transient, message.as_deref())
            }
            Fault::Throttled { message } => {
                (ErrorKind::Throttled, Retry::Throttled, message.as_deref())
            }
            Fault::Permanent { error, message } => (
                error.unwrap_or(ErrorKind::PermissionDenied),
                Retry::Permanent,
                message.as_deref(),
            ),
            Fault::Error {
                error,
                retry,
                message,
            } => (
                *error,
                retry.unwrap_or_else(|| error.default_retry()),
                message.as_deref(),
            ),
            Fault::Latency { .. } | Fault::Hang {} | Fault::Garbage {} | Fault::Succeed {} => {
                return None;
            }
        };
        let message = message.map_or_else(|| format!("injected {kind} fault"), str::to_owned);
        Some(Error::new(kind, op.as_str(), message).with_retry(retry))
    }
}

impl fmt::Display for Fault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Fault::Transient { .. } => f.write_str("transient error"),
            Fault::Throttled { .. } => f.write_str("throttling error"),
            Fault::Permanent { error, .. } => write!(
                f,
                "permanent error ({})",
                error.unwrap_or(ErrorKind::PermissionDenied)
            ),
            Fault::Error { error, retry, .. } => write!(
                f,
                "{error} error ({})",
                retry.unwrap_or_else(|| error.default_retry())
            ),
            Fault::Latency { delay } => write!(
                f,
                "latency of {}",
                cato_runbook_core::time::HumanDuration(*delay)
            ),
            Fault::Hang {} => f.write_str("hang"),
            Fault::Garbage {} => f.write_str("garbage answer"),
            Fault::Lost { .. } => f.write_str("lost answer"),
            Fault::Succeed {} => f.write_str("no fault"),
        }
    }
}

/// A fault, the operations it applies to, and when.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FaultRule {
    /// Which operations (`workloads.scale`, `endpoint.*`, `*`).
    pub op: OpMatch,
    /// What happens.
    pub fault: Fault,
    /// How many calls it fires on before stepping aside; every call when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub times: Option<u32>,
    /// How many matching calls it lets through before it starts firing.
    #[serde(default)]
    pub skip: u32,
    /// It fires only from this time on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from: Option<Timestamp>,
    /// It fires only before this time.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub until: Option<Timestamp>,
}

impl FaultRule {
    /// A rule that fires `fault` on every call of `op`.
    pub fn new(op: impl Into<OpMatch>, fault: Fault) -> Self {
        FaultRule {
            op: op.into(),
            fault,
            times: None,
            skip: 0,
            from: None,
            until: None,
        }
    }

    /// Whether the rule's time window contains `now`.
    pub fn active_at(&self, now: Timestamp) -> bool {
        self.from.is_none_or(|from| now >= from) && self.until.is_none_or(|until| now < until)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn faults_become_errors_of_the_right_class() {
        let op = Op::WorkloadsScale;
        let t = Fault::transient().to_error(op).unwrap();
        assert_eq!(
            (t.kind(), t.retry()),
            (ErrorKind::Unavailable, Retry::Transient)
        );
        assert_eq!(t.operation(), "workloads.scale");
        let th = Fault::throttled().to_error(op).unwrap();
        assert_eq!(
            (th.kind(), th.retry()),
            (ErrorKind::Throttled, Retry::Throttled)
        );
        let p = Fault::permanent(ErrorKind::NotFound).to_error(op).unwrap();
        assert_eq!(
            (p.kind(), p.retry()),
            (ErrorKind::NotFound, Retry::Permanent)
        );
        let e = Fault::error(ErrorKind::Conflict, Retry::Transient)
            .to_error(op)
            .unwrap();
        assert!(e.is_retryable());
        let lost = Fault::lost().to_error(op).unwrap();
        assert_eq!(
            (lost.kind(), lost.retry()),
            (ErrorKind::Unavailable, Retry::Transient)
        );
        assert!(lost.to_string().contains("took effect"), "{lost}");
        let post = Fault::lost().to_error(Op::ChatPost).unwrap();
        assert_eq!(
            (post.kind(), post.retry()),
            (ErrorKind::DeliveryUnknown, Retry::Permanent)
        );
        assert!(Fault::Hang {}.to_error(op).is_none());
        assert!(
            Fault::latency(Duration::from_secs(1))
                .to_error(op)
                .is_none()
        );
    }

    #[test]
    fn rules_read_from_data() {
        let rule: FaultRule = serde_json::from_value(serde_json::json!({
            "op": "endpoint.*",
            "times": 2,
            "fault": { "kind": "latency", "delay": "5s" }
        }))
        .unwrap();
        assert_eq!(rule.op, OpMatch::Port("endpoint"));
        assert_eq!(rule.fault, Fault::latency(Duration::from_secs(5)));
        assert_eq!(rule.times, Some(2));
        let bad = serde_json::from_value::<FaultRule>(serde_json::json!({
            "op": "endpoint.describe", "fault": { "kind": "explode" }
        }));
        assert!(bad.is_err());
        let lost: FaultRule = serde_json::from_value(serde_json::json!({
            "op": "budget.set_monthly_limit",
            "fault": { "kind": "lost" }
        }))
        .unwrap();
        assert_eq!(lost.fault, Fault::lost());
        assert_eq!(
            serde_json::to_value(&lost.fault).unwrap(),
            serde_json::json!({ "kind": "lost" })
        );
    }
}
