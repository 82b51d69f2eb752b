//! Factors, shares, percentages and dollars.

use super::super::budget_exceeded::NewLimit;
use super::{Real, checked, reals};

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
