//! Who acts: the leader lease, renewed at every tick, and the fence every write carries.
//!
//! | the lease says | the tick |
//! | --- | --- |
//! | this replica leads | everything; a new term (a new fence) first reloads the open incidents |
//! | another replica leads | nothing: no detector runs, so standbys cost no provider calls |
//! | nothing (it cannot answer) | until this replica's own lease lapses, everything; then detection, opening and notifications (fail open), no step (fail closed) |
//!
//! A write the store refuses as fenced means another replica leads now: this one stops acting
//! at once, before its lease would have told it.

use tracing::{error, info, warn};

use super::Inner;
use super::report::{TickEvent, TickReport};
use super::state::Lane;
use crate::call;
use crate::error::Error;
use crate::ports::{Fence, Leadership};
use crate::time::{self, Timestamp};

/// This replica's view of the lease.
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct Term {
    /// The greatest fence seen: this replica's while it leads, the holder's otherwise.
    pub(super) fence: Fence,
    /// The fence of this replica's own last term (0 if it never led): what the engine's own
    /// writes carry, so that a task of a term that ended is refused by the store.
    pub(super) own: Fence,
    /// Whether this replica leads.
    pub(super) leads: bool,
    /// When the lease lapses unless renewed.
    pub(super) expires: Option<Timestamp>,
    /// Whether the store has seen this term's fence: a new leader writes it before it acts,
    /// so that from then on the store refuses the deposed leader's writes.
    pub(super) fenced: bool,
}

/// What a tick may do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Role {
    /// Everything.
    Leader,
    /// Nothing: `holder` leads.
    Standby(String),
    /// Detection, opening and notifications, no step: the lease cannot answer.
    Degraded,
}

impl Inner {
    /// The current term, for the host's health checks.
    pub(super) fn term_now(&self) -> Term {
        self.term()
    }

    /// Whether this replica leads and its lease runs past `now`.
    pub(super) fn leads_until(&self, now: Timestamp) -> bool {
        let term = self.term();
        term.leads && term.expires.is_some_and(|expires| expires > now)
    }

    fn term(&self) -> Term {
        match self.term.lock() {
            Ok(term) => *term,
            Err(poisoned) => *poisoned.into_inner(),
        }
    }

    fn set_term(&self, term: Term) {
        super::telemetry::leading(self.lease.replica(), term.leads);
        match self.term.lock() {
            Ok(mut t) => *t = term,
            Err(poisoned) => *poisoned.into_inner() = term,
        }
    }

    /// The fence a person's write through this replica carries: the current holder's (a
    /// standby writes an approval under compare-and-swap, not as a leader).
    pub(super) fn write_fence(&self) -> Fence {
        self.term().fence
    }

    /// The fence the engine's own writes carry: this replica's last term's.
    pub(super) fn own_fence(&self) -> Fence {
        self.term().own
    }

    /// Whether this replica leads now, with time left on its lease: no step's call goes out
    /// otherwise.
    pub(super) fn leads_now(&self) -> bool {
        let term = self.term();
        term.leads && term.expires.is_some_and(|expires| self.now() < expires)
    }

    /// Whether this replica led at its last look at the lease.
    pub(super) fn leads(&self) -> bool {
        self.term().leads
    }

    /// A write was refused as fenced: another replica leads now.
    pub(super) fn depose(&self, err: &Error) {
        let mut term = self.term();
        if term.leads {
            warn!(error = %err, "another replica leads now; this one stops acting");
        }
        super::telemetry::fenced(self.lease.replica());
        term.leads = false;
        self.set_term(term);
    }

