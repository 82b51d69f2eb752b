//! A proxy in front of moto that makes it answer what the providers ask, over the real wire
//! protocols:
//!
//! - CloudWatch: the SDK speaks Smithy RPC v2 CBOR, moto AWS JSON 1.0: requests and replies
//!   are translated ([`cbor`](super::cbor)). moto computes no percentiles: the proxy keeps the
//!   values put through it and answers `pNN` queries from them (nearest rank, as CloudWatch
//!   does for raw values), the other queries of the same call from moto.
//! - SageMaker `UpdateEndpoint` (moto lacks it): the endpoint is deleted and created again on
//!   the new config in moto (`DescribeEndpointConfig`, `DeleteEndpoint`, `CreateEndpoint`), so
//!   moto keeps the state and a missing config is moto's own error.
//! - Service Quotas increase requests (moto lacks them) are kept here, checked against moto's
//!   quota values; quotas of services moto has no data for (Bedrock) are seeded here.
//! - ElastiCache `ModifyReplicationGroup` to a node type that does not exist is refused as
//!   ElastiCache does (moto takes any name).
//!
//! Everything else goes to moto unchanged. Every operation seen is recorded ([`Proxy::calls`]).

use std::convert::Infallible;
use std::sync::{Arc, Mutex};

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::header::{HeaderMap, HeaderValue};
use hyper::{Request, Response, StatusCode};
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::{TokioExecutor, TokioIo};
use serde_json::{Value as Json, json};
use tokio::net::TcpListener;
use tokio::task::JoinHandle;

use cato_runbook_core::ports::{Clock, SystemClock};

use super::cbor;

const CBOR_PREFIX: &str = "/service/GraniteServiceVersion20100801/operation/";

/// A quota moto has no data for, answered by the proxy.
#[derive(Debug, Clone)]
pub struct SeededQuota {
    pub service: String,
    pub code: String,
    pub name: String,
    pub value: f64,
}

/// A value put through the proxy: account, namespace, metric, dimensions, time, value.
struct Put {
    account: String,
    namespace: String,
    metric: String,
    dimensions: Vec<(String, String)>,
    at: f64,
    value: f64,
}

#[derive(Default)]
struct State {
    calls: Vec<String>,
    puts: Vec<Put>,
    quotas: Vec<SeededQuota>,
    requests: Vec<Json>,
}

/// The running proxy; stops when dropped.
pub struct Proxy {
    url: String,
    state: Arc<Mutex<State>>,
    task: JoinHandle<()>,
}

impl Drop for Proxy {
    fn drop(&mut self) {
        self.task.abort();
    }
}

#[derive(Clone)]
struct Ctx {
    moto: String,
    client: Client<HttpConnector, Full<Bytes>>,
    state: Arc<Mutex<State>>,
}

impl Proxy {
    /// Starts a proxy to `moto` on a free loopback port.
    pub async fn start(moto: &str, quotas: Vec<SeededQuota>) -> Proxy {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let state = Arc::new(Mutex::new(State {
            quotas,
            ..State::default()
        }));
        let ctx = Ctx {
            moto: moto.trim_end_matches('/').to_owned(),
            client: Client::builder(TokioExecutor::new()).build_http(),
            state: Arc::clone(&state),
        };
        let task = tokio::spawn(async move {
            loop {
                let Ok((stream, _)) = listener.accept().await else {
                    return;
                };
                let ctx = ctx.clone();
                tokio::spawn(async move {
                    let service = hyper::service::service_fn(move |req| {
                        let ctx = ctx.clone();
                        async move { Ok::<_, Infallible>(handle(&ctx, req).await) }
                    });
                    let _ = hyper::server::conn::http1::Builder::new()
                        .serve_connection(TokioIo::new(stream), service)
                        .await;
                });
            }
        });
        Proxy { url, state, task }
    }

    /// Where it listens.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The operations seen, as `Service.Operation`, in order.
    pub fn calls(&self) -> Vec<String> {
        self.state.lock().unwrap().calls.clone()
    }

    /// How many times `operation` (`Service.Operation`) was seen.
    pub fn count(&self, operation: &str) -> usize {
        self.calls().iter().filter(|c| *c == operation).count()
    }
}

fn reply(status: StatusCode, content_type: &str, body: Vec<u8>) -> Response<Full<Bytes>> {
    let mut response = Response::new(Full::new(Bytes::from(body)));
    *response.status_mut() = status;
    response
        .headers_mut()
        .insert("content-type", HeaderValue::from_str(content_type).unwrap());
    response
}

