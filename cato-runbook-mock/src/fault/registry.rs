//! The fault registry consulted before every call.

use cato_runbook_core::ports::{Clock, SystemClock};
use cato_runbook_core::{Result, Timestamp};
use std::collections::VecDeque;
use std::fmt;
use std::sync::{Arc, Mutex, MutexGuard};

use super::builder::FaultBuilder;
use super::garbage::Garble;
use super::rule::{Fault, FaultRule};
use crate::ops::{Op, OpMatch};

/// Identifies a rule, to remove it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RuleId(u64);

#[derive(Debug)]
struct Entry {
    id: RuleId,
    rule: FaultRule,
    seen: u32,
    fired: u32,
}

/// The most injected faults the registry keeps, as the call log keeps its calls: a standing
/// latency rule injects one a call, and a long run would otherwise hold every one.
pub const INJECTED_KEPT: usize = crate::calls::DEFAULT_KEPT;

#[derive(Debug, Default)]
struct Rules {
    next_id: u64,
    entries: Vec<Entry>,
    /// The last [`INJECTED_KEPT`] faults injected, oldest first.
    injected: VecDeque<(Op, Fault)>,
    /// Every fault injected, those forgotten included.
    injected_count: u64,
    /// Garbage answers given so far.
    garbage: u64,
}

/// A shared, scriptable set of fault rules. Cloning gives another handle on the same rules.
///
/// Time windows and latency read the registry's clock: give it the world's virtual clock (a
/// [`World`](crate::World) does) so that paused time covers them.
#[derive(Clone)]
pub struct Faults {
    rules: Arc<Mutex<Rules>>,
    clock: Arc<dyn Clock>,
}

impl fmt::Debug for Faults {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Faults")
            .field("rules", &self.rules())
            .field("clock", &self.clock)
            .finish()
    }
}

impl Default for Faults {
    /// No rules, on the system clock (tokio's timer for delays).
    fn default() -> Self {
        Faults::new(Arc::new(SystemClock))
    }
}

impl Faults {
    /// No rules, reading time from `clock`.
    pub fn new(clock: Arc<dyn Clock>) -> Self {
        Faults {
            rules: Arc::new(Mutex::new(Rules::default())),
            clock,
        }
    }

    fn lock(&self) -> MutexGuard<'_, Rules> {
        // Every change is a push, a retain or counter bumps: a poisoned lock holds usable rules.
        self.rules
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Adds a rule after the existing ones.
    pub fn add(&self, rule: FaultRule) -> RuleId {
        let mut rules = self.lock();
        let id = RuleId(rules.next_id);
        rules.next_id += 1;
        tracing::debug!(op = %rule.op, fault = %rule.fault, "fault rule added");
        rules.entries.push(Entry {
            id,
            rule,
            seen: 0,
            fired: 0,
        });
        id
    }

