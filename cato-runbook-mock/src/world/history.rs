//! How much of its past the world keeps. By default all of it, as the services do: every state
//! version (so a read of any past window answers as it did), every log line, put datapoint,
//! page, alert, chat message and mail. A world that runs for months of virtual time (a soak)
//! may forget what is older than a horizon, so that its own history does not grow in the
//! measured process beside the engine's.

use std::time::Duration;

use cato_runbook_core::time::{self, Timestamp};

use super::World;
use super::records::AlertStatus;
use super::sim::Sim;

/// How often the forgetting runs: an hour of virtual time.
const EVERY: Duration = Duration::from_secs(3600);

impl World {
    /// From now on the fakes forget what happened more than `keep` ago, within an hour of
    /// it: state versions (the last one before the horizon stays and answers any earlier
    /// time), log lines, put datapoints, pager events and resolved alerts, chat messages and
    /// mails. A read of a window older than the horizon sees the state of the horizon and no
    /// line, page or message. Meant for long runs; the call record has its own cap
    /// ([`Calls::keep_last`](crate::Calls::keep_last)).
    pub fn keep_history(&self, keep: Duration) {
        self.read(|sim, now| {
            sim.history.keep = Some(keep);
            sim.forget_before(time::sub(now, keep));
        });
    }
}

/// How much the world keeps, and up to where it last forgot.
#[derive(Debug, Default)]
pub(crate) struct History {
    keep: Option<Duration>,
    horizon: Option<Timestamp>,
}

impl History {
    /// Nothing before this time is kept: no line is written before it (the logs fake's
    /// synthetic lines start there too, as a log group's retention deletes them).
    pub(crate) fn horizon(&self) -> Option<Timestamp> {
        self.horizon
    }
}

impl Sim {
    /// Forgets what is past the horizon once it has moved an hour on; nothing without one.
    pub(crate) fn forget_old(&mut self, now: Timestamp) {
        let Some(keep) = self.history.keep else {
            return;
        };
        let horizon = time::sub(now, keep);
        if self
            .history
            .horizon
            .is_some_and(|last| time::elapsed(last, horizon) < EVERY)
        {
            return;
        }
        self.forget_before(horizon);
    }

    fn forget_before(&mut self, horizon: Timestamp) {
        self.history.horizon = Some(horizon);
        self.forget_versions_before(horizon);
        let r = &mut self.records;
        for events in r.logs.values_mut() {
            let old = events.partition_point(|e| e.at < horizon);
            events.drain(..old);
        }
        r.datapoints.retain(|p| p.at >= horizon);
        r.pager_events.retain(|e| e.at >= horizon);
        r.alerts.retain(|a| {
            a.status != AlertStatus::Resolved || a.resolved_at.is_none_or(|at| at >= horizon)
        });
        r.chat.retain(|m| m.at >= horizon);
        r.mail.retain(|m| m.at >= horizon);
    }
}
