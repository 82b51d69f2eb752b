//! The guardrail state every replica shares — the kill switch, cooldowns and the hourly count
//! of destructive actions — kept in the store as one document under compare-and-swap.
//!
//! The engine keeps a copy, read again at every tick. A check reads the copy; booking an action
//! (its cooldown starts, it counts against the hourly cap) is a compare-and-swap on the
//! store's document: a conflict (another replica, or an operator pulling the kill switch) is
//! re-read and checked again, and a store that cannot answer refuses the action — fail closed
//! for mitigations.

use std::time::Duration;

use tracing::{error, warn};

use super::Inner;
use super::names::COOLDOWN_KEY_SEPARATOR;
use super::policy::Policy;
use super::report::TickEvent;
use crate::error::{ErrorKind, Result};
use crate::ports::{Guardrails, Halt};
use crate::runbook::Risk;
use crate::time::{self, Timestamp};

const HOUR: Duration = Duration::from_secs(3600);

/// Why the kill switch holds automation back.
pub(super) const HALTED: &str = "kill switch: automation is halted";

/// Why an action may not go ahead.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Refusal {
    /// A guardrail refuses this step now (a cap, a cooldown): the ladder moves past it.
    Skip(String),
    /// Nothing moves until this passes (the kill switch, a store that cannot answer).
    Hold(String),
}

/// How often a compare-and-swap that keeps losing is tried before giving up.
pub(super) const CAS_TRIES: usize = 8;

fn acted_key(step: &str, resource: &str) -> String {
    format!("{step}{COOLDOWN_KEY_SEPARATOR}{resource}")
}

impl Guardrails {
    /// Why `step` may not act on `resource` now, if it may not.
    pub(super) fn refusal(
        &self,
        policy: &Policy,
        step: &str,
        resource: &str,
        risk: Risk,
        now: Timestamp,
    ) -> Option<String> {
        let cooldown = policy.cooldown_of(step);
        if let Some(last) = self.last_acted.get(&acted_key(step, resource)) {
            let ready = time::add(*last, cooldown);
            if now < ready {
                return Some(format!(
                    "cooldown: {step} acted on {resource} at {}, again from {}",
                    last.format("%H:%M:%S"),
                    ready.format("%H:%M:%S")
                ));
            }
        }
        if risk.is_destructive() {
            let since = time::sub(now, HOUR);
            let recent = self.destructive.iter().filter(|at| **at > since).count();
            if recent >= policy.max_destructive_per_hour as usize {
                return Some(format!(
                    "hourly cap: {recent} destructive actions in the last hour (max {})",
                    policy.max_destructive_per_hour
                ));
            }
        }
        None
    }

    /// Books the action: its cooldown starts, and it counts against the hourly cap. Cooldowns
    /// that ran out are dropped, so the document stays small.
    fn book(&mut self, policy: &Policy, step: &str, resource: &str, risk: Risk, now: Timestamp) {
        self.last_acted.retain(|key, at| {
            let step = key.split(COOLDOWN_KEY_SEPARATOR).next().unwrap_or(key);
            time::add(*at, policy.cooldown_of(step)) > now
        });
        self.last_acted.insert(acted_key(step, resource), now);
        if risk.is_destructive() {
            let since = time::sub(now, HOUR);
            self.destructive.retain(|at| *at > since);
            self.destructive.push(now);
        }
    }
}

impl Inner {
    /// The copy of the guardrail state.
    pub(super) fn guardrails(&self) -> Guardrails {
        match self.guardrails.lock() {
            Ok(copy) => copy.value.clone(),
            Err(poisoned) => poisoned.into_inner().value.clone(),
        }
    }

    /// Whether the kill switch is on, by the copy (or pulled here while the store could not
    /// keep it).
    pub(super) fn is_halted(&self) -> bool {
        if self.halted_here.load(std::sync::atomic::Ordering::SeqCst) {
            return true;
        }
        match self.guardrails.lock() {
            Ok(copy) => copy.value.halted.is_some(),
            Err(poisoned) => poisoned.into_inner().value.halted.is_some(),
        }
    }

