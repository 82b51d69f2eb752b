//! The series the world publishes (see [`FakeMetrics`](crate::fakes::FakeMetrics)), and their
//! data minute by minute.

use cato_runbook_core::Timestamp;
use cato_runbook_core::ports::{BillingMode, Dimension};
use rand::rngs::Xoshiro256PlusPlus;
use rand::{Rng, RngExt, SeedableRng};
use rand_distr::{Distribution, LogNormal};

use super::stats::Bucket;
use crate::world::{State, queueing_ms};

/// One published series.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Series {
    ModelLatency { endpoint: String },
    Invocations { endpoint: String },
    Invocation5xx { endpoint: String },
    Invocation4xx { endpoint: String },
    InvocationsPerInstance { endpoint: String },
    CacheHits { cache: usize },
    CacheMisses { cache: usize },
    CacheEvictions { cache: usize },
    CacheHitRate { cache: usize },
    Table { table: String, metric: TableMetric },
    BedrockInvocations,
    BedrockThrottles,
    BedrockLatency,
    CacheInvalidations,
    RequestLatency,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum TableMetric {
    ConsumedRead,
    ConsumedWrite,
    ProvisionedRead,
    ProvisionedWrite,
    ReadThrottles,
    WriteThrottles,
    Throttled,
}

fn dims_are(dimensions: &[Dimension], names: &[&str]) -> bool {
    dimensions.len() == names.len()
        && names
            .iter()
            .all(|n| dimensions.iter().any(|d| d.name == *n))
}

fn dim<'a>(dimensions: &'a [Dimension], name: &str) -> Option<&'a str> {
    dimensions
        .iter()
        .find(|d| d.name == name)
        .map(|d| d.value.as_str())
}

impl Series {
    /// The series a query names, if the world publishes it. Dimensions must match exactly, as
    /// CloudWatch's do.
    pub(crate) fn resolve(
        state: &State,
        bedrock_model: &str,
        namespace: &str,
        metric: &str,
        dimensions: &[Dimension],
    ) -> Option<Series> {
        match namespace {
            "AWS/SageMaker" => {
                let endpoint = dim(dimensions, "EndpointName")?;
                let e = state.endpoint(endpoint)?;
                let by_variant = dims_are(dimensions, &["EndpointName", "VariantName"])
                    && dim(dimensions, "VariantName") == Some(e.variant.as_str());
                if !(dims_are(dimensions, &["EndpointName"]) || by_variant) {
                    return None;
                }
                let endpoint = endpoint.to_owned();
                Some(match metric {
                    "ModelLatency" => Series::ModelLatency { endpoint },
                    "Invocations" => Series::Invocations { endpoint },
                    "Invocation5XXErrors" => Series::Invocation5xx { endpoint },
                    "Invocation4XXErrors" => Series::Invocation4xx { endpoint },
                    "InvocationsPerInstance" => Series::InvocationsPerInstance { endpoint },
                    _ => return None,
                })
            }
            "AWS/ElastiCache" => {
                if !dims_are(dimensions, &["CacheClusterId"]) {
                    return None;
                }
                let id = dim(dimensions, "CacheClusterId")?;
                let cache = state
                    .cache_index(id)
                    .or_else(|| state.cache_index(id.strip_suffix("-001")?))?;
                Some(match metric {
                    "CacheHits" => Series::CacheHits { cache },
                    "CacheMisses" => Series::CacheMisses { cache },
                    "Evictions" => Series::CacheEvictions { cache },
                    "CacheHitRate" => Series::CacheHitRate { cache },
                    _ => return None,
                })
            }
            "AWS/DynamoDB" => {
                if !dims_are(dimensions, &["TableName"]) {
                    return None;
                }
                let table = dim(dimensions, "TableName")?;
                state.table(table)?;
                let metric = match metric {
                    "ConsumedReadCapacityUnits" => TableMetric::ConsumedRead,
                    "ConsumedWriteCapacityUnits" => TableMetric::ConsumedWrite,
                    "ProvisionedReadCapacityUnits" => TableMetric::ProvisionedRead,
                    "ProvisionedWriteCapacityUnits" => TableMetric::ProvisionedWrite,
                    "ReadThrottleEvents" => TableMetric::ReadThrottles,
                    "WriteThrottleEvents" => TableMetric::WriteThrottles,
                    "ThrottledRequests" => TableMetric::Throttled,
                    _ => return None,
                };
                Some(Series::Table {
                    table: table.to_owned(),
                    metric,
                })
            }
            "AWS/Bedrock" => {
                if !dims_are(dimensions, &["ModelId"])
                    || dim(dimensions, "ModelId") != Some(bedrock_model)
                {
                    return None;
                }
                Some(match metric {
                    "Invocations" => Series::BedrockInvocations,
                    "InvocationThrottles" => Series::BedrockThrottles,
                    "InvocationLatency" => Series::BedrockLatency,
                    _ => return None,
                })
            }
            "Custom/Cato" if dimensions.is_empty() => match metric {
                "CacheInvalidations" => Some(Series::CacheInvalidations),
                "RequestLatency" => Some(Series::RequestLatency),
                _ => None,
            },
            _ => None,
        }
    }
}

