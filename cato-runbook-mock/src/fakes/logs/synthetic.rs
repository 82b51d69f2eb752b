//! The line per minute each service writes about its state.

use std::time::Duration;

use cato_runbook_core::ports::{BudgetMode, EndpointStatus, LogEvent};
use cato_runbook_core::time::{self, Timestamp};

use crate::world::State;

/// Where the endpoint's and the orchestrator's lines fall within their minute.
const ENDPOINT_OFFSET: Duration = Duration::from_secs(20);
const APP_OFFSET: Duration = Duration::from_secs(40);

/// Where a group's endpoints are in the world's list of endpoints, as a hint for every
/// minute's state (the list rarely changes: one lookup per read, not one per minute).
#[derive(Debug, Clone)]
pub(crate) struct Writers {
    of: usize,
    at: Vec<usize>,
}

impl Writers {
    /// The home endpoints of `state` that write to `group` (another region's endpoints write
    /// to that region's logs).
    pub(crate) fn of(state: &State, group: &str) -> Self {
        let at = state
            .endpoints
            .iter()
            .enumerate()
            .filter(|(_, e)| e.region.is_none() && e.log_group == group)
            .map(|(i, _)| i)
            .collect();
        Writers {
            of: state.endpoints.len(),
            at,
        }
    }

    /// Those of `state` (another minute's): the hint when the list is the same length and
    /// every hinted endpoint still writes there, else looked up again.
    fn in_state(&self, state: &State, group: &str) -> Writers {
        let holds = self.of == state.endpoints.len()
            && self.at.iter().all(|&i| {
                state
                    .endpoints
                    .get(i)
                    .is_some_and(|e| e.region.is_none() && e.log_group == group)
            });
        if holds {
            self.clone()
        } else {
            Writers::of(state, group)
        }
    }
}

/// The lines written to `group` during the minute starting at `minute`, by `writers` (the
/// endpoints that write to `group`, see [`Writers::of`]).
pub(crate) fn lines(
    state: &State,
    group: &str,
    writers: &Writers,
    app_group: &str,
    bedrock: (&str, &str),
    minute: Timestamp,
) -> Vec<LogEvent> {
    let mut out = Vec::new();
    let index = minute.timestamp().div_euclid(60);
    let writers = writers.in_state(state, group);
    for e in writers.at.iter().filter_map(|&i| state.endpoints.get(i)) {
        let load = state.endpoint_load(e);
        let message = if let Some(cause) = e.crash {
            let crash = crate::world::crash_lines(cause);
            let pick = usize::try_from(index.rem_euclid(crash.len().max(1) as i64)).unwrap_or(0);
            crash
                .get(pick)
                .copied()
                .unwrap_or("ERROR instance lost")
                .to_owned()
        } else if let Some(reason) = &e.failed {
            format!("ERROR Endpoint failed: {reason}")
        } else if e.status() != EndpointStatus::InService {
            format!("INFO Endpoint {} is {}", e.name, e.status())
        } else if load.error_share > 0.01 {
            format!(
                "ERROR Model server returned 5XX for {:.0}% of invocations",
                load.error_share * 100.0
            )
        } else {
            format!(
                "INFO Model server healthy: {} instances, median latency {:.0} ms",
                load.instances, load.median_ms
            )
        };
        out.push(LogEvent {
            at: time::add(minute, ENDPOINT_OFFSET),
            stream: format!("{}/i-0000000000000001", e.variant),
            message,
        });
    }
    if group == app_group {
        let at = time::add(minute, APP_OFFSET);
        let stream = state
            .workloads
            .first()
            .map_or_else(|| "cato-0".to_owned(), |w| format!("{}-0", w.name));
        let mut messages = Vec::new();
        let throttled = state.bedrock_throttled_share(state.bedrock_quota());
        if throttled > 0.0 {
            messages.push(format!(
                "WARN ThrottlingException: Too many requests to {}, falling back to {} ({:.0}% of calls)",
                bedrock.0,
                bedrock.1,
                throttled * 100.0
            ));
        }
        for t in &state.tables {
            let load = state.load_of_table(t);
            if load.throttled_read + load.throttled_write > 0.0 {
                messages.push(format!(
                    "ERROR ProvisionedThroughputExceededException: The level of configured provisioned throughput for the table {} was exceeded",
                    t.name
                ));
            }
        }
        if let Some(e) = state.endpoints.first()
            && state.endpoint_load(e).error_share > 0.01
        {
            messages.push(
                    "ERROR Shadow Self call failed: 5XX from /api/admin/cato/shadow-self/introspect (circuit breaker counting)"
                        .to_owned(),
                );
        }
        if state.budget_status(minute).mode == BudgetMode::Emergency {
            messages.push(
                "WARN Budget mode EMERGENCY: curiosity exploration stopped, responses limited"
                    .to_owned(),
            );
        }
        if messages.is_empty() {
            messages.push("INFO Health loop ok".to_owned());
        }
        for message in messages {
            out.push(LogEvent {
                at,
                stream: stream.clone(),
                message,
            });
        }
    }
    out
}