fn json_reply(status: StatusCode, body: &Json) -> Response<Full<Bytes>> {
    reply(
        status,
        "application/x-amz-json-1.1",
        body.to_string().into_bytes(),
    )
}

fn json_error(code: &str, message: &str) -> Response<Full<Bytes>> {
    json_reply(
        StatusCode::BAD_REQUEST,
        &json!({ "__type": code, "message": message }),
    )
}

async fn handle(ctx: &Ctx, req: Request<Incoming>) -> Response<Full<Bytes>> {
    let (parts, body) = req.into_parts();
    let body = body
        .collect()
        .await
        .map(|b| b.to_bytes())
        .unwrap_or_default();
    let path = parts.uri.path().to_owned();
    let target = parts
        .headers
        .get("x-amz-target")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);

    if let Some(op) = path.strip_prefix(CBOR_PREFIX) {
        record(ctx, format!("CloudWatch.{op}"));
        return cloudwatch(ctx, &parts.headers, op, &body).await;
    }
    if let Some(target) = &target {
        let (service, op) = target.split_once('.').unwrap_or((target, ""));
        record(ctx, format!("{service}.{op}"));
        let input: Json = serde_json::from_slice(&body).unwrap_or(json!({}));
        match (service, op) {
            ("SageMaker", "UpdateEndpoint") => {
                return update_endpoint(ctx, &parts.headers, &input).await;
            }
            ("ServiceQuotasV20190624", "GetServiceQuota") => {
                return get_quota(ctx, &parts.headers, &body, &input).await;
            }
            ("ServiceQuotasV20190624", "RequestServiceQuotaIncrease") => {
                return request_increase(ctx, &parts.headers, &input).await;
            }
            ("ServiceQuotasV20190624", "GetRequestedServiceQuotaChange") => {
                return request_status(ctx, &input);
            }
            ("ServiceQuotasV20190624", "ListRequestedServiceQuotaChangeHistoryByQuota") => {
                return request_history(ctx, &input);
            }
            _ => {}
        }
    } else if let Some(action) = form_value(&body, "Action") {
        record(ctx, format!("Query.{action}"));
        if action == "ModifyReplicationGroup"
            && let Some(node_type) = form_value(&body, "CacheNodeType")
            && !known_node_type(&node_type)
        {
            return elasticache_error(
                "InvalidParameterValue",
                &format!("Invalid Cache Node Type: {node_type}"),
            );
        }
    }
    forward(
        ctx,
        parts.method,
        &parts.uri.to_string(),
        &parts.headers,
        body,
    )
    .await
}

fn record(ctx: &Ctx, call: String) {
    ctx.state.lock().unwrap().calls.push(call);
}

async fn forward(
    ctx: &Ctx,
    method: hyper::Method,
    path: &str,
    headers: &HeaderMap,
    body: Bytes,
) -> Response<Full<Bytes>> {
    let mut req = Request::new(Full::new(body));
    *req.method_mut() = method;
    *req.uri_mut() = format!("{}{path}", ctx.moto).parse().unwrap();
    for (name, value) in headers {
        if name != "host" && name != "content-length" {
            req.headers_mut().insert(name.clone(), value.clone());
        }
    }
    match ctx.client.request(req).await {
        Ok(response) => {
            let (parts, body) = response.into_parts();
            let body = body
                .collect()
                .await
                .map(|b| b.to_bytes())
                .unwrap_or_default();
            let mut out = Response::new(Full::new(body));
            *out.status_mut() = parts.status;
            for (name, value) in &parts.headers {
                if name != "content-length" && name != "transfer-encoding" && name != "connection" {
                    out.headers_mut().insert(name.clone(), value.clone());
                }
            }
            out
        }
        Err(e) => reply(
            StatusCode::BAD_GATEWAY,
            "text/plain",
            e.to_string().into_bytes(),
        ),
    }
}

/// Calls moto with an AWS JSON request, with the caller's credentials (moto knows the account
/// by the access key).
async fn moto_json(
    ctx: &Ctx,
    headers: &HeaderMap,
    target: &str,
    content_type: &str,
    input: &Json,
) -> (StatusCode, Json) {
    let mut h = headers.clone();
    h.insert("x-amz-target", HeaderValue::from_str(target).unwrap());
    h.insert("content-type", HeaderValue::from_str(content_type).unwrap());
    h.remove("content-encoding");
    let response = forward(
        ctx,
        hyper::Method::POST,
        "/",
        &h,
        Bytes::from(input.to_string()),
    )
    .await;
    let status = response.status();
    let body = response
        .into_body()
        .collect()
        .await
        .map(|b| b.to_bytes())
        .unwrap_or_default();
    (status, serde_json::from_slice(&body).unwrap_or(Json::Null))
}

