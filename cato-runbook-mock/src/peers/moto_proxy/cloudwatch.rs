//! CloudWatch, over either protocol it speaks (Smithy RPC v2 CBOR, what the SDK speaks,
//! translated to moto's AWS JSON; AWS JSON 1.0, what the AWS CLI speaks): alarms paged as
//! CloudWatch pages them, and percentiles answered from the values put through the proxy
//! ([`percentiles`](super::percentiles)).

use hyper::StatusCode;
use hyper::header::{HeaderMap, HeaderValue};
use serde_json::{Value as Json, json};

use super::percentiles::{
    extended_statistics, keep_puts, percentile_results, requested_extended_statistics,
    take_percentile_queries,
};
use super::wire::{Reply, moto_json, reply};
use super::{Ctx, cbor};

/// How a CloudWatch request came, and so how it is answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Protocol {
    /// Smithy RPC v2 CBOR.
    Cbor,
    /// AWS JSON 1.0.
    Json,
}

/// The JSON input of a request that came in `protocol`, or why it does not parse.
fn input_of(protocol: Protocol, body: &[u8]) -> Result<Json, String> {
    match protocol {
        Protocol::Cbor => cbor::to_json(body).map_err(|e| e.to_string()),
        Protocol::Json if body.is_empty() => Ok(json!({})),
        Protocol::Json => serde_json::from_slice(body).map_err(|e| e.to_string()),
    }
}

pub(super) async fn cloudwatch(
    ctx: &Ctx,
    headers: &HeaderMap,
    op: &str,
    protocol: Protocol,
    body: &[u8],
) -> Reply {
    let mut input = match input_of(protocol, body) {
        Ok(input) => input,
        Err(why) => return reply(StatusCode::BAD_REQUEST, "text/plain", why.into_bytes()),
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
    let extended = if op == "GetMetricStatistics" {
        requested_extended_statistics(&input)
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
    if status.is_success() && !extended.is_empty() {
        extended_statistics(ctx, &account, &input, &extended, &mut output);
    }
    let output = match output {
        Json::Null if status.is_success() => json!({}),
        Json::Null => json!({ "__type": "InternalFailure", "message": "moto failed" }),
        other => other,
    };
    match protocol {
        Protocol::Cbor => {
            let mut response = reply(status, "application/cbor", cbor::from_json(&output));
            response
                .headers_mut()
                .insert("smithy-protocol", HeaderValue::from_static("rpc-v2-cbor"));
            response
        }
        Protocol::Json => reply(
            status,
            "application/x-amz-json-1.0",
            output.to_string().into_bytes(),
        ),
    }
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
