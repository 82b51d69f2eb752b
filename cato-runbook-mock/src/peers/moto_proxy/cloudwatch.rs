//! CloudWatch: CBOR requests translated to moto's AWS JSON, and `pNN` queries answered from the
//! values put through the proxy.

use hyper::StatusCode;
use hyper::header::{HeaderMap, HeaderValue};
use serde_json::{Value as Json, json};

use super::wire::{Reply, moto_json, reply};
use super::{Ctx, Put, cbor};

pub(super) async fn cloudwatch(ctx: &Ctx, headers: &HeaderMap, op: &str, body: &[u8]) -> Reply {
    let mut input = match cbor::to_json(body) {
        Ok(input) => input,
        Err(e) => {
            return reply(
                StatusCode::BAD_REQUEST,
                "text/plain",
                e.to_string().into_bytes(),
            );
        }
    };
    let account = access_key(headers);
    let puts = (op == "PutMetricData").then(|| input.clone());
    // moto answers every alarm at once; CloudWatch pages them by name.
    let paging = (op == "DescribeAlarms").then(|| take_paging(&mut input));
    let percentiles = if op == "GetMetricData" {
        take_percentile_queries(&mut input)
    } else {
        Vec::new()
    };
    let (status, output) = if input["MetricDataQueries"]
        .as_array()
        .is_some_and(Vec::is_empty)
    {
        (
            StatusCode::OK,
            json!({ "MetricDataResults": [], "Messages": [] }),
        )
    } else {
        moto_json(
            ctx,
            headers,
            &format!("GraniteServiceVersion20100801.{op}"),
            "application/x-amz-json-1.0",
            &input,
        )
        .await
    };
    let mut output = output;
    if let (true, Some(puts)) = (status.is_success(), puts) {
        keep_puts(ctx, &account, &puts);
    }
    if let (true, Some((max, after))) = (status.is_success(), paging) {
        page_alarms(&mut output, max, after.as_deref());
    }
    if status.is_success() && !percentiles.is_empty() {
        let computed = percentile_results(ctx, &account, &input, &percentiles);
        if let Some(results) = output["MetricDataResults"].as_array_mut() {
            results.extend(computed);
        }
    }
    let output = match output {
        Json::Null if status.is_success() => json!({}),
        Json::Null => json!({ "__type": "InternalFailure", "message": "moto failed" }),
        other => other,
    };
    let mut response = reply(status, "application/cbor", cbor::from_json(&output));
    response
        .headers_mut()
        .insert("smithy-protocol", HeaderValue::from_static("rpc-v2-cbor"));
    response
}

/// What the proxy gives as a `NextToken` of DescribeAlarms: the last name of the page.
const ALARMS_TOKEN: &str = "proxy-alarms-after:";

/// Takes `MaxRecords` (default 50, as CloudWatch's) and `NextToken` out of a DescribeAlarms
/// request.
fn take_paging(input: &mut Json) -> (usize, Option<String>) {
    let Some(fields) = input.as_object_mut() else {
        return (50, None);
    };
    let max = fields
        .remove("MaxRecords")
        .and_then(|m| m.as_u64())
        .unwrap_or(50);
    let after = fields
        .remove("NextToken")
        .and_then(|t| t.as_str().map(str::to_owned))
        .map(|t| t.trim_start_matches(ALARMS_TOKEN).to_owned());
    (usize::try_from(max).unwrap_or(50), after)
}

/// Keeps one page of the metric alarms, by name, after `after`.
fn page_alarms(output: &mut Json, max: usize, after: Option<&str>) {
    let Some(alarms) = output["MetricAlarms"].as_array_mut() else {
        return;
    };
    let name = |a: &Json| a["AlarmName"].as_str().unwrap_or_default().to_owned();
    alarms.sort_by_key(name);
    alarms.retain(|a| after.is_none_or(|after| name(a).as_str() > after));
    let more = alarms.len() > max;
    alarms.truncate(max);
    let last = alarms.last().map(name);
    if let (true, Some(last)) = (more, last) {
        output["NextToken"] = Json::String(format!("{ALARMS_TOKEN}{last}"));
    }
}

/// The access key of the request's signature: moto's account.
fn access_key(headers: &HeaderMap) -> String {
    headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .and_then(|a| a.split("Credential=").nth(1))
        .and_then(|c| c.split('/').next())
        .unwrap_or_default()
        .to_owned()
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

/// Keeps the values of a `PutMetricData` moto took over AWS JSON (what a command-line client
/// speaks), as those put over CBOR.
pub(super) fn keep_json_puts(ctx: &Ctx, headers: &HeaderMap, input: &Json) {
    keep_puts(ctx, &access_key(headers), input);
}

fn keep_puts(ctx: &Ctx, account: &str, input: &Json) {
    let namespace = input["Namespace"].as_str().unwrap_or_default();
    let mut state = ctx.state();
    for datum in input["MetricData"].as_array().into_iter().flatten() {
        let at = datum["Timestamp"].as_f64().unwrap_or(0.0);
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

/// Takes the percentile queries out of a GetMetricData request.
fn take_percentile_queries(input: &mut Json) -> Vec<Json> {
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

fn percentile_results(ctx: &Ctx, account: &str, input: &Json, queries: &[Json]) -> Vec<Json> {
    let start = input["StartTime"].as_f64().unwrap_or(0.0);
    let end = input["EndTime"].as_f64().unwrap_or(0.0);
    let state = ctx.state();
    queries
        .iter()
        .map(|q| {
            let stat = &q["MetricStat"];
            let p: f64 = stat["Stat"]
                .as_str()
                .and_then(|s| s.strip_prefix('p'))
                .and_then(|p| p.parse().ok())
                .unwrap_or(50.0);
            let period = stat["Period"].as_f64().unwrap_or(60.0).max(1.0);
            let metric = &stat["Metric"];
            let dims = dimensions(&metric["Dimensions"]);
            let (mut timestamps, mut values) = (Vec::new(), Vec::new());
            let mut t = start;
            while t < end {
                let mut bucket: Vec<f64> = state
                    .puts
                    .iter()
                    .filter(|put| {
                        put.account == account
                            && metric["Namespace"] == put.namespace.as_str()
                            && metric["MetricName"] == put.metric.as_str()
                            && put.dimensions == dims
                            && put.at >= t
                            && put.at < t + period
                    })
                    .map(|put| put.value)
                    .collect();
                if !bucket.is_empty() {
                    bucket.sort_by(f64::total_cmp);
                    let rank = ((p / 100.0) * bucket.len() as f64).ceil().max(1.0) as usize;
                    timestamps.push(json!(t));
                    let at = rank.min(bucket.len()).saturating_sub(1);
                    values.push(json!(bucket.get(at).copied().unwrap_or_default()));
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