async fn cloudwatch(
    ctx: &Ctx,
    headers: &HeaderMap,
    op: &str,
    body: &[u8],
) -> Response<Full<Bytes>> {
    let input = match cbor::to_json(body) {
        Ok(input) => input,
        Err(e) => return reply(StatusCode::BAD_REQUEST, "text/plain", e.into_bytes()),
    };
    let account = access_key(headers);
    if op == "PutMetricData" {
        keep_puts(ctx, &account, &input);
    }
    let mut input = input;
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

fn keep_puts(ctx: &Ctx, account: &str, input: &Json) {
    let namespace = input["Namespace"].as_str().unwrap_or_default();
    let mut state = ctx.state.lock().unwrap();
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
    let state = ctx.state.lock().unwrap();
    queries
        .iter()
        .map(|q| {
            let stat = &q["MetricStat"];
            let p: f64 = stat["Stat"].as_str().unwrap_or("p50")[1..]
                .parse()
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
                    values.push(json!(bucket[rank.min(bucket.len()) - 1]));
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

const SAGEMAKER: &str = "application/x-amz-json-1.1";

async fn update_endpoint(ctx: &Ctx, headers: &HeaderMap, input: &Json) -> Response<Full<Bytes>> {
    let endpoint = input["EndpointName"].as_str().unwrap_or_default();
    let config = input["EndpointConfigName"].as_str().unwrap_or_default();
    let (status, described) = moto_json(
        ctx,
        headers,
        "SageMaker.DescribeEndpoint",
        SAGEMAKER,
        &json!({ "EndpointName": endpoint }),
    )
    .await;
    if !status.is_success() {
        return json_reply(status, &described);
    }
    let (status, found) = moto_json(
        ctx,
        headers,
        "SageMaker.DescribeEndpointConfig",
        SAGEMAKER,
        &json!({ "EndpointConfigName": config }),
    )
    .await;
    if !status.is_success() {
        return json_reply(status, &found);
    }
    let name = json!({ "EndpointName": endpoint });
    let (status, deleted) =
        moto_json(ctx, headers, "SageMaker.DeleteEndpoint", SAGEMAKER, &name).await;
    if !status.is_success() {
        return json_reply(status, &deleted);
    }
    let (status, created) = moto_json(
        ctx,
        headers,
        "SageMaker.CreateEndpoint",
        SAGEMAKER,
        &json!({ "EndpointName": endpoint, "EndpointConfigName": config }),
    )
    .await;
    json_reply(status, &created)
}

const QUOTAS: &str = "application/x-amz-json-1.1";

/// The quota's current value: moto's, or a seeded one.
async fn quota(
    ctx: &Ctx,
    headers: &HeaderMap,
    service: &str,
    code: &str,
) -> Result<Json, Response<Full<Bytes>>> {
    let seeded = ctx
        .state
        .lock()
        .unwrap()
        .quotas
        .iter()
        .find(|q| q.service == service && q.code == code)
        .cloned();
    if let Some(q) = seeded {
        return Ok(json!({
            "ServiceCode": q.service,
            "ServiceName": q.service,
            "QuotaArn": format!("arn:aws:servicequotas:us-east-1:123456789012:{}/{}", q.service, q.code),
            "QuotaCode": q.code,
            "QuotaName": q.name,
            "Value": q.value,
            "Unit": "None",
            "Adjustable": true,
            "GlobalQuota": false
        }));
    }
    let (status, out) = moto_json(
        ctx,
        headers,
        "ServiceQuotasV20190624.GetServiceQuota",
        QUOTAS,
        &json!({ "ServiceCode": service, "QuotaCode": code }),
    )
    .await;
    if status.is_success() {
        Ok(out["Quota"].clone())
    } else {
        Err(json_reply(status, &out))
    }
}

async fn get_quota(
    ctx: &Ctx,
    headers: &HeaderMap,
    body: &Bytes,
    input: &Json,
) -> Response<Full<Bytes>> {
    let service = input["ServiceCode"].as_str().unwrap_or_default();
    let code = input["QuotaCode"].as_str().unwrap_or_default();
    let seeded = ctx
        .state
        .lock()
        .unwrap()
        .quotas
        .iter()
        .any(|q| q.service == service && q.code == code);
    if seeded {
        return match quota(ctx, headers, service, code).await {
            Ok(q) => json_reply(StatusCode::OK, &json!({ "Quota": q })),
            Err(e) => e,
        };
    }
    forward(ctx, hyper::Method::POST, "/", headers, body.clone()).await
}

async fn request_increase(ctx: &Ctx, headers: &HeaderMap, input: &Json) -> Response<Full<Bytes>> {
    let service = input["ServiceCode"].as_str().unwrap_or_default().to_owned();
    let code = input["QuotaCode"].as_str().unwrap_or_default().to_owned();
    let Some(desired) = input["DesiredValue"].as_f64() else {
        return json_error("IllegalArgumentException", "DesiredValue is required");
    };
    let current = match quota(ctx, headers, &service, &code).await {
        Ok(q) => q,
        Err(e) => return e,
    };
    if desired <= current["Value"].as_f64().unwrap_or(0.0) {
        return json_error(
            "IllegalArgumentException",
            "The desired value must be greater than the current value",
        );
    }
    let mut state = ctx.state.lock().unwrap();
    let open = state.requests.iter().any(|r| {
        r["ServiceCode"] == service.as_str()
            && r["QuotaCode"] == code.as_str()
            && matches!(r["Status"].as_str(), Some("PENDING" | "CASE_OPENED"))
    });
    if open {
        return json_error(
            "ResourceAlreadyExistsException",
            "A request for this quota is already open",
        );
    }
    let now = SystemClock.now().timestamp_millis() as f64 / 1000.0;
    let request = json!({
        "Id": format!("req-{:08x}", state.requests.len() + 1),
        "ServiceCode": service,
        "ServiceName": current["ServiceName"],
        "QuotaCode": code,
        "QuotaName": current["QuotaName"],
        "DesiredValue": desired,
        "Status": "PENDING",
        "Created": now,
        "LastUpdated": now,
        "Requester": "cato-runbook-tests",
        "QuotaArn": current["QuotaArn"],
        "GlobalQuota": false,
        "Unit": "None"
    });
    state.requests.push(request.clone());
    json_reply(StatusCode::OK, &json!({ "RequestedQuota": request }))
}

fn request_status(ctx: &Ctx, input: &Json) -> Response<Full<Bytes>> {
    let id = &input["RequestId"];
    let state = ctx.state.lock().unwrap();
    match state.requests.iter().find(|r| &r["Id"] == id) {
        Some(r) => json_reply(StatusCode::OK, &json!({ "RequestedQuota": r })),
        None => json_error("NoSuchResourceException", "The request does not exist"),
    }
}

fn request_history(ctx: &Ctx, input: &Json) -> Response<Full<Bytes>> {
    let state = ctx.state.lock().unwrap();
    let found: Vec<&Json> = state
        .requests
        .iter()
        .filter(|r| {
            r["ServiceCode"] == input["ServiceCode"] && r["QuotaCode"] == input["QuotaCode"]
        })
        .collect();
    json_reply(StatusCode::OK, &json!({ "RequestedQuotas": found }))
}

fn form_value(body: &[u8], key: &str) -> Option<String> {
    let text = std::str::from_utf8(body).ok()?;
    text.split('&').find_map(|pair| {
        let (k, v) = pair.split_once('=')?;
        (k == key).then(|| decode(v))
    })
}

fn decode(v: &str) -> String {
    let v = v.replace('+', " ");
    let mut out = Vec::new();
    let bytes = v.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && i + 2 < bytes.len()
            && let Ok(b) = u8::from_str_radix(&v[i + 1..i + 3], 16)
        {
            out.push(b);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn known_node_type(node_type: &str) -> bool {
    const FAMILIES: &[&str] = &[
        "t2", "t3", "t4g", "m5", "m6g", "m7g", "r5", "r6g", "r6gd", "r7g", "c7gn",
    ];
    let mut parts = node_type.split('.');
    let (Some("cache"), Some(family), Some(size), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return false;
    };
    let size_ok = matches!(size, "micro" | "small" | "medium" | "large" | "xlarge")
        || size
            .strip_suffix("xlarge")
            .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()));
    FAMILIES.contains(&family) && size_ok
}

fn elasticache_error(code: &str, message: &str) -> Response<Full<Bytes>> {
    let body = format!(
        "<ErrorResponse xmlns=\"http://elasticache.amazonaws.com/doc/2015-02-02/\"><Error><Type>Sender</Type><Code>{code}</Code><Message>{message}</Message></Error><RequestId>proxy</RequestId></ErrorResponse>"
    );
    reply(StatusCode::BAD_REQUEST, "text/xml", body.into_bytes())
}
