//! A proxy in front of moto that makes it answer what the providers ask, over the real wire
//! protocols:
//!
//! - CloudWatch: the SDK speaks Smithy RPC v2 CBOR, moto AWS JSON 1.0: requests and replies
//!   are translated ([`cbor`]); the AWS CLI's AWS JSON 1.0 is answered the same way. moto
//!   computes no percentiles: the proxy keeps the values put through it and answers from them
//!   (nearest rank, as CloudWatch does for raw values) the `pNN` queries of `GetMetricData`
//!   (the other queries of the same call from moto) and the extended statistics of
//!   `GetMetricStatistics`. `DescribeAlarms` is paged by name, as CloudWatch pages it.
//! - SageMaker `UpdateEndpoint` (moto lacks it): the endpoint is deleted and created again on
//!   the new config in moto (`DescribeEndpointConfig`, `DeleteEndpoint`, `CreateEndpoint`), so
//!   moto keeps the state and a missing config is moto's own error.
//! - Service Quotas increase requests (moto lacks them) are kept here, checked against moto's
//!   quota values; quotas of services moto has no data for (Bedrock) are seeded here.
//! - ElastiCache `ModifyReplicationGroup` to a node type that does not exist is refused as
//!   ElastiCache does (moto takes any name).
//! - DynamoDB writes go to moto one at a time, as DynamoDB applies conditional writes
//!   atomically.
//!
//! Everything else goes to moto unchanged; when moto cannot be reached the proxy answers 502.
//! Every operation seen is recorded ([`Proxy::calls`]).
//!
//! The AWS tests start one proxy per test ([`Proxy::start`]); the binary `cato-moto-proxy`
//! runs one as the peer `scripts/peers/moto.sh` starts.

pub mod cbor;
mod cloudwatch;
mod elasticache;
mod percentiles;
mod sagemaker;
mod service_quotas;
mod wire;

use std::net::SocketAddr;
use std::str::FromStr;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use bytes::Bytes;
use http_body_util::Full;
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::{TokioExecutor, TokioIo};
use serde_json::Value as Json;
use tokio::net::TcpListener;
use tokio::task::JoinHandle;

use cato_runbook_core::{Error, ErrorKind, Result};

/// A quota moto has no data for, answered by the proxy.
#[derive(Debug, Clone, PartialEq)]
pub struct SeededQuota {
    /// Its service code (`bedrock`).
    pub service: String,
    /// Its quota code (`L-XXXXXXXX`).
    pub code: String,
    /// Its name.
    pub name: String,
    /// Its current value.
    pub value: f64,
}

impl FromStr for SeededQuota {
    type Err = Error;

    /// `SERVICE/CODE=VALUE`, optionally `SERVICE/CODE=VALUE/NAME` (the name is the code
    /// otherwise): `bedrock/L-XXXXXXXX=10000`.
    fn from_str(text: &str) -> Result<SeededQuota> {
        let refuse = || {
            Error::invalid_input(
                "parse quota",
                format!("{text:?} is not SERVICE/CODE=VALUE[/NAME]"),
            )
        };
        let (key, rest) = text.split_once('=').ok_or_else(refuse)?;
        let (service, code) = key.split_once('/').ok_or_else(refuse)?;
        let (value, name) = rest.split_once('/').unwrap_or((rest, code));
        let value: f64 = value.trim().parse().map_err(|_| refuse())?;
        if service.is_empty() || code.is_empty() || !value.is_finite() {
            return Err(refuse());
        }
        Ok(SeededQuota {
            service: service.to_owned(),
            code: code.to_owned(),
            name: name.to_owned(),
            value,
        })
    }
}

/// A value put through the proxy: account, namespace, metric, dimensions, time, value.
#[derive(Debug)]
struct Put {
    account: String,
    namespace: String,
    metric: String,
    dimensions: Vec<(String, String)>,
    at: f64,
    value: f64,
}

#[derive(Debug, Default)]
struct State {
    calls: Vec<String>,
    puts: Vec<Put>,
    quotas: Vec<SeededQuota>,
    requests: Vec<Json>,
}

/// The running proxy; stops when dropped.
#[derive(Debug)]
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

impl Ctx {
    /// The shared state; a panic elsewhere while it was held leaves it as it was.
    fn state(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl Proxy {
    /// Starts a proxy to `moto` on a free loopback port, answering `quotas` itself.
    pub async fn start(moto: &str, quotas: Vec<SeededQuota>) -> Result<Proxy> {
        Self::start_on(SocketAddr::from(([127, 0, 0, 1], 0)), moto, quotas).await
    }

    /// Starts a proxy to `moto` listening on `addr` (port 0: a free one).
    pub async fn start_on(addr: SocketAddr, moto: &str, quotas: Vec<SeededQuota>) -> Result<Proxy> {
        let unavailable = |e: std::io::Error| {
            Error::new(ErrorKind::Unavailable, "bind", e.to_string())
                .with_provider("moto-proxy")
                .with_resource(addr.to_string())
                .with_source(e)
        };
        let listener = TcpListener::bind(addr).await.map_err(unavailable)?;
        let url = format!("http://{}", listener.local_addr().map_err(unavailable)?);
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
        let task = tokio::spawn(serve(listener, ctx));
        tracing::debug!(%url, %moto, "moto proxy listening");
        Ok(Proxy { url, state, task })
    }

    /// Where it listens.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The operations seen, as `Service.Operation` (`Query.Action` for the query protocol), in
    /// order.
    pub fn calls(&self) -> Vec<String> {
        self.state
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .calls
            .clone()
    }

    /// How many times `operation` (`Service.Operation`) was seen.
    pub fn count(&self, operation: &str) -> usize {
        self.calls().iter().filter(|c| *c == operation).count()
    }
}

async fn serve(listener: TcpListener, ctx: Ctx) {
    loop {
        let stream = match listener.accept().await {
            Ok((stream, _)) => stream,
            Err(e) => {
                tracing::warn!(error = %e, "moto proxy cannot accept");
                return;
            }
        };
        let ctx = ctx.clone();
        tokio::spawn(async move {
            let service = hyper::service::service_fn(move |req| {
                let ctx = ctx.clone();
                async move { Ok::<_, std::convert::Infallible>(wire::handle(&ctx, req).await) }
            });
            if let Err(e) = hyper::server::conn::http1::Builder::new()
                .serve_connection(TokioIo::new(stream), service)
                .await
            {
                tracing::debug!(error = %e, "moto proxy connection ended");
            }
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_seeded_quota_reads_from_one_argument() {
        assert_eq!(
            "bedrock/L-XXXXXXXX=10000".parse::<SeededQuota>().ok(),
            Some(SeededQuota {
                service: "bedrock".into(),
                code: "L-XXXXXXXX".into(),
                name: "L-XXXXXXXX".into(),
                value: 10000.0,
            })
        );
        let named: SeededQuota = "bedrock/L-1=5/Invocations per minute".parse().unwrap();
        assert_eq!(named.name, "Invocations per minute");
        for bad in [
            "bedrock",
            "bedrock=1",
            "/L-1=1",
            "bedrock/L-1=many",
            "bedrock/L-1=inf",
        ] {
            assert!(bad.parse::<SeededQuota>().is_err(), "{bad}");
        }
    }
}
