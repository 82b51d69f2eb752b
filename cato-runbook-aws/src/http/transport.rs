//! One HTTP client with a base URL, per-try timeouts and bounded retries on the clock.

use std::fmt;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use cato_runbook_core::call::{self, Failure, RetryPolicy};
use cato_runbook_core::ports::{Clock, SystemClock};
use cato_runbook_core::{Error, ErrorKind, Result};
use reqwest::header::RETRY_AFTER;
use reqwest::{Method, RequestBuilder, StatusCode, Url};

use super::HttpOptions;
pub(crate) use super::status::refused_credential;
use super::status::{outcome_unknown, status_error, timeout_error, transport_error};

/// What one try got back: any status, the whole body.
#[derive(Debug)]
pub(crate) struct Reply {
    pub(crate) status: StatusCode,
    pub(crate) body: Vec<u8>,
    retry_after: Option<Duration>,
    credential: Arc<str>,
}

impl Reply {
    /// The reply when its status is a success, else the status's error (keeping a
    /// `Retry-After` for the back-off).
    pub(crate) fn success(
        self,
        provider: &'static str,
        operation: &'static str,
        resource: &str,
    ) -> Result<Reply, Failure> {
        if self.status.is_success() {
            return Ok(self);
        }
        let mut error = status_error(provider, operation, resource, self.status, &self.body);
        if error.kind() == ErrorKind::Unauthenticated {
            error = refused_credential(error, &self.credential);
        }
        Err(Failure {
            error: Box::new(error),
            retry_after: self.retry_after,
        })
    }
}

/// The error of a reply whose body is longer than `limit` bytes (`read`: what its length is
/// known to be): malformed, and not retried — the same request would get the same reply.
fn body_too_long(
    provider: &'static str,
    operation: &'static str,
    resource: &str,
    status: StatusCode,
    limit: usize,
    read: &str,
) -> Error {
    Error::new(
        ErrorKind::MalformedResponse,
        operation,
        format!(
            "HTTP {status}: the reply's body ({read}) is longer than the limit of {limit} bytes"
        ),
    )
    .with_provider(provider)
    .with_resource(resource)
}

/// A `reqwest::Client`, the service's base URL, timeouts, retries and the clock they run on.
#[derive(Clone)]
pub(crate) struct Transport {
    provider: &'static str,
    client: reqwest::Client,
    base: Url,
    options: HttpOptions,
    clock: Arc<dyn Clock>,
    credential: Arc<str>,
}

impl fmt::Debug for Transport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Transport")
            .field("base", &self.base_str())
            .field("options", &self.options)
            .finish_non_exhaustive()
    }
}

impl Transport {
    /// A transport for `provider` against `base_url` (`http` or `https`).
    ///
    /// # Errors
    ///
    /// `InvalidInput` when `base_url` is not an absolute `http(s)` URL.
    pub(crate) fn new(
        provider: &'static str,
        client: reqwest::Client,
        base_url: &str,
    ) -> Result<Self> {
        let invalid = |why: &str| {
            Error::invalid_input("configure", format!("base URL: {why}")).with_provider(provider)
        };
        let mut base = Url::parse(base_url).map_err(|e| invalid(&e.to_string()))?;
        if !matches!(base.scheme(), "http" | "https") || base.cannot_be_a_base() {
            return Err(invalid("must be an http or https URL"));
        }
        if !base.path().ends_with('/') {
            let path = format!("{}/", base.path());
            base.set_path(&path);
        }
        Ok(Transport {
            provider,
            client,
            base,
            options: HttpOptions::default(),
            clock: Arc::new(SystemClock),
            credential: Arc::from(format!("the {provider} credential")),
        })
    }

    /// Where the credential comes from (e.g. "SLACK_BOT_TOKEN (`token_env` of
    /// [providers.slack])"), for the error a refused one gets.
    pub(crate) fn set_credential(&mut self, credential: &str) {
        self.credential = Arc::from(credential);
    }

    /// Where the credential comes from.
    #[cfg_attr(not(feature = "slack"), allow(dead_code))]
    pub(crate) fn credential(&self) -> &str {
        &self.credential
    }

