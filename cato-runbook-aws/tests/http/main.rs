//! The HTTP providers (Cato admin API, PagerDuty Events v2, Slack, SendGrid) against stateful wiremock
//! servers: the shared conformance checks, the exact requests, retries and back-off, timeouts,
//! error mapping, malformed bodies, the rate limit, and secrets kept out of logs.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "../support/mod.rs"]
mod support;

mod body_limit;
mod cato_api;
mod common;
mod pagerduty;
mod sendgrid;
mod slack;
