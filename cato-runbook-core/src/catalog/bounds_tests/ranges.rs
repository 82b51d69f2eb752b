//! Counts and durations.

use std::time::Duration;

use super::{Count, HOUR, Lasting, MINUTE, refused, taken};

#[test]
fn counts_lie_between_their_floor_and_their_ceiling() {
    let counts: &[Count] = &[
        (
            "runbooks.high-latency.shadow_self.max_instances",
            1,
            1000,
            |c, v| {
                c.high_latency.shadow_self.max_instances = u32::try_from(v).unwrap_or(u32::MAX);
            },
        ),
        (
            "runbooks.high-latency.orchestrator.max_replicas",
            1,
            1000,
            |c, v| {
                c.high_latency.orchestrator.max_replicas = u32::try_from(v).unwrap_or(u32::MAX);
            },
        ),
        (
            "runbooks.high-latency.timeouts.threshold",
            0,
            1_000_000,
            |c, v| {
                c.high_latency.timeouts.threshold = usize::try_from(v).unwrap_or(usize::MAX);
            },
        ),
        (
            "runbooks.cache-miss-spike.min_lookups",
            1,
            1_000_000,
            |c, v| {
                c.cache_miss_spike.min_lookups = v;
            },
        ),
        (
            "runbooks.bedrock-throttling.min_throttles",
            1,
            1_000_000,
            |c, v| {
                c.bedrock_throttling.min_throttles = v;
            },
        ),
        (
            "runbooks.bedrock-throttling.min_log_lines",
            1,
            1_000_000,
            |c, v| {
                c.bedrock_throttling.min_log_lines = usize::try_from(v).unwrap_or(usize::MAX);
            },
        ),
        (
            "runbooks.dynamodb-hot-partition.min_throttle_events",
            1,
            1_000_000,
            |c, v| {
                c.dynamodb_hot_partition.min_throttle_events = v;
            },
        ),
        (
            "runbooks.dynamodb-hot-partition.min_log_lines",
            1,
            1_000_000,
            |c, v| {
                c.dynamodb_hot_partition.min_log_lines = usize::try_from(v).unwrap_or(usize::MAX);
            },
        ),
        ("runbooks.shadow-self-down.log_limit", 1, 10_000, |c, v| {
            c.shadow_self_down.log_limit = usize::try_from(v).unwrap_or(usize::MAX);
        }),
        (
            "runbooks.shadow-self-down.min_invocations",
            1,
            1_000_000,
            |c, v| {
                c.shadow_self_down.min_invocations = v;
            },
        ),
        (
            "runbooks.shadow-self-down.circuit_breaker.sliding_window_size",
            1,
            10_000,
            |c, v| {
                c.shadow_self_down.circuit_breaker.sliding_window_size =
                    u32::try_from(v).unwrap_or(u32::MAX);
            },
        ),
    ];
    for (key, min, max, set) in counts {
        if *min > 0 {
            refused(key, |c| set(c, 0), 0);
        }
        for value in [max + 1, u64::from(u32::MAX), u64::MAX] {
            refused(key, |c| set(c, value), value);
        }
        for value in [*min, *max] {
            taken(key, |c| set(c, value), value);
        }
    }
}

