//! Building a rule one call at a time: `faults.on(op).times(2).transient()`.

use std::time::Duration;

use cato_runbook_core::{ErrorKind, Retry, Timestamp};

use super::registry::{Faults, RuleId};
use super::rule::{Fault, FaultRule};

/// Builds one rule; a fault method adds it to the registry.
#[derive(Debug)]
#[must_use = "a rule is added only by one of the fault methods (transient, latency, …)"]
pub struct FaultBuilder<'a> {
    faults: &'a Faults,
    rule: FaultRule,
}

impl<'a> FaultBuilder<'a> {
    pub(super) fn new(faults: &'a Faults, rule: FaultRule) -> Self {
        FaultBuilder { faults, rule }
    }

    /// Fires on `n` calls, then steps aside.
    pub fn times(mut self, n: u32) -> Self {
        self.rule.times = Some(n);
        self
    }

    /// Fires once, then steps aside.
    pub fn once(self) -> Self {
        self.times(1)
    }

    /// Lets the first `n` matching calls through.
    pub fn skip(mut self, n: u32) -> Self {
        self.rule.skip = n;
        self
    }

    /// Fires only from `from` (inclusive) until `until` (exclusive).
    pub fn between(mut self, from: Timestamp, until: Timestamp) -> Self {
        self.rule.from = Some(from);
        self.rule.until = Some(until);
        self
    }

    /// Fires only from `from` on.
    pub fn from(mut self, from: Timestamp) -> Self {
        self.rule.from = Some(from);
        self
    }

    /// Adds the rule with `fault`.
    pub fn fault(mut self, fault: Fault) -> RuleId {
        self.rule.fault = fault;
        self.faults.add(self.rule)
    }

    /// Adds the rule: a transient error.
    pub fn transient(self) -> RuleId {
        self.fault(Fault::transient())
    }

    /// Adds the rule: a throttling error.
    pub fn throttled(self) -> RuleId {
        self.fault(Fault::throttled())
    }

    /// Adds the rule: a permanent error of `kind`.
    pub fn permanent(self, kind: ErrorKind) -> RuleId {
        self.fault(Fault::permanent(kind))
    }

    /// Adds the rule: an error of `kind` with the retry class `retry`.
    pub fn error(self, kind: ErrorKind, retry: Retry) -> RuleId {
        self.fault(Fault::error(kind, retry))
    }

    /// Adds the rule: a delay, then the call goes through.
    pub fn latency(self, delay: Duration) -> RuleId {
        self.fault(Fault::latency(delay))
    }

    /// Adds the rule: the call never answers.
    pub fn hang(self) -> RuleId {
        self.fault(Fault::Hang {})
    }

    /// Adds the rule: the call goes through and its answer is spoiled.
    pub fn garbage(self) -> RuleId {
        self.fault(Fault::Garbage {})
    }

    /// Adds the rule: the call goes through and takes effect, and its answer is lost.
    pub fn lost(self) -> RuleId {
        self.fault(Fault::lost())
    }
}