/// What a minute of data is drawn from: the world's seed, the series and the minute.
pub(crate) struct Draw {
    pub seed: u64,
    pub series_key: u64,
    pub samples_cap: u32,
    pub bedrock_latency_ms: f64,
    pub throttle_retry_ms: f64,
}

/// FNV-1a: a stable hash (std's hasher may change between releases; seeds must not).
pub(crate) fn stable_hash(text: &str) -> u64 {
    text.bytes().fold(0xcbf2_9ce4_8422_2325, |hash, byte| {
        (hash ^ u64::from(byte)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

fn rng_for(draw: &Draw, minute: Timestamp) -> Xoshiro256PlusPlus {
    let m = minute.timestamp().div_euclid(60) as u64;
    Xoshiro256PlusPlus::seed_from_u64(
        draw.seed ^ draw.series_key.rotate_left(21) ^ m.wrapping_mul(0x9e37_79b9_7f4a_7c15),
    )
}

fn lognormal(median: f64, sigma: f64) -> Option<LogNormal<f64>> {
    if median <= 0.0 || !median.is_finite() {
        return None;
    }
    LogNormal::new(median.ln(), sigma.max(0.0)).ok()
}

/// `count` data points, of which up to `cap` drawn from `distribution` (scaled by `unit`).
fn draw_samples(
    bucket: &mut Bucket,
    rng: &mut impl Rng,
    distribution: &LogNormal<f64>,
    count: f64,
    cap: u32,
    unit: f64,
) {
    let count = count.round();
    if count < 1.0 {
        return;
    }
    let n = count.min(f64::from(cap)) as usize;
    let samples: Vec<f64> = (0..n).map(|_| distribution.sample(rng) * unit).collect();
    bucket.add_samples(&samples, count);
}

impl Series {
    /// Adds the data of `minute` (in `state`) to `bucket`.
    pub(crate) fn minute(
        &self,
        state: &State,
        minute: Timestamp,
        draw: &Draw,
        bucket: &mut Bucket,
    ) {
        let per_minute = |bucket: &mut Bucket, value: f64| bucket.add_value(value);
        match self {
            Series::ModelLatency { endpoint } => {
                let Some(e) = state.endpoint(endpoint) else {
                    return;
                };
                let load = state.endpoint_load(e);
                if load.instances == 0 {
                    return;
                }
                let served = load.offered_rpm * (1.0 - load.error_share);
                if let Some(d) = lognormal(load.median_ms * 1000.0, load.sigma) {
                    draw_samples(
                        bucket,
                        &mut rng_for(draw, minute),
                        &d,
                        served,
                        draw.samples_cap,
                        1.0,
                    );
                }
            }
            Series::Invocations { endpoint } => {
                if let Some(e) = state.endpoint(endpoint) {
                    per_minute(bucket, state.endpoint_load(e).offered_rpm.round());
                }
            }
            Series::Invocation5xx { endpoint } => {
                if let Some(e) = state.endpoint(endpoint) {
                    let load = state.endpoint_load(e);
                    per_minute(bucket, (load.offered_rpm * load.error_share).round());
                }
            }
            Series::Invocation4xx { endpoint } => {
                if state.endpoint(endpoint).is_some() {
                    per_minute(bucket, 0.0);
                }
            }
            Series::InvocationsPerInstance { endpoint } => {
                if let Some(e) = state.endpoint(endpoint) {
                    let load = state.endpoint_load(e);
                    if load.instances > 0 {
                        per_minute(bucket, load.offered_rpm / f64::from(load.instances));
                    }
                }
            }
            Series::CacheHits { cache } => {
                per_minute(bucket, (state.cache_rates(*cache).hits * 60.0).round())
            }
            Series::CacheMisses { cache } => {
                per_minute(bucket, (state.cache_rates(*cache).misses * 60.0).round());
            }
            Series::CacheEvictions { cache } => {
                per_minute(bucket, (state.cache_rates(*cache).evictions * 60.0).round());
            }
            Series::CacheHitRate { cache } => {
                per_minute(bucket, state.cache_hit_ratio(*cache) * 100.0)
            }
            Series::Table { table, metric } => {
                let Some(t) = state.table(table) else { return };
                let load = state.table_load(table);
                let provisioned = t.billing_mode == BillingMode::Provisioned;
                let value = match metric {
                    TableMetric::ConsumedRead => load.consumed_read * 60.0,
                    TableMetric::ConsumedWrite => load.consumed_write * 60.0,
                    TableMetric::ProvisionedRead if provisioned => t.read_capacity as f64,
                    TableMetric::ProvisionedWrite if provisioned => t.write_capacity as f64,
                    TableMetric::ProvisionedRead | TableMetric::ProvisionedWrite => return,
                    TableMetric::ReadThrottles => (load.throttled_read * 60.0).round(),
                    TableMetric::WriteThrottles => (load.throttled_write * 60.0).round(),
                    TableMetric::Throttled => {
                        ((load.throttled_read + load.throttled_write) * 60.0).round()
                    }
                };
                per_minute(bucket, value);
            }
            Series::BedrockInvocations => {
                let throttled = state.bedrock_throttled_share(state.bedrock_quota());
                per_minute(bucket, (state.bedrock_rpm() * (1.0 - throttled)).round());
            }
            Series::BedrockThrottles => {
                let throttled = state.bedrock_throttled_share(state.bedrock_quota());
                per_minute(bucket, (state.bedrock_rpm() * throttled).round());
            }
            Series::BedrockLatency => {
                let throttled = state.bedrock_throttled_share(state.bedrock_quota());
                let served = state.bedrock_rpm() * (1.0 - throttled);
                if let Some(d) = lognormal(draw.bedrock_latency_ms, 0.35) {
                    draw_samples(
                        bucket,
                        &mut rng_for(draw, minute),
                        &d,
                        served,
                        draw.samples_cap,
                        1.0,
                    );
                }
            }
            Series::CacheInvalidations => {
                if let Some(c) = state.caches.first() {
                    per_minute(bucket, c.invalidations_per_minute.round());
                }
            }
            Series::RequestLatency => self.request_latency(state, minute, draw, bucket),
        }
    }

    /// End-to-end latency: the orchestrator's overhead, plus a cache hit, a Shadow Self call,
    /// a Bedrock call or, when Bedrock throttles, a call to the fallback model.
    fn request_latency(&self, state: &State, minute: Timestamp, draw: &Draw, bucket: &mut Bucket) {
        let total = state.traffic.requests_per_minute.round();
        if total < 1.0 {
            return;
        }
        let Some(overhead) = state
            .orchestrator_overhead_ms(minute)
            .and_then(|ms| lognormal(ms, 0.3))
        else {
            return;
        };
        let hit = state.cache_hit_ratio(0);
        let share = state.traffic.shadow_self_share;
        let throttled = state.bedrock_throttled_share(state.bedrock_quota());
        let endpoint = state.endpoints.first().map(|e| state.endpoint_load(e));
        let shadow = endpoint
            .filter(|l| l.instances > 0)
            .and_then(|l| lognormal(l.median_ms, l.sigma));
        let bedrock = lognormal(draw.bedrock_latency_ms, 0.35);
        // A throttled call is retried with back-off, then answered by the fallback model.
        let fallback = lognormal(
            draw.throttle_retry_ms + queueing_ms(draw.bedrock_latency_ms * 0.45, 0.0),
            0.3,
        );
        let cache = lognormal(15.0, 0.2);
        let mut rng = rng_for(draw, minute);
        let n = total.min(f64::from(draw.samples_cap)) as usize;
        let mut samples = Vec::with_capacity(n);
        for _ in 0..n {
            let mut ms = overhead.sample(&mut rng);
            let roll: f64 = rng.random();
            let part = if roll < hit {
                cache
            } else if rng.random::<f64>() < share {
                // A Shadow Self call; when it has no instance the request fails fast.
                shadow
            } else if rng.random::<f64>() < throttled {
                fallback
            } else {
                bedrock
            };
            if let Some(d) = part {
                ms += d.sample(&mut rng);
            }
            samples.push(ms);
        }
        bucket.add_samples(&samples, total);
    }
}