#[test]
fn durations_lie_between_their_floor_and_their_ceiling() {
    let day = 24 * HOUR;
    let durations: &[Lasting] = &[
        (
            "runbooks.budget-exceeded.raise_verify_after",
            MINUTE,
            6 * HOUR,
            |c, v| {
                c.budget_exceeded.raise_verify_after = v;
            },
        ),
        (
            "runbooks.budget-exceeded.reset_grace",
            MINUTE,
            day,
            |c, v| {
                c.budget_exceeded.reset_grace = v;
            },
        ),
        ("runbooks.high-latency.window", MINUTE, day, |c, v| {
            c.high_latency.window = v;
        }),
        (
            "runbooks.high-latency.p99_threshold",
            MINUTE,
            10 * MINUTE,
            |c, v| {
                c.high_latency.p99_threshold = v;
            },
        ),
        (
            "runbooks.high-latency.orchestrator.verify_after",
            MINUTE,
            6 * HOUR,
            |c, v| {
                c.high_latency.orchestrator.verify_after = v;
            },
        ),
        (
            "runbooks.high-latency.rollback.verify_after",
            MINUTE,
            6 * HOUR,
            |c, v| {
                c.high_latency.rollback.verify_after = v;
            },
        ),
        (
            "runbooks.cache-miss-spike.invalidations_baseline",
            MINUTE,
            day,
            |c, v| {
                c.cache_miss_spike.invalidations_baseline = v;
            },
        ),
        (
            "runbooks.cache-miss-spike.learning_update_within",
            MINUTE,
            7 * day,
            |c, v| {
                c.cache_miss_spike.learning_update_within = v;
            },
        ),
        (
            "runbooks.cache-miss-spike.node_type_verify_after",
            MINUTE,
            6 * HOUR,
            |c, v| {
                c.cache_miss_spike.node_type_verify_after = v;
            },
        ),
        ("runbooks.bedrock-throttling.window", MINUTE, day, |c, v| {
            c.bedrock_throttling.window = v;
        }),
        (
            "runbooks.bedrock-throttling.cache_threshold.ttl",
            MINUTE,
            day,
            |c, v| {
                c.bedrock_throttling.cache_threshold.ttl = v;
            },
        ),
        (
            "runbooks.bedrock-throttling.quota.verify_after",
            MINUTE,
            6 * HOUR,
            |c, v| {
                c.bedrock_throttling.quota.verify_after = v;
            },
        ),
        (
            "runbooks.dynamodb-hot-partition.on_demand.verify_after",
            MINUTE,
            6 * HOUR,
            |c, v| {
                c.dynamodb_hot_partition.on_demand.verify_after = v;
            },
        ),
        (
            "runbooks.shadow-self-down.log_lookback",
            MINUTE,
            7 * day,
            |c, v| {
                c.shadow_self_down.log_lookback = v;
            },
        ),
        (
            "runbooks.shadow-self-down.restart_verify_after",
            MINUTE,
            6 * HOUR,
            |c, v| {
                c.shadow_self_down.restart_verify_after = v;
            },
        ),
        (
            "runbooks.shadow-self-down.circuit_breaker.wait_duration_in_open_state",
            MINUTE,
            day,
            |c, v| {
                c.shadow_self_down
                    .circuit_breaker
                    .wait_duration_in_open_state = v
            },
        ),
        (
            "runbooks.shadow-self-down.first_five_minutes.deployments.look_back",
            MINUTE,
            7 * day,
            |c, v| c.shadow_self_down.first_five_minutes.deployments.look_back = v,
        ),
        (
            "runbooks.budget-exceeded.first_five_minutes.dashboard.window",
            MINUTE,
            day,
            |c, v| c.budget_exceeded.first_five_minutes.dashboard.window = v,
        ),
        ("runbooks.failover.hold_for", MINUTE, 7 * day, |c, v| {
            c.failover.hold_for = v;
        }),
    ];
    for (key, min, max, set) in durations {
        for value in [Duration::ZERO, *max + MINUTE, Duration::from_secs(u64::MAX)] {
            refused(key, |c| set(c, value), value);
        }
        for value in [*min, *max] {
            taken(key, |c| set(c, value), value);
        }
    }
    // A grace of nothing is a choice: no symptom stands without data.
    taken(
        "runbooks.cache-miss-spike.no_data_grace",
        |c| c.cache_miss_spike.no_data_grace = Duration::ZERO,
        0,
    );
    refused(
        "runbooks.cache-miss-spike.no_data_grace",
        |c| c.cache_miss_spike.no_data_grace = 7 * HOUR,
        "7h",
    );
}
