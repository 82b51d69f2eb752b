//! The simulation: state versions over time, timers that move services along, and the
//! idempotency table.

use std::collections::{BTreeMap, HashMap, VecDeque};

use cato_runbook_core::ports::{Deployment, HealthEvent, LogEvent, QuotaRequestStatus};
use cato_runbook_core::time::{self, Timestamp};

use super::change::WorldChange;
use super::history::History;
use super::models::EndpointOp;
use super::records::{Deployed, Records};
use super::state::State;
use crate::config::WorldConfig;

mod keys;

pub use keys::IDEMPOTENCY_WINDOW;
use keys::{IdemKey, Memo};

/// Something due at a virtual time.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Timer {
    /// A scheduled change from outside.
    Change(WorldChange),
    /// An endpoint's update or capacity change finishes (`region` `None`: the home region).
    EndpointOpDone {
        region: Option<String>,
        endpoint: String,
        op: u64,
    },
    /// A failed endpoint update finishes rolling back.
    EndpointRollbackDone {
        region: Option<String>,
        endpoint: String,
        op: u64,
    },
    /// A cache's node-type change finishes.
    CacheModifyDone { cache: String, op: u64 },
    /// A table's billing-mode change finishes.
    TableUpdateDone { table: String, op: u64 },
    /// The pods of a workload's new current revision are ready.
    RolloutReady {
        namespace: String,
        name: String,
        hash: String,
    },
    /// A quota request moves on.
    QuotaRequestStep {
        id: String,
        status: QuotaRequestStatus,
    },
}

#[derive(Debug)]
pub(crate) struct Sim {
    pub config: WorldConfig,
    /// Metrics and logs exist from here on.
    pub data_start: Timestamp,
    versions: Vec<(Timestamp, State)>,
    /// The first state, answered should `versions` ever be empty (it never is).
    initial: State,
    timers: BTreeMap<(Timestamp, u64), Timer>,
    timer_seq: u64,
    next_id: u64,
    pub records: Records,
    idempotency: HashMap<IdemKey, Memo>,
    /// The keys of `idempotency` in the order they were first used, to forget the old ones.
    memo_order: VecDeque<(Timestamp, IdemKey)>,
    /// The call being run will not get its answer back ([`Fault::Lost`](crate::Fault::Lost)).
    answer_lost: bool,
    /// The time the simulation was last brought up to.
    now: Timestamp,
    /// How much of its past it keeps.
    pub(crate) history: History,
}

impl Sim {
    pub(crate) fn new(config: WorldConfig) -> Sim {
        let start = config.start;
        let data_start = time::sub(start, config.metrics.history);
        let mut records = Records::default();
        for d in &config.deployments {
            records.deployments.push(Deployed {
                source: config.source_of(d.source.as_deref()),
                deployment: Deployment {
                    service: d.service.clone(),
                    version: d.version.clone(),
                    at: time::sub(start, d.ago),
                    author: d.author.clone(),
                    description: d.description.clone(),
                },
            });
        }
        records.deployments.sort_by_key(|d| d.deployment.at);
        for h in &config.health_events {
            records.health.push(HealthEvent {
                service: h.service.clone(),
                region: h.region.clone(),
                started_at: time::sub(start, h.ago),
                open: h.open,
                description: h.description.clone(),
            });
        }
        records.health.sort_by_key(|h| h.started_at);
        records
            .logs
            .entry(config.logs.app_group.clone())
            .or_default();
        for group in &config.logs.groups {
            records.logs.entry(group.clone()).or_default();
        }
        for e in &config.endpoints {
            records.logs.entry(e.log_group()).or_default();
        }
        for l in &config.logs.events {
            records.log(
                &l.group,
                LogEvent {
                    at: time::sub(start, l.ago),
                    stream: l.stream.clone(),
                    message: l.message.clone(),
                },
            );
        }
        for a in &config.alarms {
            records.alarms.insert(
                a.name.clone(),
                super::records::AlarmRecord {
                    metric: a.metric.clone(),
                    state: a.state,
                    reason: a.reason.clone(),
                    updated_at: start,
                    evaluated_at: start,
                },
            );
        }
        let state = State::from_config(&config);
        Sim {
            config,
            data_start,
            versions: vec![(start, state.clone())],
            initial: state,
            timers: BTreeMap::new(),
            timer_seq: 0,
            next_id: 1,
            records,
            idempotency: HashMap::new(),
            memo_order: VecDeque::new(),
            answer_lost: false,
            now: start,
            history: History::default(),
        }
    }

    /// The latest state.
    pub(crate) fn state(&self) -> &State {
        self.versions.last().map_or(&self.initial, |(_, s)| s)
    }

    /// The state in force at `at` (the first one for any time before the start).
    pub(crate) fn state_at(&self, at: Timestamp) -> &State {
        let after = self.versions.partition_point(|(t, _)| *t <= at);
        self.versions
            .get(after.saturating_sub(1))
            .map_or(&self.initial, |(_, s)| s)
    }

    pub(crate) fn next_id(&mut self) -> u64 {
        let id = self.next_id;
        self.next_id += 1;
        id
    }

    /// A copy of the latest state, brought up to `at`, to change and [`Sim::commit`].
    pub(crate) fn edit(&self, at: Timestamp) -> State {
        let mut state = self.state().clone();
        state.settle(at);
        state
    }

