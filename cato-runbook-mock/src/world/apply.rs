//! Applying a [`WorldChange`].

use cato_runbook_core::ports::{Deployment, HealthEvent, LogEvent};
use cato_runbook_core::{Error, Result, Timestamp};

use super::change::WorldChange;
use super::models::ConfigModel;
use super::records::Deployed;
use super::rollouts::NewRevision;
use super::sim::Sim;
use super::state::State;
use crate::config::CrashCause;

const OP: &str = "world.change";

fn share(what: &str, value: f64) -> Result<()> {
    if value.is_finite() && (0.0..=1.0).contains(&value) {
        Ok(())
    } else {
        Err(Error::invalid_input(
            OP,
            format!("{what} {value} is not between 0 and 1"),
        ))
    }
}

fn non_negative(what: &str, value: f64) -> Result<()> {
    if value.is_finite() && value >= 0.0 {
        Ok(())
    } else {
        Err(Error::invalid_input(
            OP,
            format!("{what} {value} is not a non-negative number"),
        ))
    }
}

/// Log lines a crashed fleet leaves, by cause.
pub(crate) fn crash_lines(cause: CrashCause) -> &'static [&'static str] {
    match cause {
        CrashCause::Oom => &[
            "ERROR torch.OutOfMemoryError: CUDA out of memory. Tried to allocate 2.00 GiB (GPU 0; 22.19 GiB total capacity)",
            "ERROR Worker died: model server exited with code 137 (OOMKilled)",
        ],
        CrashCause::GpuDriver => &[
            "ERROR CUDA driver version is insufficient for CUDA runtime version",
            "ERROR NVIDIA driver failed to initialise GPU 0: Xid 79, GPU has fallen off the bus",
        ],
        CrashCause::CrashLoop => &[
            "ERROR Container exited with code 1: failed to load model artifacts",
            "ERROR Back-off restarting failed container (CrashLoopBackOff)",
        ],
    }
}

impl State {
    /// Checks that `change` names things that exist and values in range.
    pub(crate) fn check_change(&self, change: &WorldChange) -> Result<()> {
        let endpoint = |name: &str| {
            self.endpoint(name)
                .map(|_| ())
                .ok_or_else(|| Error::not_found(OP, name))
        };
        let cache = |id: &str| {
            self.cache_index(id)
                .map(|_| ())
                .ok_or_else(|| Error::not_found(OP, id))
        };
        let table = |name: &str| {
            self.table(name)
                .map(|_| ())
                .ok_or_else(|| Error::not_found(OP, name))
        };
        match change {
            WorldChange::EndpointLosesInstances { endpoint: e, .. }
            | WorldChange::EndpointFails { endpoint: e, .. } => endpoint(e),
            WorldChange::EndpointErrorRate { endpoint: e, rate } => {
                endpoint(e)?;
                share("rate", *rate)
            }
            WorldChange::EndpointSlowdown {
                endpoint: e,
                factor,
            } => {
                endpoint(e)?;
                non_negative("factor", *factor)
            }
            WorldChange::ConfigBroken { config, .. } => {
                if self.config_in(None, config).is_some() {
                    Ok(())
                } else {
                    Err(Error::not_found(OP, config.as_str()))
                }
            }
            WorldChange::RequestRate {
                requests_per_minute,
            } => non_negative("requests_per_minute", *requests_per_minute),
            WorldChange::CacheHitRatio { cache: c, ratio } => {
                cache(c)?;
                share("ratio", *ratio)
            }
            WorldChange::CacheWorkingSet { cache: c, gib } => {
                cache(c)?;
                non_negative("gib", *gib)
            }
            WorldChange::CacheInvalidations {
                cache: c,
                per_minute,
            } => {
                cache(c)?;
                non_negative("per_minute", *per_minute)
            }
            WorldChange::CacheRestart { cache: c } => cache(c),
            WorldChange::Spend { usd } => non_negative("usd", *usd),
            WorldChange::SpendReachesLimit => Ok(()),
            WorldChange::BedrockThrottling { share: s } => share("share", *s),
            WorldChange::TableDemand {
                table: t,
                read,
                write,
            } => {
                table(t)?;
                if let Some(r) = read {
                    non_negative("read", *r)?;
                }
                if let Some(w) = write {
                    non_negative("write", *w)?;
                }
                Ok(())
            }
            WorldChange::TableHotPartition { table: t, share: s } => {
                table(t)?;
                share("share", *s)
            }
            WorldChange::PodsLost { namespace, name } => self
                .workload(namespace, name)
                .map(|_| ())
                .ok_or_else(|| Error::not_found(OP, format!("{namespace}/{name}"))),
            WorldChange::Rollout {
                namespace,
                name,
                image,
                overhead_ms,
                ..
            } => {
                self.workload(namespace, name)
                    .ok_or_else(|| Error::not_found(OP, format!("{namespace}/{name}")))?;
                if image.is_empty() {
                    return Err(Error::invalid_input(OP, "a rollout needs an image"));
                }
                match overhead_ms {
                    Some(ms) => non_negative("overhead_ms", *ms),
                    None => Ok(()),
                }
            }
            WorldChange::Deploy { service, .. } if service.is_empty() => {
                Err(Error::invalid_input(OP, "a deployment needs a service"))
            }
            WorldChange::Log { group, .. } if group.is_empty() => {
                Err(Error::invalid_input(OP, "a log line needs a group"))
            }
            WorldChange::AlarmState { alarm, .. } if !self.alarms.contains(alarm) => {
                Err(Error::not_found(OP, alarm.clone()))
            }
            WorldChange::AlarmState { .. } => Ok(()),
            WorldChange::Deploy { .. }
            | WorldChange::DeploymentSourceDown { .. }
            | WorldChange::DeploymentSourceUp { .. }
            | WorldChange::HealthEvent { .. }
            | WorldChange::HealthEventResolved { .. }
            | WorldChange::Log { .. } => Ok(()),
        }
    }
}