    pub(crate) fn set_options(&mut self, options: HttpOptions) {
        self.options = options;
    }

    pub(crate) fn set_clock(&mut self, clock: Arc<dyn Clock>) {
        self.clock = clock;
    }

    #[cfg_attr(not(feature = "pagerduty"), allow(dead_code))]
    pub(crate) fn clock(&self) -> &Arc<dyn Clock> {
        &self.clock
    }

    /// The base URL without user info, for `Display` and logs.
    pub(crate) fn base_str(&self) -> String {
        let mut shown = self.base.clone();
        let _ = shown.set_username("");
        let _ = shown.set_password(None);
        shown.to_string()
    }

    /// A request to `path` (relative to the base URL; a leading `/` is ignored).
    pub(crate) fn request(&self, method: Method, path: &str) -> Result<RequestBuilder> {
        let url = self.base.join(path.trim_start_matches('/')).map_err(|e| {
            Error::invalid_input("request", format!("path {path:?}: {e}"))
                .with_provider(self.provider)
        })?;
        Ok(self.client.request(method, url))
    }

    /// Sends one request within the timeout and reads its whole body, whatever the status.
    pub(crate) async fn send(
        &self,
        operation: &'static str,
        resource: &str,
        request: RequestBuilder,
    ) -> Result<Reply, Failure> {
        let timeout = self.options.timeout;
        let limit = self.options.max_body_bytes;
        let provider = self.provider;
        // The try's timeout is the HTTP client's own (the I/O runs on real time, like the AWS
        // SDK's); the back-off between tries runs on the provider's clock.
        let exchange = async {
            let mut response = request
                .timeout(timeout)
                .send()
                .await
                .map_err(|e| transport_error(provider, operation, resource, e))?;
            let status = response.status();
            let retry_after = response
                .headers()
                .get(RETRY_AFTER)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.trim().parse::<u64>().ok())
                .map(Duration::from_secs);
            let too_long =
                |read: String| body_too_long(provider, operation, resource, status, limit, &read);
            if let Some(length) = response.content_length()
                && length > u64::try_from(limit).unwrap_or(u64::MAX)
            {
                return Err(too_long(format!("{length} bytes")));
            }
            // Read chunk by chunk: a reply without a length (chunked) is bounded too.
            let mut body = Vec::new();
            while let Some(chunk) = response
                .chunk()
                .await
                .map_err(|e| transport_error(provider, operation, resource, e))?
            {
                if chunk.len() > limit.saturating_sub(body.len()) {
                    return Err(too_long("sent without a length".to_owned()));
                }
                body.extend_from_slice(&chunk);
            }
            Ok::<_, Error>(Reply {
                status,
                body,
                retry_after,
                credential: Arc::clone(&self.credential),
            })
        };
        match exchange.await {
            Ok(reply) => {
                tracing::debug!(
                    provider,
                    operation,
                    resource,
                    status = reply.status.as_u16(),
                    "HTTP reply"
                );
                Ok(reply)
            }
            Err(error) if error.kind() == ErrorKind::Timeout => {
                Err(timeout_error(provider, operation, resource, timeout).into())
            }
            Err(error) => Err(error.into()),
        }
    }

    /// Runs `attempt` until it succeeds, fails in a way no retry can help, or the tries run
    /// out, backing off on the clock between tries (the core's one retry path).
    pub(crate) async fn retrying<T, F, Fut>(
        &self,
        operation: &'static str,
        resource: &str,
        attempt: F,
    ) -> Result<T>
    where
        F: FnMut() -> Fut,
        Fut: Future<Output = Result<T, Failure>>,
    {
        let options = self.options;
        let policy = RetryPolicy::default()
            .with_attempts(options.max_attempts)
            .with_first_delay(options.min_backoff)
            .with_max_delay(options.max_backoff)
            .with_jitter(true);
        let label = format!("{} {operation} {resource}", self.provider);
        call::retrying(self.clock.as_ref(), &policy, &label, attempt).await
    }

    /// One call of an HTTP provider, the path they all share: build the request, send it
    /// within the timeout, check the status, decode the reply with `decode` (which may refuse
    /// it, e.g. Slack's `ok: false`), retrying what a retry can help on the clock.
    #[cfg_attr(
        not(any(feature = "cato-api", feature = "slack", feature = "sendgrid")),
        allow(dead_code)
    )]
    pub(crate) async fn call<T, B, D>(
        &self,
        operation: &'static str,
        resource: &str,
        build: B,
        decode: D,
    ) -> Result<T>
    where
        B: Fn() -> Result<RequestBuilder>,
        D: Fn(Reply) -> Result<T, Failure>,
    {
        let (build, decode) = (&build, &decode);
        self.retrying(operation, resource, || async move {
            let reply = self.send(operation, resource, build()?).await?.success(
                self.provider,
                operation,
                resource,
            )?;
            decode(reply)
        })
        .await
    }

    /// [`call`](Self::call) of a request that is not idempotent (a chat post, a mail): tried
    /// again only when it surely did not reach the service (no connection was made, a 429, a
    /// 5xx answer); after it was sent and no answer came (a timeout, a connection broken
    /// mid-request) the outcome is unknown, and the error is a permanent
    /// [`ErrorKind::DeliveryUnknown`]: sending it again could deliver it twice.
    #[cfg_attr(not(any(feature = "slack", feature = "sendgrid")), allow(dead_code))]
    pub(crate) async fn post_once<T, B, D>(
        &self,
        operation: &'static str,
        resource: &str,
        build: B,
        decode: D,
    ) -> Result<T>
    where
        B: Fn() -> Result<RequestBuilder>,
        D: Fn(Reply) -> Result<T, Failure>,
    {
        let (build, decode) = (&build, &decode);
        self.retrying(operation, resource, || async move {
            let reply = match self.send(operation, resource, build()?).await {
                Ok(reply) => reply,
                Err(failure) => return Err(outcome_unknown(failure)),
            };
            decode(reply.success(self.provider, operation, resource)?)
        })
        .await
    }

    /// [`call`](Self::call) whose reply is JSON of type `T`.
    #[cfg_attr(not(any(feature = "cato-api", feature = "sendgrid")), allow(dead_code))]
    pub(crate) async fn call_json<T, B>(
        &self,
        operation: &'static str,
        resource: &str,
        build: B,
    ) -> Result<T>
    where
        T: serde::de::DeserializeOwned,
        B: Fn() -> Result<RequestBuilder>,
    {
        self.call(operation, resource, build, |reply| {
            Ok(self.json(operation, resource, &reply)?)
        })
        .await
    }

    /// [`call`](Self::call) whose reply's body does not matter.
    #[cfg_attr(not(feature = "cato-api"), allow(dead_code))]
    pub(crate) async fn call_empty<B>(
        &self,
        operation: &'static str,
        resource: &str,
        build: B,
    ) -> Result<()>
    where
        B: Fn() -> Result<RequestBuilder>,
    {
        self.call(operation, resource, build, |_| Ok(())).await
    }

    /// Parses a JSON body, or fails with `MalformedResponse`.
    #[cfg_attr(not(any(feature = "cato-api", feature = "slack")), allow(dead_code))]
    pub(crate) fn json<T: serde::de::DeserializeOwned>(
        &self,
        operation: &'static str,
        resource: &str,
        reply: &Reply,
    ) -> Result<T> {
        decode_json(&reply.body).map_err(|e| {
            Error::new(
                ErrorKind::MalformedResponse,
                operation,
                format!(
                    "HTTP {}: the body is not what the API documents ({e})",
                    reply.status
                ),
            )
            .with_provider(self.provider)
            .with_resource(resource)
        })
    }
}

/// A JSON body as `T`, or why not, naming the field that is wrong (`` `spent`: invalid type… ``).
#[cfg_attr(not(any(feature = "cato-api", feature = "slack")), allow(dead_code))]
pub(crate) fn decode_json<T: serde::de::DeserializeOwned>(body: &[u8]) -> Result<T, String> {
    let mut reader = serde_json::Deserializer::from_slice(body);
    let value = serde_path_to_error::deserialize(&mut reader).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner();
        if path == "." {
            inner.to_string()
        } else {
            format!("`{path}`: {inner}")
        }
    })?;
    reader.end().map_err(|e| e.to_string())?;
    Ok(value)
}