    /// Renews or takes the lease, and says what this tick may do.
    pub(super) async fn lead(&self, now: Timestamp, report: &mut TickReport) -> Role {
        let ttl = self.config.lease_ttl;
        let before = self.term();
        let answer = call::timed(
            self.clock.as_ref(),
            self.config.timeouts.call,
            "lease.acquire",
            self.lease.replica(),
            self.lease.acquire(ttl),
        )
        .await;
        match answer {
            Ok(Leadership::Leader { fence, expires }) => {
                let fresh = !before.leads || before.fence != fence;
                if fresh {
                    info!(replica = self.lease.replica(), %fence, "this replica leads");
                    report.events.push(TickEvent::Leading { fence: fence.0 });
                    self.forget_incidents().await;
                }
                let fenced = before.fenced && !fresh;
                self.set_term(Term {
                    fence,
                    own: fence,
                    leads: true,
                    expires: Some(expires),
                    fenced,
                });
                if fenced || self.fence_store(report).await {
                    Role::Leader
                } else {
                    Role::Degraded
                }
            }
            Ok(Leadership::Follower {
                holder,
                fence,
                expires,
            }) => {
                if before.leads {
                    warn!(replica = self.lease.replica(), %holder, "this replica no longer leads");
                    self.forget_incidents().await;
                }
                self.set_term(Term {
                    fence: fence.max(before.fence),
                    own: before.own,
                    leads: false,
                    expires: Some(expires),
                    fenced: false,
                });
                report.standby = Some(holder.clone());
                Role::Standby(holder)
            }
            Err(err) => {
                error!(replica = self.lease.replica(), error = %err, "the lease cannot answer");
                super::telemetry::lease_unavailable(self.lease.replica());
                report.events.push(TickEvent::LeaseUnavailable {
                    error: err.to_string(),
                });
                let left = before.expires.map(|e| time::elapsed(now, e));
                let lapsed = left.is_none_or(|left| left.is_zero());
                if before.leads && !lapsed && before.fenced {
                    // This replica's own lease has time left: it goes on.
                    Role::Leader
                } else if !before.leads && !lapsed {
                    // Another replica's lease has time left: it leads, this one waits.
                    report.standby = Some("the last known holder".to_owned());
                    Role::Standby("the last known holder".to_owned())
                } else {
                    if before.leads {
                        self.set_term(Term {
                            leads: false,
                            ..before
                        });
                    }
                    Role::Degraded
                }
            }
        }
    }

    /// Gives the lease up on shutdown, if this replica leads, so that a standby takes over at
    /// its next tick instead of a lease ttl later.
    pub(super) async fn step_down(&self) {
        if !self.leads() {
            return;
        }
        let released = call::timed(
            self.clock.as_ref(),
            self.config.timeouts.call,
            "lease.release",
            self.lease.replica(),
            self.lease.release(),
        )
        .await;
        match released {
            Ok(()) => {
                let term = self.term();
                self.set_term(Term {
                    leads: false,
                    ..term
                });
                info!(replica = self.lease.replica(), "gave up the lease");
            }
            Err(err) => {
                warn!(replica = self.lease.replica(), error = %err, "could not give up the lease; a standby takes over when it lapses")
            }
        }
    }

    /// Writes this term's fence to the store (a compare-and-swap of the guardrail state that
    /// changes nothing else) before the new leader acts: from then on every write of the
    /// deposed leader is refused, and what it wrote before is in the store this leader loads.
    /// Until the store takes it, the tick is degraded: no step.
    async fn fence_store(&self, report: &mut TickReport) -> bool {
        match self.change_guardrails(self.own_fence(), |_| Ok(())).await {
            Ok(()) => {
                let mut term = self.term();
                term.fenced = true;
                self.set_term(term);
                true
            }
            Err(why) => {
                error!(replica = self.lease.replica(), error = %why, "the store does not take this term's fence yet; no step until it does");
                super::telemetry::store_unavailable("fence");
                report.events.push(TickEvent::StoreUnavailable {
                    what: "fence".into(),
                    error: why,
                });
                false
            }
        }
    }

    /// Drops the in-memory incidents, so that the next load reads them from the store (a new
    /// term: another leader may have changed them) — all but those that still hold something
    /// of this replica's: a reconcile running, a change not yet saved, an incident opened while
    /// the store could not answer. Every key lets go of its incident (the load links them
    /// again), and keeps its streaks.
    async fn forget_incidents(&self) {
        let mut table = self.table.lock().await;
        table.loaded = false;
        for key in &mut table.keys {
            key.incident = None;
        }
        table.incidents.retain(|_, cell| {
            cell.version() == 0
                || cell.is_unsaved()
                || cell.is_busy(Lane::Act)
                || cell.is_busy(Lane::Watch)
        });
    }
}
