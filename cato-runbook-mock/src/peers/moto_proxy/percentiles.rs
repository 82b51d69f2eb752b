//! What moto does not compute: percentiles. The proxy keeps every value put through it (over
//! CBOR or AWS JSON, once moto took them) and answers from them, nearest rank as CloudWatch
//! does for raw values: the `pNN` queries of `GetMetricData`, and the `ExtendedStatistics` of
//! each datapoint moto answers to `GetMetricStatistics`.

use serde_json::{Map, Value as Json, json};

use super::{Ctx, Put, State};

/// Seconds since the epoch of a timestamp as AWS JSON or the CBOR translation has it: a number,
/// or RFC 3339 text.
fn epoch(value: &Json) -> Option<f64> {
    value.as_f64().or_else(|| {
        let text = value.as_str()?;
        let at = chrono::DateTime::parse_from_rfc3339(text).ok()?;
        Some(at.timestamp_millis() as f64 / 1000.0)
    })
}

fn dimensions(value: &Json) -> Vec<(String, String)> {
    let mut dims: Vec<(String, String)> = value
        .as_array()
        .map(|ds| {
            ds.iter()
                .map(|d| {
                    let s = |k: &str| d[k].as_str().unwrap_or_default().to_owned();
                    (s("Name"), s("Value"))
                })
                .collect()
        })
        .unwrap_or_default();
    dims.sort();
    dims
}

/// Keeps the values of a `PutMetricData` of `account` moto took.
pub(super) fn keep_puts(ctx: &Ctx, account: &str, input: &Json) {
    let namespace = input["Namespace"].as_str().unwrap_or_default();
    let mut state = ctx.state();
    for datum in input["MetricData"].as_array().into_iter().flatten() {
        let at = epoch(&datum["Timestamp"]).unwrap_or(0.0);
        let mut values: Vec<f64> = datum["Value"].as_f64().into_iter().collect();
        for (i, v) in datum["Values"].as_array().into_iter().flatten().enumerate() {
            let count = datum["Counts"][i].as_f64().unwrap_or(1.0).max(1.0) as usize;
            values.extend(std::iter::repeat_n(v.as_f64().unwrap_or(0.0), count));
        }
        for value in values {
            state.puts.push(Put {
                account: account.to_owned(),
                namespace: namespace.to_owned(),
                metric: datum["MetricName"].as_str().unwrap_or_default().to_owned(),
                dimensions: dimensions(&datum["Dimensions"]),
                at,
                value,
            });
        }
    }
}

/// The metric a query names: namespace, name, dimensions.
struct Metric<'a> {
    namespace: &'a Json,
    name: &'a Json,
    dimensions: Vec<(String, String)>,
}

impl Metric<'_> {
    /// The `p`th percentile of the values of `account` put in `[from, to)`, if any.
    fn percentile(&self, state: &State, account: &str, from: f64, to: f64, p: f64) -> Option<f64> {
        let mut bucket: Vec<f64> = state
            .puts
            .iter()
            .filter(|put| {
                put.account == account
                    && *self.namespace == put.namespace.as_str()
                    && *self.name == put.metric.as_str()
                    && put.dimensions == self.dimensions
                    && put.at >= from
                    && put.at < to
            })
            .map(|put| put.value)
            .collect();
        bucket.sort_by(f64::total_cmp);
        let rank = ((p / 100.0) * bucket.len() as f64).ceil().max(1.0) as usize;
        bucket.get(rank.min(bucket.len()).checked_sub(1)?).copied()
    }
}

/// `p99` → 99.
fn percent(stat: &str) -> Option<f64> {
    stat.strip_prefix('p')?
        .parse()
        .ok()
        .filter(|p: &f64| (0.0..=100.0).contains(p))
}

/// Takes the percentile queries out of a GetMetricData request.
pub(super) fn take_percentile_queries(input: &mut Json) -> Vec<Json> {
    let Some(queries) = input["MetricDataQueries"].as_array_mut() else {
        return Vec::new();
    };
    let is_percentile = |q: &Json| {
        q["MetricStat"]["Stat"]
            .as_str()
            .is_some_and(|s| s.starts_with('p'))
    };
    let taken = queries
        .iter()
        .filter(|q| is_percentile(q))
        .cloned()
        .collect();
    queries.retain(|q| !is_percentile(q));
    taken
}

/// The results of the percentile `queries` of a GetMetricData request, one bucket a period.
pub(super) fn percentile_results(
    ctx: &Ctx,
    account: &str,
    input: &Json,
    queries: &[Json],
) -> Vec<Json> {
    let start = epoch(&input["StartTime"]).unwrap_or(0.0);
    let end = epoch(&input["EndTime"]).unwrap_or(0.0);
    let state = ctx.state();
    queries
        .iter()
        .map(|q| {
            let stat = &q["MetricStat"];
            let p = stat["Stat"].as_str().and_then(percent).unwrap_or(50.0);
            let period = stat["Period"].as_f64().unwrap_or(60.0).max(1.0);
            let metric = Metric {
                namespace: &stat["Metric"]["Namespace"],
                name: &stat["Metric"]["MetricName"],
                dimensions: dimensions(&stat["Metric"]["Dimensions"]),
            };
            let (mut timestamps, mut values) = (Vec::new(), Vec::new());
            let mut t = start;
            while t < end {
                if let Some(value) = metric.percentile(&state, account, t, t + period, p) {
                    timestamps.push(json!(t));
                    values.push(json!(value));
                }
                t += period;
            }
            json!({
                "Id": q["Id"],
                "Label": stat["Stat"],
                "Timestamps": timestamps,
                "Values": values,
                "StatusCode": "Complete"
            })
        })
        .collect()
}

/// The `ExtendedStatistics` (`p99`, …) a GetMetricStatistics request asks for.
pub(super) fn requested_extended_statistics(input: &Json) -> Vec<String> {
    input["ExtendedStatistics"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|s| s.as_str().map(str::to_owned))
        .collect()
}

/// Fills each datapoint of moto's GetMetricStatistics answer with the `extended` statistics
/// of its period.
pub(super) fn extended_statistics(
    ctx: &Ctx,
    account: &str,
    input: &Json,
    extended: &[String],
    output: &mut Json,
) {
    let period = input["Period"].as_f64().unwrap_or(60.0).max(1.0);
    let metric = Metric {
        namespace: &input["Namespace"],
        name: &input["MetricName"],
        dimensions: dimensions(&input["Dimensions"]),
    };
    let state = ctx.state();
    for point in output["Datapoints"].as_array_mut().into_iter().flatten() {
        let Some(t) = epoch(&point["Timestamp"]) else {
            continue;
        };
        let values: Map<String, Json> = extended
            .iter()
            .filter_map(|stat| {
                let value = metric.percentile(&state, account, t, t + period, percent(stat)?)?;
                Some((stat.clone(), json!(value)))
            })
            .collect();
        if !values.is_empty() {
            point["ExtendedStatistics"] = Json::Object(values);
        }
    }
}
