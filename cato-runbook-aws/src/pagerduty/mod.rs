//! PagerDuty Events API v2 as the [`Pager`] port.
//!
//! Every event is `POST /v2/enqueue` with the target's routing key:
//!
//! ```json
//! {"routing_key": "…", "event_action": "trigger", "dedup_key": "INC-42",
//!  "payload": {"summary": "…", "source": "cato-shadow-self", "severity": "critical",
//!              "component": "shadow-self-down", "custom_details": {"…": "…"}}}
//! ```
//!
//! `acknowledge` and `resolve` send only `routing_key`, `event_action` and `dedup_key`. The
//! severity comes from the incident's SEV
//! ([`PageSeverity`](cato_runbook_core::ports::PageSeverity): SEV1 → `critical`, SEV2 →
//! `error`, SEV3 → `warning`, SEV4 → `info`). A 202 is accepted (PagerDuty decides later what
//! it does with the event, so its body is only checked and logged: a `status` other than
//! `success` or another event's `dedup_key` is a warning); a 400 is invalid input and never
//! retried; a 429 or a 5xx is retried with back-off up to the configured tries. At most 120
//! events go out per routing key in any minute (configurable): more wait on the clock.

pub(crate) mod event;
mod limiter;
pub(crate) mod webhook;

use std::collections::BTreeMap;
use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use cato_runbook_core::ports::{Page, Pager};
use cato_runbook_core::{Error, ErrorKind, Result};
use reqwest::Method;
use secrecy::{ExposeSecret, SecretString};

use crate::http::Transport;
use event::{Accepted, Event, Payload};
use limiter::WindowLimiter;

const PROVIDER: &str = "pagerduty";
const ENQUEUE: &str = "/v2/enqueue";
/// PagerDuty's public Events API.
pub const DEFAULT_BASE_URL: &str = crate::defaults::PAGERDUTY_BASE_URL;
const SUMMARY_MAX: usize = 1024;

/// One routing key and the limiter of its events.
struct Route {
    key: SecretString,
    limiter: Arc<WindowLimiter>,
}

/// PagerDuty Events API v2.
///
/// # Examples
///
/// ```
/// use cato_runbook_aws::pagerduty::PagerDuty;
/// use cato_runbook_aws::secrecy::SecretString;
///
/// let pager = PagerDuty::new(reqwest::Client::new(), cato_runbook_aws::pagerduty::DEFAULT_BASE_URL)?
///     .with_routing_key("on-call", SecretString::from("R0UT1NGKEY"))
///     .with_routing_key("vp-engineering", SecretString::from("OTHERKEY"));
/// assert_eq!(pager.to_string(), "pagerduty (https://events.pagerduty.com/; on-call, vp-engineering)");
/// assert!(!format!("{pager:?}").contains("R0UT1NGKEY"));
/// # Ok::<(), cato_runbook_core::Error>(())
/// ```
pub struct PagerDuty {
    transport: Transport,
    routes: BTreeMap<String, Route>,
    rate: (u32, Duration),
}

impl PagerDuty {
    /// The Events API at `base_url` ([`DEFAULT_BASE_URL`] for PagerDuty's own), with no
    /// targets yet.
    ///
    /// # Errors
    ///
    /// `InvalidInput` when `base_url` is not an absolute `http(s)` URL.
    pub fn new(client: reqwest::Client, base_url: &str) -> Result<Self> {
        Ok(PagerDuty {
            transport: Transport::new(PROVIDER, client, base_url)?,
            routes: BTreeMap::new(),
            rate: (120, Duration::from_secs(60)),
        })
    }

    /// Pages to `target` (a [`Page::target`], e.g. `on-call`) go to the service of
    /// `routing_key`. Targets that share a routing key share its rate limit.
    pub fn with_routing_key(
        mut self,
        target: impl Into<String>,
        routing_key: SecretString,
    ) -> Self {
        let limiter = self.limiter_for(&routing_key);
        self.routes.insert(
            target.into(),
            Route {
                key: routing_key,
                limiter,
            },
        );
        self
    }

    /// At most `events` per routing key in any `window` (default: 120 a minute).
    pub fn with_rate_limit(mut self, events: u32, window: Duration) -> Self {
        self.rate = (events, window);
        let routes = std::mem::take(&mut self.routes);
        for (target, route) in routes {
            self = self.with_routing_key(target, route.key);
        }
        self
    }

    fn limiter_for(&self, key: &SecretString) -> Arc<WindowLimiter> {
        self.routes
            .values()
            .find(|r| r.key.expose_secret() == key.expose_secret())
            .map(|r| Arc::clone(&r.limiter))
            .unwrap_or_else(|| Arc::new(WindowLimiter::new(self.rate.0, self.rate.1)))
    }

