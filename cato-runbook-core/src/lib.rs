//! Cato's incident runbook, as code.
//!
//! Cato's runbook says what to do when the Shadow Self endpoint goes down, latency climbs, the
//! cache misses, the LLM budget runs out, Bedrock throttles or DynamoDB runs hot. This crate is
//! that runbook as a library a service embeds: it models incidents the way the runbook's process
//! does, defines the traits a runbook is made of and the ports it talks through, and runs them in
//! a health-loop engine.
//!
//! # A tour
//!
//! **How bad is it?** A [`Severity`] is one row of the runbook's table, SEV1 (complete outage,
//! respond in 5 minutes) to SEV4 (no user impact, 24 hours). [`Severity::assess`] turns an
//! [`Impact`] — share of users affected, outage or not, visible or not — into a level.
//!
//! ```
//! use cato_runbook_core::{Impact, Severity};
//! assert_eq!(Severity::assess(&Impact::degraded(0.7)?), Severity::Sev2);
//! assert_eq!(Severity::Sev2.response_time().as_secs(), 15 * 60);
//! # Ok::<(), cato_runbook_core::Error>(())
//! ```
//!
//! **What is going on?** An [`Incident`] follows the runbook's process — detected,
//! acknowledged (triage), mitigating, monitoring, resolved, closed (postmortem written) — and
//! refuses any other move with an [`ErrorKind::IllegalTransition`] error. It knows its response
//! deadline, its postmortem due date (48 h after resolution) and its times to acknowledge,
//! mitigate and resolve. Every change lands on its [`Timeline`], the incident log the runbook
//! asks to start at triage: append-only, typed entries that nothing can edit.
//!
//! **What is a runbook made of?** The three [`runbook`] traits: a [`Detector`] notices a
//! symptom, a [`Diagnosis`] gathers evidence and ranks root causes, a [`Mitigation`] is one
//! rung of the ladder — it plans (the dry run: exactly what would change, before → after, to
//! absolute targets), applies, verifies and, where it can, reverts. Its
//! [`Plan`](runbook::Plan) carries everything the engine decides by — risk, cost, approval,
//! when to verify, how long it lasts, whether it can be undone — and its [`IdempotencyKey`]
//! (incident + step) makes a repeat harmless.
//!
//! **What does it talk to?** [`ports`]: one small trait per capability the runbook's commands
//! use — the model endpoint, metrics, logs, cache, budget, quotas, tables, workloads, traffic,
//! pager, chat, incident store, the leader lease and the [`Clock`](ports::Clock). All time comes
//! from the clock, so the same code runs on AWS or, with the mock crate's virtual clock, as a
//! millisecond test.
//!
//! **Who runs it?** The [`engine`]: a [`Runbook`](runbook::Runbook) bundles detectors,
//! diagnoses and an ordered mitigation ladder; an [`Engine`](engine::Engine) wires runbooks to a
//! clock, a store, the notifiers, a [`Policy`](engine::Policy) and a leader lease (or says it
//! runs alone). Each
//! [`tick`](engine::Engine::tick) detects (with hysteresis, so a flapping signal does not page),
//! opens and deduplicates incidents, pages and posts by severity, diagnoses, walks the ladder
//! behind its guardrails (mode, approval, caps, cooldown, hourly limit, kill switch, one leader
//! with a fencing token across replicas, a write-ahead intent before every step), verifies, reverts, and escalates on the runbook's clock — lead at 15
//! minutes, VP at 30 for SEV1. People act through the [`Operator`](engine::Operator) handle.
//!
//! **Which runbooks?** The [`catalog`]: the runbook's six incidents — Shadow Self endpoint down,
//! high latency, cache miss spike, budget exceeded, Bedrock throttling, DynamoDB hot partition —
//! written once against the ports, each with a config whose defaults are the runbook's values,
//! plus the "first five minutes" checks every runbook runs and the circuit breaker a host wraps
//! its Shadow Self calls in. [`catalog::all`] builds them from a [`Providers`](catalog::Providers)
//! bundle.
//!
//! **What did we learn?** The [`postmortem`]: the runbook's post-incident template, filled from
//! an incident's timeline — the same incident always renders the same bytes.
//!
//! **What went wrong?** One [`Error`] type says what failed, on which resource, and whether a
//! retry can help ([`Retry`]).

#![forbid(unsafe_code)]
#![cfg_attr(docsrs, feature(doc_cfg))]

pub mod batch;
mod bounds;
pub mod call;
pub mod catalog;
pub mod convert;
pub mod engine;
pub mod error;
pub mod incident;
#[cfg(feature = "mock")]
#[cfg_attr(docsrs, doc(cfg(feature = "mock")))]
pub mod mock;
pub mod ports;
pub mod postmortem;
pub mod runbook;
pub mod severity;
pub mod time;
pub mod timeline;
pub mod trace;

pub use error::{Error, ErrorKind, Result, Retry};
pub use incident::{
    DedupKey, IdempotencyKey, Incident, IncidentId, NewIncident, RunbookId, Status,
};
pub use runbook::{Detector, Diagnosis, Mitigation};
pub use severity::{Impact, Severity};
pub use time::Timestamp;
pub use timeline::{Actor, Entry, EntryKind, Timeline};