    /// Starts a rule for the selected operations; finish it with one of the builder's fault
    /// methods.
    pub fn on(&self, ops: impl Into<OpMatch>) -> FaultBuilder<'_> {
        FaultBuilder::new(self, FaultRule::new(ops, Fault::Succeed {}))
    }

    /// One fault per call of the selected operations, in order, then nothing: `[transient,
    /// transient, latency 5s]` fails twice, then slows one call down.
    pub fn sequence(
        &self,
        ops: impl Into<OpMatch>,
        faults: impl IntoIterator<Item = Fault>,
    ) -> Vec<RuleId> {
        let ops = ops.into();
        faults
            .into_iter()
            .map(|fault| {
                self.add(FaultRule {
                    times: Some(1),
                    ..FaultRule::new(ops, fault)
                })
            })
            .collect()
    }

    /// Removes a rule. Returns whether it was there.
    pub fn remove(&self, id: RuleId) -> bool {
        let mut rules = self.lock();
        let before = rules.entries.len();
        rules.entries.retain(|e| e.id != id);
        rules.entries.len() != before
    }

    /// Removes every rule.
    pub fn clear(&self) {
        self.lock().entries.clear();
    }

    /// The rules still in place, in order (spent ones included).
    pub fn rules(&self) -> Vec<FaultRule> {
        self.lock().entries.iter().map(|e| e.rule.clone()).collect()
    }

    /// The faults injected so far, in order, with the operation each hit: the last
    /// [`INJECTED_KEPT`] of them ([`Faults::injected_count`] counts them all).
    pub fn injected(&self) -> Vec<(Op, Fault)> {
        self.lock().injected.iter().cloned().collect()
    }

    /// How many faults were injected so far, those no longer kept included.
    pub fn injected_count(&self) -> u64 {
        self.lock().injected_count
    }

    /// The fault the rules pick for a call of `op` at `now`, counting it as fired.
    /// With it, how many garbage answers came before (for [`Injected::Garbage`]).
    fn pick(&self, op: Op, now: Timestamp) -> Option<(Fault, u64)> {
        let mut rules = self.lock();
        let mut picked = None;
        for entry in rules.entries.iter_mut() {
            let rule = &entry.rule;
            if !rule.op.matches(op) || !rule.active_at(now) {
                continue;
            }
            if rule.times.is_some_and(|times| entry.fired >= times) {
                continue;
            }
            if entry.seen < rule.skip {
                entry.seen += 1;
                continue;
            }
            entry.fired += 1;
            picked = Some(rule.fault.clone());
            break;
        }
        let fault = picked?;
        let nth = rules.garbage;
        if fault == (Fault::Garbage {}) {
            rules.garbage += 1;
        }
        rules.injected.push_back((op, fault.clone()));
        if rules.injected.len() > INJECTED_KEPT {
            rules.injected.pop_front();
        }
        rules.injected_count += 1;
        Some((fault, nth))
    }

    /// Applies the rules to one call of `op`: returns at once, after a delay, never (a hang),
    /// with the injected error, or with an order to spoil the answer ([`Injected::Garbage`])
    /// or to lose it ([`Injected::Lost`]).
    ///
    /// # Errors
    ///
    /// The error of the fault that fired, if it is an error fault.
    ///
    /// # Cancel safety
    ///
    /// Cancel safe: dropping the future during a delay or a hang abandons the call.
    pub async fn inject(&self, op: Op) -> Result<Injected> {
        let Some((fault, nth)) = self.pick(op, self.clock.now()) else {
            return Ok(Injected::Untouched);
        };
        tracing::debug!(%op, %fault, "fault injected");
        match fault {
            Fault::Succeed {} => Ok(Injected::Untouched),
            Fault::Latency { delay } => {
                self.clock.sleep(delay).await;
                Ok(Injected::Untouched)
            }
            Fault::Hang {} => futures::future::pending().await,
            Fault::Garbage {} => Ok(Injected::Garbage(nth)),
            Fault::Lost { message } => Ok(Injected::Lost { op, message }),
            other => match other.to_error(op) {
                Some(err) => Err(err),
                None => Ok(Injected::Untouched),
            },
        }
    }
}

/// What an injection left of a call that goes through.
#[derive(Debug, Clone, PartialEq, Eq)]
#[must_use = "a garbage or lost fault acts on the answer only through Injected::apply"]
pub enum Injected {
    /// The answer stays as the provider gives it.
    Untouched,
    /// The answer is spoiled, the `n`th garbage answer of the registry.
    Garbage(u64),
    /// The call of `op` takes effect, and its answer never reaches the caller
    /// ([`Fault::Lost`]).
    Lost {
        /// The call's operation.
        op: Op,
        /// The error's message, if the rule gave one.
        message: Option<String>,
    },
}