    async fn send(&self, operation: &'static str, target: &str, event: Event<'_>) -> Result<()> {
        let route = self.routes.get(target).ok_or_else(|| {
            Error::new(
                ErrorKind::NotFound,
                operation,
                format!("no routing key is configured for the target {target:?}"),
            )
            .with_provider(PROVIDER)
            .with_resource(target)
        })?;
        let event = Event {
            routing_key: route.key.expose_secret(),
            ..event
        };
        tracing::info!(
            provider = PROVIDER,
            target,
            action = event.event_action,
            dedup_key = event.dedup_key,
            "sending a PagerDuty event"
        );
        let t = &self.transport;
        let resource = event.dedup_key;
        t.retrying(operation, resource, || async {
            route.limiter.acquire(t.clock()).await;
            let request = t.request(Method::POST, ENQUEUE)?.json(&event);
            let reply = t
                .send(operation, resource, request)
                .await?
                .success(PROVIDER, operation, resource)?;
            match t
                .json::<Accepted>(operation, resource, &reply)
                .and_then(|answer| answer.check(operation, resource))
            {
                Ok(()) => {
                    tracing::debug!(provider = PROVIDER, dedup_key = resource, "event accepted")
                }
                Err(error) => tracing::warn!(
                    provider = PROVIDER,
                    status = reply.status.as_u16(),
                    %error,
                    "event accepted with an unexpected body"
                ),
            }
            Ok(())
        })
        .await
    }
}

impl PagerDuty {
    /// Whether the Events API answers at all (a `GET` of its base URL, which enqueues nothing):
    /// any HTTP answer under 500 is a reachable service. The Events API has no read that checks
    /// a routing key; PagerDuty checks it with the first event.
    ///
    /// # Errors
    ///
    /// `Unavailable`/`Timeout` when nothing answers, or a 5xx.
    pub async fn reachable(&self) -> Result<u16> {
        const OP: &str = "reachability";
        let t = &self.transport;
        t.retrying(OP, "events API", || async {
            let request = t.request(Method::GET, "/")?;
            let reply = t.send(OP, "events API", request).await?;
            let status = reply.status.as_u16();
            if status >= 500 {
                reply.success(PROVIDER, OP, "events API")?;
            }
            Ok(status)
        })
        .await
    }

    fn check_page(page: &Page) -> Result<()> {
        const OP: &str = "pager.trigger";
        let invalid = |what: &str| {
            Err(Error::invalid_input(OP, format!("a trigger needs {what}"))
                .with_provider(PROVIDER)
                .with_resource(page.dedup_key.clone()))
        };
        if page.summary.trim().is_empty() {
            return invalid("a summary");
        }
        if page.source.trim().is_empty() {
            return invalid("a source");
        }
        if page.dedup_key.is_empty() {
            return invalid("a dedup key");
        }
        Ok(())
    }
}

/// At most `max` characters of `text` (PagerDuty's summary limit is 1024).
fn truncate(text: &str, max: usize) -> &str {
    match text.char_indices().nth(max) {
        Some((at, _)) => &text[..at],
        None => text,
    }
}

#[async_trait]
impl Pager for PagerDuty {
    async fn trigger(&self, page: &Page) -> Result<()> {
        Self::check_page(page)?;
        let payload = Payload {
            summary: truncate(&page.summary, SUMMARY_MAX),
            source: &page.source,
            severity: page.severity,
            component: &page.component,
            custom_details: &page.details,
        };
        let event = Event {
            routing_key: "",
            event_action: "trigger",
            dedup_key: &page.dedup_key,
            payload: Some(payload),
        };
        self.send("pager.trigger", &page.target, event).await
    }

    async fn acknowledge(&self, target: &str, dedup_key: &str) -> Result<()> {
        let event = Event {
            routing_key: "",
            event_action: "acknowledge",
            dedup_key,
            payload: None,
        };
        self.send("pager.acknowledge", target, event).await
    }

    async fn resolve(&self, target: &str, dedup_key: &str) -> Result<()> {
        let event = Event {
            routing_key: "",
            event_action: "resolve",
            dedup_key,
            payload: None,
        };
        self.send("pager.resolve", target, event).await
    }
}

crate::http::http_options!(PagerDuty);

impl fmt::Display for PagerDuty {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let targets: Vec<&str> = self.routes.keys().map(String::as_str).collect();
        write!(
            f,
            "{PROVIDER} ({}; {})",
            self.transport.base_str(),
            targets.join(", ")
        )
    }
}

impl fmt::Debug for PagerDuty {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PagerDuty")
            .field("transport", &self.transport)
            .field("targets", &self.routes.keys().collect::<Vec<_>>())
            .field("rate", &self.rate)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn summaries_are_cut_at_1024_characters() {
        let long = "é".repeat(2000);
        assert_eq!(truncate(&long, SUMMARY_MAX).chars().count(), 1024);
        assert_eq!(truncate("short", SUMMARY_MAX), "short");
    }
}
