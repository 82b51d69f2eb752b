//! The health-loop engine, through its public API, on test doubles and tokio's paused time.
// Test code: a failed unwrap is a failed test.
#![allow(
    unreachable_pub,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic
)]

mod alerts;
mod approval;
mod budget;
mod config;
mod controller;
mod crashes;
mod detection;
mod diagnosis;
mod errors;
mod escalation;
mod guardrails;
mod ladder;
mod lost;
mod notices;
mod operator;
mod outages;
mod postmortems;
mod resilience;
mod run;
mod support;
mod temporary;
mod validation;
