//! Canned replies on the real wire protocols, for what moto cannot do: throttling, server
//! errors, replies that do not parse, in-flight states, percentiles.

use std::fmt::Debug;
use std::future::Future;

use aws_types::SdkConfig;
use cato_runbook_core::{Error, ErrorKind, Retry};
use serde_json::Value as Json;
use wiremock::matchers::any;
use wiremock::{Mock, MockServer, ResponseTemplate};

use super::{cbor, sdk_config, test_credentials};

/// How a service's replies are framed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Protocol {
    /// AWS JSON 1.0/1.1: SageMaker, CloudWatch Logs, DynamoDB, Service Quotas.
    Json,
    /// Smithy RPC v2 CBOR: CloudWatch.
    Cbor,
    /// AWS Query (XML): ElastiCache.
    Query,
}

/// A successful reply with `body`.
pub fn ok(protocol: Protocol, body: &Json) -> ResponseTemplate {
    match protocol {
        Protocol::Json => ResponseTemplate::new(200)
            .insert_header("content-type", "application/x-amz-json-1.1")
            .set_body_string(body.to_string()),
        Protocol::Cbor => ResponseTemplate::new(200)
            .insert_header("content-type", "application/cbor")
            .insert_header("smithy-protocol", "rpc-v2-cbor")
            .set_body_bytes(cbor::from_json(body)),
        Protocol::Query => panic!("write the XML reply by hand"),
    }
}

/// A successful AWS Query reply with `xml`.
pub fn ok_xml(xml: &str) -> ResponseTemplate {
    ResponseTemplate::new(200)
        .insert_header("content-type", "text/xml")
        .set_body_string(xml)
}

/// The service's error `code` with `message`, as it frames errors.
pub fn error(protocol: Protocol, status: u16, code: &str, message: &str) -> ResponseTemplate {
    match protocol {
        Protocol::Json => ResponseTemplate::new(status)
            .insert_header("content-type", "application/x-amz-json-1.1")
            .set_body_string(serde_json::json!({ "__type": code, "message": message }).to_string()),
        Protocol::Cbor => ResponseTemplate::new(status)
            .insert_header("content-type", "application/cbor")
            .insert_header("smithy-protocol", "rpc-v2-cbor")
            .set_body_bytes(cbor::from_json(
                &serde_json::json!({ "__type": code, "message": message }),
            )),
        Protocol::Query => ResponseTemplate::new(status)
            .insert_header("content-type", "text/xml")
            .set_body_string(format!(
                "<ErrorResponse><Error><Type>Sender</Type><Code>{code}</Code><Message>{message}</Message></Error><RequestId>r</RequestId></ErrorResponse>"
            )),
    }
}

/// A successful status whose body does not parse.
pub fn garbage(protocol: Protocol) -> ResponseTemplate {
    match protocol {
        Protocol::Json => ResponseTemplate::new(200)
            .insert_header("content-type", "application/x-amz-json-1.1")
            .set_body_string("{\"EndpointName\": [1, 2"),
        Protocol::Cbor => ResponseTemplate::new(200)
            .insert_header("content-type", "application/cbor")
            .insert_header("smithy-protocol", "rpc-v2-cbor")
            .set_body_bytes(vec![0xbf, 0x63, 0x61, 0x62]),
        Protocol::Query => ResponseTemplate::new(200)
            .insert_header("content-type", "text/xml")
            .set_body_string("<DescribeReplicationGroupsResponse><oops"),
    }
}

/// A server answering every request with `template`, and an SDK config pointing at it.
pub async fn serving(template: ResponseTemplate) -> (MockServer, SdkConfig) {
    let server = MockServer::start().await;
    Mock::given(any())
        .respond_with(template)
        .mount(&server)
        .await;
    let sdk = sdk_config(&server.uri(), test_credentials());
    (server, sdk)
}

/// Expects `result` to fail with `kind` and `retry`, naming `provider` and `operation`.
pub fn expect_error<T: Debug>(
    result: Result<T, Error>,
    kind: ErrorKind,
    retry: Retry,
    provider: &str,
    operation: &str,
) -> Error {
    let err = result.expect_err("expected an error");
    assert_eq!(
        (err.kind(), err.retry()),
        (kind, retry),
        "wrong class for {err}"
    );
    assert_eq!(err.provider(), Some(provider), "{err}");
    assert_eq!(err.operation(), operation, "{err}");
    err
}

/// One call of a provider against a server answering `template`.
pub async fn against<T, F, Fut>(template: ResponseTemplate, call: F) -> Result<T, Error>
where
    F: FnOnce(SdkConfig) -> Fut,
    Fut: Future<Output = Result<T, Error>>,
{
    let (_server, sdk) = serving(template).await;
    call(sdk).await
}

/// The failure classes every service must map: throttling, not found (`not_found` is the
/// service's code for it), a 5xx, a reply that does not parse, a 500 page of HTML.
pub async fn failure_classes<T, F, Fut>(
    protocol: Protocol,
    not_found: (u16, &str, &str),
    provider: &str,
    operation: &str,
    call: F,
) where
    T: Debug,
    F: Fn(SdkConfig) -> Fut,
    Fut: Future<Output = Result<T, Error>>,
{
    let throttling = if protocol == Protocol::Query {
        "Throttling"
    } else {
        "ThrottlingException"
    };
    let cases = [
        (
            error(protocol, 400, throttling, "Rate exceeded"),
            ErrorKind::Throttled,
            Retry::Throttled,
        ),
        (
            error(protocol, not_found.0, not_found.1, not_found.2),
            ErrorKind::NotFound,
            Retry::Permanent,
        ),
        (
            error(protocol, 503, "ServiceUnavailable", "try later"),
            ErrorKind::Unavailable,
            Retry::Transient,
        ),
        (
            ResponseTemplate::new(500)
                .insert_header("content-type", "text/html")
                .set_body_string("<!doctype html><title>500 Internal Server Error</title>"),
            ErrorKind::Unavailable,
            Retry::Transient,
        ),
        (
            error(protocol, 400, "ValidationException", "1 validation error"),
            ErrorKind::InvalidInput,
            Retry::Permanent,
        ),
        (
            error(protocol, 400, "AccessDeniedException", "not authorized"),
            ErrorKind::PermissionDenied,
            Retry::Permanent,
        ),
        (
            error(
                protocol,
                403,
                "ExpiredTokenException",
                "The security token included in the request is expired",
            ),
            ErrorKind::Unauthenticated,
            Retry::Permanent,
        ),
        (
            error(
                protocol,
                400,
                "UnrecognizedClientException",
                "The security token included in the request is invalid.",
            ),
            ErrorKind::Unauthenticated,
            Retry::Permanent,
        ),
        (
            garbage(protocol),
            ErrorKind::MalformedResponse,
            Retry::Transient,
        ),
    ];
    for (template, kind, retry) in cases {
        let result = against(template, &call).await;
        expect_error(result, kind, retry, provider, operation);
    }
}