impl Injected {
    /// `answer`, spoiled if the fault says so.
    ///
    /// # Errors
    ///
    /// A lost answer's transient error ([`Fault::Lost`]): the call took effect, the caller
    /// does not know.
    pub fn apply<T: Garble>(self, answer: T) -> Result<T> {
        match self {
            Injected::Untouched => Ok(answer),
            Injected::Garbage(nth) => Ok(answer.garble(nth)),
            Injected::Lost { op, message } => {
                tracing::debug!(%op, "answer lost after the call took effect");
                match (Fault::Lost { message }).to_error(op) {
                    Some(err) => Err(err),
                    None => Ok(answer),
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use cato_runbook_core::Retry;

    use super::*;
    use crate::VirtualClock;

    fn faults() -> Faults {
        Faults::new(Arc::new(VirtualClock::default()))
    }

    #[tokio::test(start_paused = true)]
    async fn times_skip_and_order() {
        let f = faults();
        f.on(Op::WorkloadsScale).skip(1).times(2).transient();
        f.on(Op::WorkloadsScale).once().throttled();
        let mut outcomes = Vec::new();
        for _ in 0..5 {
            outcomes.push(f.inject(Op::WorkloadsScale).await.map_err(|e| e.retry()));
        }
        assert_eq!(
            outcomes,
            vec![
                Err(Retry::Throttled), // skipped by the first rule, the second fires
                Err(Retry::Transient),
                Err(Retry::Transient),
                Ok(Injected::Untouched),
                Ok(Injected::Untouched),
            ]
        );
        assert!(f.inject(Op::WorkloadsGet).await.is_ok());
        assert_eq!(f.injected().len(), 3);
    }

    /// A standing rule injects a fault a call: the registry keeps the last ones and counts
    /// them all.
    #[tokio::test(start_paused = true)]
    async fn a_standing_rule_keeps_the_last_faults_and_counts_them_all() {
        let f = faults();
        f.on(Op::WorkloadsGet).transient();
        for _ in 0..INJECTED_KEPT + 2 {
            assert!(f.inject(Op::WorkloadsGet).await.is_err());
        }
        assert!(f.inject(Op::WorkloadsScale).await.is_ok());
        assert_eq!(f.injected().len(), INJECTED_KEPT);
        assert_eq!(f.injected_count(), INJECTED_KEPT as u64 + 2);
        assert_eq!(
            f.injected().last().map(|(op, _)| *op),
            Some(Op::WorkloadsGet)
        );
    }

    #[tokio::test(start_paused = true)]
    async fn garbage_is_counted_so_each_answer_takes_the_next_shape() {
        let f = faults();
        f.on(Op::MetricsQuery).times(2).garbage();
        let mut outcomes = Vec::new();
        for _ in 0..3 {
            outcomes.push(f.inject(Op::MetricsQuery).await.ok());
        }
        assert_eq!(
            outcomes,
            vec![
                Some(Injected::Garbage(0)),
                Some(Injected::Garbage(1)),
                Some(Injected::Untouched),
            ]
        );
        assert_eq!(Injected::Garbage(3).apply(()).unwrap(), ());
    }

    #[tokio::test(start_paused = true)]
    async fn windows_and_removal() {
        let clock = VirtualClock::default();
        let f = Faults::new(Arc::new(clock));
        let id = f
            .on(OpMatch::Any)
            .between(
                clock.at(Duration::from_secs(60)),
                clock.at(Duration::from_secs(120)),
            )
            .transient();
        assert!(f.inject(Op::ChatPost).await.is_ok());
        tokio::time::advance(Duration::from_secs(60)).await;
        assert!(f.inject(Op::ChatPost).await.is_err());
        tokio::time::advance(Duration::from_secs(60)).await;
        assert!(f.inject(Op::ChatPost).await.is_ok());
        assert!(f.remove(id));
        assert!(!f.remove(id));
        assert!(f.rules().is_empty());
    }

    #[tokio::test(start_paused = true)]
    async fn latency_waits_on_the_clock_and_hang_never_answers() {
        let clock = VirtualClock::default();
        let f = Faults::new(Arc::new(clock));
        f.on(Op::MetricsQuery)
            .once()
            .latency(Duration::from_secs(5));
        assert_eq!(
            f.inject(Op::MetricsQuery).await.unwrap(),
            Injected::Untouched
        );
        assert_eq!(clock.elapsed(), Duration::from_secs(5));
        f.on(Op::MetricsQuery).hang();
        let hung = cato_runbook_core::call::within(
            &clock,
            Duration::from_secs(30),
            f.inject(Op::MetricsQuery),
        )
        .await;
        assert!(hung.is_none(), "a hang never answers");
        assert_eq!(clock.elapsed(), Duration::from_secs(35));
    }
}
