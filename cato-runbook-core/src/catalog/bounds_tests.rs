//! Every number of `[runbooks.*]` held to its range: NaN, the infinities, zero, negative and
//! huge values refused naming the key, the defaults and the ends of each range taken.

use std::time::Duration;

use super::CatalogConfig;
use super::budget_exceeded::NewLimit;

type Real = (&'static str, fn(&mut CatalogConfig, f64));
type Count = (&'static str, u64, u64, fn(&mut CatalogConfig, u64));
type Lasting = (
    &'static str,
    Duration,
    Duration,
    fn(&mut CatalogConfig, Duration),
);

const MINUTE: Duration = Duration::from_secs(60);
const HOUR: Duration = Duration::from_secs(3600);

fn checked(edit: impl FnOnce(&mut CatalogConfig)) -> Result<(), String> {
    let mut config = CatalogConfig::default();
    config.failover.region = Some("us-west-2".into());
    edit(&mut config);
    config.validate().map_err(|e| {
        assert_eq!(e.kind(), crate::ErrorKind::InvalidInput, "{e}");
        e.message().to_owned()
    })
}

fn refused(key: &str, edit: impl FnOnce(&mut CatalogConfig), shown: impl std::fmt::Debug) {
    let err = checked(edit).err();
    assert!(
        err.as_deref()
            .is_some_and(|m| m.starts_with(&format!("{key}: "))),
        "{key} = {shown:?}: {err:?}"
    );
}

fn taken(key: &str, edit: impl FnOnce(&mut CatalogConfig), shown: impl std::fmt::Debug) {
    assert_eq!(checked(edit), Ok(()), "{key} = {shown:?}");
}

/// Refused: `bad` and NaN, both infinities and 1e300; taken: `good`.
fn reals(table: &[Real], bad: &[f64], good: &[f64]) {
    for (key, set) in table {
        let nonsense = [f64::NAN, f64::INFINITY, f64::NEG_INFINITY, 1e300, -1e300];
        for &value in nonsense.iter().chain(bad) {
            refused(key, |c| set(c, value), value);
        }
        for &value in good {
            taken(key, |c| set(c, value), value);
        }
    }
}

#[test]
fn the_defaults_pass() {
    assert!(CatalogConfig::default().validate().is_ok());
    assert_eq!(checked(|_| {}), Ok(()));
}

#[test]
fn factors_that_raise_a_limit_lie_above_1_and_at_most_10() {
    let factors: &[Real] = &[
        ("runbooks.budget-exceeded.new_limit.factor", |c, v| {
            c.budget_exceeded.new_limit = NewLimit::Factor(v);
        }),
        ("runbooks.high-latency.shadow_self.scale_factor", |c, v| {
            c.high_latency.shadow_self.scale_factor = v;
        }),
        ("runbooks.high-latency.orchestrator.scale_factor", |c, v| {
            c.high_latency.orchestrator.scale_factor = v;
        }),
    ];
    reals(factors, &[0.0, -2.0, 0.5, 1.0, 10.01], &[1.01, 1.5, 10.0]);
    let err = checked(|c| c.budget_exceeded.new_limit = NewLimit::Factor(1e300)).unwrap_err();
    assert_eq!(
        err,
        "runbooks.budget-exceeded.new_limit.factor: 1e300 must be above 1 and at most 10"
    );
    // A spike is judged from 1 × the baseline, up to 100 ×.
    reals(
        &[(
            "runbooks.cache-miss-spike.invalidation_spike_factor",
            |c, v| {
                c.cache_miss_spike.invalidation_spike_factor = v;
            },
        )],
        &[0.0, -1.0, 0.99, 100.5],
        &[1.0, 3.0, 100.0],
    );
}

#[test]
fn shares_lie_between_0_and_1() {
    let shares: &[Real] = &[
        ("runbooks.budget-exceeded.affected_share", |c, v| {
            c.budget_exceeded.affected_share = v;
        }),
        ("runbooks.high-latency.affected_share", |c, v| {
            c.high_latency.affected_share = v;
        }),
        ("runbooks.bedrock-throttling.throttle_rate", |c, v| {
            c.bedrock_throttling.throttle_rate = v;
        }),
        ("runbooks.bedrock-throttling.traffic_shift.cap", |c, v| {
            c.bedrock_throttling.traffic_shift.cap = v;
        }),
        ("runbooks.dynamodb-hot-partition.near_capacity", |c, v| {
            c.dynamodb_hot_partition.near_capacity = v;
        }),
        (
            "runbooks.shadow-self-down.first_five_minutes.dashboard.min_hit_rate",
            |c, v| c.shadow_self_down.first_five_minutes.dashboard.min_hit_rate = v,
        ),
    ];
    reals(shares, &[-0.01, 1.01, 2.0], &[0.0, 0.5, 1.0]);
    // Shares of which 0 would mean nothing: above 0.
    let above_zero: &[Real] = &[
        ("runbooks.cache-miss-spike.hit_rate_below", |c, v| {
            c.cache_miss_spike.hit_rate_below = v;
        }),
        (
            "runbooks.cache-miss-spike.undersized_eviction_share",
            |c, v| {
                c.cache_miss_spike.undersized_eviction_share = v;
            },
        ),
        (
            "runbooks.bedrock-throttling.cache_threshold.step",
            |c, v| {
                c.bedrock_throttling.cache_threshold.step = v;
            },
        ),
        ("runbooks.bedrock-throttling.traffic_shift.step", |c, v| {
            c.bedrock_throttling.traffic_shift.step = v;
        }),
        ("runbooks.failover.weight", |c, v| c.failover.weight = v),
    ];
    reals(above_zero, &[0.0, -0.5, 1.5], &[0.01, 1.0]);
}

#[test]
fn percentages_lie_between_0_and_100() {
    let percentages: &[Real] = &[
        ("runbooks.high-latency.bedrock.throttled_percent", |c, v| {
            c.high_latency.bedrock.throttled_percent = v;
        }),
        (
            "runbooks.high-latency.cache.hit_rate_floor_percent",
            |c, v| {
                c.high_latency.cache.hit_rate_floor_percent = v;
            },
        ),
        (
            "runbooks.shadow-self-down.error_rate_threshold_percent",
            |c, v| {
                c.shadow_self_down.error_rate_threshold_percent = v;
            },
        ),
        (
            "runbooks.shadow-self-down.outage_error_rate_percent",
            |c, v| {
                c.shadow_self_down.outage_error_rate_percent = v;
            },
        ),
    ];
    reals(percentages, &[-1.0, 100.5, 1000.0], &[0.0, 100.0]);
    // The breaker's rates: a rate of 0 would open it at once.
    reals(
        &[(
            "runbooks.shadow-self-down.circuit_breaker.failure_rate_threshold",
            |c, v| c.shadow_self_down.circuit_breaker.failure_rate_threshold = v,
        )],
        &[0.0, -1.0, 101.0],
        &[0.5, 100.0],
    );
}

#[test]
fn dollars_lie_between_0_and_their_ceiling() {
    let monthly: &[Real] = &[
        ("runbooks.budget-exceeded.new_limit.usd", |c, v| {
            c.budget_exceeded.new_limit = NewLimit::Usd(v);
        }),
        (
            "runbooks.cache-miss-spike.node_type_added_monthly_cost_usd",
            |c, v| {
                c.cache_miss_spike.node_type_added_monthly_cost_usd = v;
            },
        ),
    ];
    reals(monthly, &[-0.01, 10_000_001.0], &[1.0, 10_000_000.0]);
    let hourly: &[Real] = &[
        (
            "runbooks.high-latency.shadow_self.instance_hourly_usd",
            |c, v| {
                c.high_latency.shadow_self.instance_hourly_usd = Some(v);
            },
        ),
        (
            "runbooks.high-latency.orchestrator.replica_hourly_usd",
            |c, v| {
                c.high_latency.orchestrator.replica_hourly_usd = Some(v);
            },
        ),
        (
            "runbooks.dynamodb-hot-partition.on_demand.usd_per_million_reads",
            |c, v| {
                c.dynamodb_hot_partition.on_demand.usd_per_million_reads = v;
            },
        ),
        (
            "runbooks.dynamodb-hot-partition.on_demand.usd_per_wcu_hour",
            |c, v| {
                c.dynamodb_hot_partition.on_demand.usd_per_wcu_hour = v;
            },
        ),
    ];
    reals(hourly, &[-0.01, 1000.01], &[0.0, 1000.0]);
    reals(
        &[("runbooks.bedrock-throttling.quota.desired", |c, v| {
            c.bedrock_throttling.quota.desired = v;
        })],
        &[0.0, -1.0, 1.1e9],
        &[1.0, 1e9],
    );
    reals(
        &[(
            "runbooks.high-latency.first_five_minutes.dashboard.p99_ms",
            |c, v| c.high_latency.first_five_minutes.dashboard.p99_ms = v,
        )],
        &[0.0, -1.0, 600_001.0],
        &[1.0, 600_000.0],
    );
}

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
