//! One request: which service and operation it is (by its protocol), the answer the proxy
//! gives itself, or moto's.

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::header::{HeaderMap, HeaderName, HeaderValue};
use hyper::{Request, Response, StatusCode};
use serde_json::{Value as Json, json};

use super::Ctx;
use super::cloudwatch::{Protocol, cloudwatch};
use super::elasticache::{elasticache_error, form_value, known_node_type};
use super::sagemaker::update_endpoint;
use super::service_quotas::{get_quota, request_history, request_increase, request_status};

/// The path of a CloudWatch operation in Smithy RPC v2 CBOR.
const CBOR_PREFIX: &str = "/service/GraniteServiceVersion20100801/operation/";

/// CloudWatch's AWS JSON 1.0 target prefix.
const CLOUDWATCH_JSON: &str = "GraniteServiceVersion20100801";

pub(super) type Reply = Response<Full<Bytes>>;

pub(super) fn reply(status: StatusCode, content_type: &'static str, body: Vec<u8>) -> Reply {
    let mut response = Response::new(Full::new(Bytes::from(body)));
    *response.status_mut() = status;
    response
        .headers_mut()
        .insert("content-type", HeaderValue::from_static(content_type));
    response
}

pub(super) fn json_reply(status: StatusCode, body: &Json) -> Reply {
    reply(
        status,
        "application/x-amz-json-1.1",
        body.to_string().into_bytes(),
    )
}

pub(super) fn json_error(code: &str, message: &str) -> Reply {
    json_reply(
        StatusCode::BAD_REQUEST,
        &json!({ "__type": code, "message": message }),
    )
}

fn bad_gateway(why: String) -> Reply {
    tracing::warn!(%why, "moto proxy: moto failed");
    reply(StatusCode::BAD_GATEWAY, "text/plain", why.into_bytes())
}

/// The body as sent before its `Content-Encoding`: CloudWatch takes `PutMetricData` gzipped
/// (request compression: the AWS CLI compresses a body of 10 KB or more), and the proxy, which
/// reads CloudWatch's bodies itself, must too.
fn decoded(headers: &HeaderMap, body: Bytes) -> Result<Bytes, String> {
    let encoding = headers
        .get(hyper::header::CONTENT_ENCODING)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("identity");
    match encoding.trim() {
        "" | "identity" => Ok(body),
        "gzip" => {
            let mut plain = Vec::new();
            std::io::Read::read_to_end(&mut flate2::read::GzDecoder::new(&body[..]), &mut plain)
                .map_err(|e| format!("gzip body does not decode: {e}"))?;
            Ok(Bytes::from(plain))
        }
        other => Err(format!(
            "content encoding {other:?} is not one CloudWatch takes"
        )),
    }
}

pub(super) async fn handle(ctx: &Ctx, req: Request<Incoming>) -> Reply {
    let (parts, body) = req.into_parts();
    let body = match body.collect().await {
        Ok(body) => body.to_bytes(),
        Err(e) => {
            return reply(
                StatusCode::BAD_REQUEST,
                "text/plain",
                e.to_string().into_bytes(),
            );
        }
    };
    let path = parts.uri.path().to_owned();
    let uri = parts.uri.to_string();
    let target = parts
        .headers
        .get("x-amz-target")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);

    if let Some(op) = path.strip_prefix(CBOR_PREFIX) {
        record(ctx, format!("CloudWatch.{op}"));
        return match decoded(&parts.headers, body) {
            Ok(body) => cloudwatch(ctx, &parts.headers, op, Protocol::Cbor, &body).await,
            Err(why) => reply(StatusCode::BAD_REQUEST, "text/plain", why.into_bytes()),
        };
    }
    if let Some(target) = &target {
        let (service, op) = target.split_once('.').unwrap_or((target, ""));
        if service == CLOUDWATCH_JSON {
            record(ctx, format!("CloudWatch.{op}"));
            return match decoded(&parts.headers, body) {
                Ok(body) => cloudwatch(ctx, &parts.headers, op, Protocol::Json, &body).await,
                Err(why) => reply(StatusCode::BAD_REQUEST, "text/plain", why.into_bytes()),
            };
        }
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
    forward(ctx, parts.method, &uri, &parts.headers, body).await
}

fn record(ctx: &Ctx, call: String) {
    ctx.state().calls.push(call);
}

/// Sends the request to moto as it came (but for its host and length), and moto's answer back;
/// 502 when moto cannot be reached.
pub(super) async fn forward(
    ctx: &Ctx,
    method: hyper::Method,
    path: &str,
    headers: &HeaderMap,
    body: Bytes,
) -> Reply {
    let mut req = Request::new(Full::new(body));
    *req.method_mut() = method;
    *req.uri_mut() = match format!("{}{path}", ctx.moto).parse() {
        Ok(uri) => uri,
        Err(e) => return bad_gateway(format!("{}{path}: {e}", ctx.moto)),
    };
    for (name, value) in headers {
        if name != "host" && name != "content-length" {
            req.headers_mut().insert(name.clone(), value.clone());
        }
    }
    let response = match ctx.client.request(req).await {
        Ok(response) => response,
        Err(e) => return bad_gateway(format!("{}: {e}", ctx.moto)),
    };
    let (parts, body) = response.into_parts();
    let body = match body.collect().await {
        Ok(body) => body.to_bytes(),
        Err(e) => return bad_gateway(format!("{}: {e}", ctx.moto)),
    };
    let mut out = Response::new(Full::new(body));
    *out.status_mut() = parts.status;
    for (name, value) in &parts.headers {
        if name != "content-length" && name != "transfer-encoding" && name != "connection" {
            out.headers_mut().insert(name.clone(), value.clone());
        }
    }
    out
}

/// Calls moto with an AWS JSON request, with the caller's credentials (moto knows the account
/// by the access key). A target that is no header value is refused (400).
pub(super) async fn moto_json(
    ctx: &Ctx,
    headers: &HeaderMap,
    target: &str,
    content_type: &'static str,
    input: &Json,
) -> (StatusCode, Json) {
    let Ok(target) = HeaderValue::from_str(target) else {
        return (
            StatusCode::BAD_REQUEST,
            json!({ "__type": "SerializationException", "message": "bad operation name" }),
        );
    };
    let mut h = headers.clone();
    h.insert(HeaderName::from_static("x-amz-target"), target);
    h.insert("content-type", HeaderValue::from_static(content_type));
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

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(encoding: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(
            hyper::header::CONTENT_ENCODING,
            HeaderValue::from_str(encoding).unwrap_or(HeaderValue::from_static("x")),
        );
        h
    }

    #[test]
    fn a_gzipped_body_is_read_as_sent() {
        use std::io::Write;
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        assert!(gz.write_all(b"{\"Namespace\": \"X\"}").is_ok());
        let zipped = gz.finish().unwrap_or_default();
        let plain = decoded(&headers("gzip"), Bytes::from(zipped));
        assert_eq!(plain.as_deref().ok(), Some(&b"{\"Namespace\": \"X\"}"[..]));
        assert_eq!(
            decoded(&HeaderMap::new(), Bytes::from_static(b"{}"))
                .as_deref()
                .ok(),
            Some(&b"{}"[..])
        );
        assert!(decoded(&headers("gzip"), Bytes::from_static(b"not gzip")).is_err());
        assert!(decoded(&headers("br"), Bytes::from_static(b"{}")).is_err());
    }
}
