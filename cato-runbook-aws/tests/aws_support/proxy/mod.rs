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

mod cloudwatch;
mod elasticache;
mod sagemaker;
mod service_quotas;

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

use cloudwatch::cloudwatch;
use elasticache::{elasticache_error, form_value, known_node_type};
use sagemaker::update_endpoint;
use service_quotas::{get_quota, request_history, request_increase, request_status};

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
    /// DynamoDB's conditional writes are atomic; moto's threaded server checks a condition and
    /// writes without a lock, so two racing writes on one item can both pass. The proxy lets
    /// one DynamoDB write through at a time, as DynamoDB itself serializes them.
    dynamodb_writes: Arc<tokio::sync::Mutex<()>>,
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
            dynamodb_writes: Arc::default(),
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
            (
                "DynamoDB_20120810",
                "PutItem" | "UpdateItem" | "DeleteItem" | "TransactWriteItems",
            ) => {
                let _one_at_a_time = ctx.dynamodb_writes.lock().await;
                let uri = parts.uri.to_string();
                return forward(ctx, parts.method, &uri, &parts.headers, body).await;
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