    /// Makes `state` the state from `at` on.
    pub(crate) fn commit(&mut self, at: Timestamp, state: State) {
        match self.versions.last_mut() {
            Some((last, current)) if *last >= at => *current = state,
            _ => self.versions.push((at, state)),
        }
    }

    /// Drops the versions before `horizon` but the last of them, which answers any earlier
    /// time.
    pub(crate) fn forget_versions_before(&mut self, horizon: Timestamp) {
        let before = self.versions.partition_point(|(t, _)| *t < horizon);
        if before > 1 {
            self.versions.drain(..before - 1);
        }
    }

    pub(crate) fn schedule(&mut self, at: Timestamp, timer: Timer) {
        self.timer_seq += 1;
        self.timers.insert((at, self.timer_seq), timer);
    }

    /// Fires every timer due at or before `now`, in time order, each at its own time.
    pub(crate) fn sync(&mut self, now: Timestamp) {
        self.now = self.now.max(now);
        while let Some(entry) = self.timers.first_entry() {
            let (at, _) = *entry.key();
            if at > now {
                break;
            }
            let timer = entry.remove();
            self.fire(at, timer);
        }
        self.forget_old(self.now);
    }

    fn fire(&mut self, at: Timestamp, timer: Timer) {
        match timer {
            Timer::Change(change) => {
                if let Err(err) = self.apply_change(at, &change) {
                    tracing::warn!(%change, error = %err, "scheduled change not applied");
                }
            }
            Timer::EndpointOpDone {
                region,
                endpoint,
                op,
            } => self.endpoint_op_done(at, region.as_deref(), &endpoint, op),
            Timer::EndpointRollbackDone {
                region,
                endpoint,
                op,
            } => {
                let mut state = self.edit(at);
                if let Some(e) = state.endpoint_in_mut(region.as_deref(), &endpoint)
                    && let Some(EndpointOp::RollingBack { id, reason }) = &e.op
                    && *id == op
                {
                    e.failure_reason = Some(reason.clone());
                    e.op = None;
                    e.last_modified = at;
                }
                self.commit(at, state);
            }
            Timer::CacheModifyDone { cache, op } => {
                let mut state = self.edit(at);
                if let Some(c) = state.cache_mut(&cache)
                    && let Some((id, node_type)) = c.pending.take()
                {
                    if id == op {
                        // New nodes: Redis restarts, its counters start again.
                        c.node_type = node_type;
                        c.run += 1;
                        c.counters = Default::default();
                        c.counted_at = at;
                    } else {
                        c.pending = Some((id, node_type));
                    }
                }
                self.commit(at, state);
            }
            Timer::TableUpdateDone { table, op } => {
                let mut state = self.edit(at);
                if let Some(t) = state.table_mut(&table)
                    && let Some((id, mode)) = t.pending
                    && id == op
                {
                    t.billing_mode = mode;
                    t.pending = None;
                }
                self.commit(at, state);
            }
            Timer::RolloutReady {
                namespace,
                name,
                hash,
            } => self.rollout_ready(at, &namespace, &name, &hash),
            Timer::QuotaRequestStep { id, status } => {
                let mut state = self.edit(at);
                let mut granted = None;
                if let Some(r) = state.requests.iter_mut().find(|r| r.id == id) {
                    r.status = status;
                    if status == QuotaRequestStatus::Approved {
                        granted = Some((r.service.clone(), r.code.clone(), r.desired));
                    }
                }
                if let Some((service, code, desired)) = granted
                    && let Some(q) = state
                        .quotas
                        .iter_mut()
                        .find(|q| q.service == service && q.code == code)
                {
                    q.value = desired;
                }
                self.commit(at, state);
            }
        }
    }

    fn endpoint_op_done(&mut self, at: Timestamp, region: Option<&str>, endpoint: &str, op: u64) {
        let mut state = self.edit(at);
        let configs = state.configs.clone();
        let mut rollback = None;
        if let Some(e) = state.endpoint_in_mut(region, endpoint) {
            match e.op.clone() {
                Some(EndpointOp::Config { id, config }) if id == op => {
                    let target = configs
                        .iter()
                        .find(|c| c.name == config && c.region.as_deref() == region);
                    match target.and_then(|c| c.broken) {
                        Some(_) => {
                            let reason = format!(
                                "The primary container for production variant {} did not pass the ping health check. Please check CloudWatch logs for this endpoint.",
                                e.variant
                            );
                            e.op = Some(EndpointOp::RollingBack { id, reason });
                            rollback = Some(time::add(at, e.rollback_duration));
                        }
                        None => {
                            let instances = target.map_or(e.desired, |c| c.instances);
                            e.config = config;
                            e.current = instances;
                            e.desired = instances;
                            e.crash = None;
                            e.failed = None;
                            e.failure_reason = None;
                            e.error_rate = 0.0;
                            e.latency_factor = 1.0;
                            e.op = None;
                            e.last_modified = at;
                        }
                    }
                }
                Some(EndpointOp::Capacity { id, count }) if id == op => {
                    e.current = count;
                    e.desired = count;
                    e.op = None;
                    e.last_modified = at;
                }
                _ => {}
            }
        }
        self.commit(at, state);
        if let Some(done) = rollback {
            self.schedule(
                done,
                Timer::EndpointRollbackDone {
                    region: region.map(str::to_owned),
                    endpoint: endpoint.to_owned(),
                    op,
                },
            );
        }
    }
}