    fn keep(&self, value: Guardrails, version: u64) {
        let mut copy = match self.guardrails.lock() {
            Ok(copy) => copy,
            Err(poisoned) => poisoned.into_inner(),
        };
        if version >= copy.version {
            copy.value = value;
            copy.version = version;
        }
    }

    async fn read_guardrails(&self) -> Result<()> {
        let stored = self
            .store_call("store.guardrails", "guardrails", self.store.guardrails())
            .await?;
        self.keep(stored.value, stored.version);
        Ok(())
    }

    /// Reads the shared state again at the start of a tick; a store that cannot answer leaves
    /// the copy as it was, loudly.
    pub(super) async fn refresh_guardrails(&self, events: &mut Vec<TickEvent>) {
        if let Err(err) = self.read_guardrails().await {
            error!(error = %err, "the store cannot answer for the guardrails");
            super::telemetry::store_unavailable("guardrails");
            events.push(TickEvent::StoreUnavailable {
                what: "guardrails".into(),
                error: err.to_string(),
            });
        }
    }

    /// Changes the shared state with `change` under compare-and-swap, re-reading on a
    /// conflict; `change` answers `Err(reason)` to refuse, leaving the store as it was.
    pub(super) async fn change_guardrails(
        &self,
        fence: crate::ports::Fence,
        mut change: impl FnMut(&mut Guardrails) -> std::result::Result<(), String>,
    ) -> std::result::Result<(), String> {
        for _ in 0..CAS_TRIES {
            let (mut value, version) = match self.guardrails.lock() {
                Ok(copy) => (copy.value.clone(), copy.version),
                Err(_) => return Err("the guardrail state is unavailable".into()),
            };
            change(&mut value)?;
            let saved = self
                .store_call(
                    "store.save_guardrails",
                    "guardrails",
                    self.store.save_guardrails(&value, version, fence),
                )
                .await;
            match saved {
                Ok(version) => {
                    self.keep(value, version);
                    return Ok(());
                }
                Err(err) if err.kind() == ErrorKind::Conflict => {
                    if let Err(err) = self.read_guardrails().await {
                        return Err(format!("the guardrail state cannot be read: {err}"));
                    }
                }
                Err(err) => {
                    if err.kind() == ErrorKind::Fenced {
                        self.depose(&err);
                    }
                    warn!(error = %err, "the guardrail state could not be saved");
                    return Err(format!("the guardrail state cannot be saved: {err}"));
                }
            }
        }
        Err("the guardrail state keeps changing under this replica".into())
    }

    /// Checks the guardrails for an action and, if they allow it, books it in the store.
    pub(super) async fn reserve(
        &self,
        fence: crate::ports::Fence,
        step: &str,
        resource: &str,
        risk: Risk,
        now: Timestamp,
    ) -> std::result::Result<(), Refusal> {
        let policy = &self.policy;
        let mut refused = None;
        let changed = self
            .change_guardrails(fence, |g| {
                if g.halted.is_some() {
                    refused = Some(Refusal::Hold(HALTED.into()));
                    return Err(HALTED.into());
                }
                if let Some(reason) = g.refusal(policy, step, resource, risk, now) {
                    refused = Some(Refusal::Skip(reason.clone()));
                    return Err(reason);
                }
                g.book(policy, step, resource, risk, now);
                Ok(())
            })
            .await;
        match changed {
            Ok(()) => Ok(()),
            // The store could not answer or kept changing: hold, and try at the next tick.
            Err(reason) => Err(refused.unwrap_or(Refusal::Hold(reason))),
        }
    }

    /// Pulls (`Some`) or lifts (`None`) the kill switch for every replica.
    pub(super) async fn set_halt(&self, halt: Option<Halt>) -> std::result::Result<(), String> {
        self.change_guardrails(self.write_fence(), |g| {
            g.halted = halt.clone();
            Ok(())
        })
        .await
    }
}