impl Sim {
    /// Applies `change` at `at`.
    pub(crate) fn apply_change(&mut self, at: Timestamp, change: &WorldChange) -> Result<()> {
        self.state().check_change(change)?;
        match change {
            WorldChange::Deploy {
                source: Some(source),
                ..
            }
            | WorldChange::DeploymentSourceDown { source }
            | WorldChange::DeploymentSourceUp { source } => {
                self.config.deployment_source(source)?;
            }
            _ => {}
        }
        tracing::debug!(%change, "world change");
        if let WorldChange::Rollout {
            namespace,
            name,
            image,
            change_cause,
            author,
            overhead_ms,
        } = change
        {
            let new = NewRevision {
                image,
                change_cause: change_cause.as_deref(),
                author: author.as_deref(),
                overhead_ms: *overhead_ms,
            };
            self.roll_out(at, namespace, name, &new);
            return Ok(());
        }
        let mut state = self.edit(at);
        match change {
            WorldChange::EndpointLosesInstances { endpoint, cause } => {
                let mut group = None;
                if let Some(e) = state.endpoint_mut(endpoint) {
                    e.crash = Some(*cause);
                    group = Some((e.log_group.clone(), e.variant.clone()));
                }
                if let Some((group, variant)) = group {
                    for line in crash_lines(*cause) {
                        self.records.log(
                            &group,
                            LogEvent {
                                at,
                                stream: format!("{variant}/i-0000000000000001"),
                                message: (*line).to_owned(),
                            },
                        );
                    }
                }
            }
            WorldChange::EndpointErrorRate { endpoint, rate } => {
                if let Some(e) = state.endpoint_mut(endpoint) {
                    e.error_rate = *rate;
                }
            }
            WorldChange::EndpointSlowdown { endpoint, factor } => {
                if let Some(e) = state.endpoint_mut(endpoint) {
                    e.latency_factor = *factor;
                }
            }
            WorldChange::EndpointFails { endpoint, reason } => {
                if let Some(e) = state.endpoint_mut(endpoint) {
                    e.failed = Some(reason.clone());
                    e.failure_reason = Some(reason.clone());
                    e.last_modified = at;
                }
            }
            WorldChange::ConfigBroken { config, cause } => {
                let home = |c: &&mut ConfigModel| &c.name == config && c.region.is_none();
                if let Some(c) = state.configs.iter_mut().find(home) {
                    c.broken = *cause;
                }
            }
            WorldChange::RequestRate {
                requests_per_minute,
            } => state.traffic.requests_per_minute = *requests_per_minute,
            WorldChange::CacheHitRatio { cache, ratio } => {
                if let Some(c) = state.cache_mut(cache) {
                    c.base_hit_ratio = *ratio;
                }
            }
            WorldChange::CacheWorkingSet { cache, gib } => {
                if let Some(c) = state.cache_mut(cache) {
                    c.working_set_gib = *gib;
                }
            }
            WorldChange::CacheInvalidations { cache, per_minute } => {
                if let Some(c) = state.cache_mut(cache) {
                    c.invalidations_per_minute = *per_minute;
                }
            }
            WorldChange::CacheRestart { cache } => {
                if let Some(c) = state.cache_mut(cache) {
                    c.run += 1;
                    c.counters = Default::default();
                    c.counted_at = at;
                }
            }
            WorldChange::Spend { usd } => {
                state.budget.spent = *usd;
                state.budget.spent_at = at;
            }
            WorldChange::SpendReachesLimit => {
                state.budget.spent = state.budget.spent.max(state.budget.limit);
                state.budget.spent_at = at;
            }
            WorldChange::BedrockThrottling { share } => state.bedrock_forced_throttle = *share,
            WorldChange::TableDemand { table, read, write } => {
                if let Some(t) = state.table_mut(table) {
                    if let Some(r) = read {
                        t.read_demand = *r;
                    }
                    if let Some(w) = write {
                        t.write_demand = *w;
                    }
                }
            }
            WorldChange::TableHotPartition { table, share } => {
                if let Some(t) = state.table_mut(table) {
                    t.hot_partition_share = *share;
                }
            }
            // Applied above, on its own.
            WorldChange::Rollout { .. } => {}
            WorldChange::PodsLost { namespace, name } => {
                if let Some(w) = state.workload_mut(namespace, name) {
                    w.ready_from = 0;
                    w.changed_at = at;
                }
            }
            WorldChange::Deploy {
                service,
                version,
                author,
                description,
                source,
            } => self.records.deployments.push(Deployed {
                source: self.config.source_of(source.as_deref()),
                deployment: Deployment {
                    service: service.clone(),
                    version: version.clone(),
                    at,
                    author: author.clone(),
                    description: description.clone(),
                },
            }),
            WorldChange::DeploymentSourceDown { source } => {
                self.records.sources_down.insert(source.clone());
            }
            WorldChange::DeploymentSourceUp { source } => {
                self.records.sources_down.remove(source);
            }
            WorldChange::HealthEvent {
                service,
                region,
                description,
            } => self.records.health.push(HealthEvent {
                service: service.clone(),
                region: region.clone(),
                started_at: at,
                open: true,
                description: description.clone(),
            }),
            WorldChange::HealthEventResolved { service, region } => {
                for h in self
                    .records
                    .health
                    .iter_mut()
                    .filter(|h| &h.service == service && &h.region == region)
                {
                    h.open = false;
                }
            }
            WorldChange::AlarmState {
                alarm,
                state: value,
                reason,
            } => {
                if let Some(record) = self.records.alarms.get_mut(alarm) {
                    if record.state != *value {
                        record.updated_at = at;
                    }
                    // A metric alarm's next evaluation is at the next whole minute.
                    let minute = at.timestamp().div_euclid(60) * 60;
                    let minute = chrono::DateTime::from_timestamp(minute, 0).unwrap_or(at);
                    record.evaluated_at = record.evaluated_at.max(minute);
                    record.state = *value;
                    record.reason.clone_from(reason);
                }
            }
            WorldChange::Log {
                group,
                stream,
                message,
            } => self.records.log(
                group,
                LogEvent {
                    at,
                    stream: stream.clone(),
                    message: message.clone(),
                },
            ),
        }
        self.commit(at, state);
        Ok(())
    }
}
