//! In-memory fakes of every `cato-runbook-core` port on a virtual clock, fault injection, call
//! records, and the conformance suite every provider runs.
//!
//! # A tour
//!
//! **A world.** A [`World`] holds the simulated services of Cato's runbook — the Shadow Self
//! endpoint, CloudWatch metrics and logs, the Redis cache, the budget API, Bedrock's quotas,
//! the DynamoDB table, the orchestrator's pods, traffic controls, deployments, health events,
//! PagerDuty and Slack — built from a [`WorldConfig`] whose defaults carry the runbook's names.
//! Each port has a fake that reads and changes the world ([`World::model_endpoint`],
//! [`World::metrics`], … or all of them at once with [`World::ports`]). The fakes interact the
//! way the real services do: scale the endpoint and the p99 the metrics fake computes drops;
//! let the cache run out of memory and misses push the endpoint and the budget up.
//!
//! **Virtual time.** The world runs on a [`VirtualClock`]: a fixed start plus tokio's time. In a
//! test under `#[tokio::test(start_paused = true)]`, sleeping 30 minutes returns at once, and an
//! endpoint update still takes its 8 minutes of `Updating`. Nothing runs in the background: the
//! world brings itself up to the clock whenever it is read, and computes the metrics and logs of
//! each past minute from the state of that minute, with a seeded random source, so a test gives
//! the same numbers every run.
//!
//! **Trouble on demand.** [`World::apply`] and [`World::schedule`] change the world as an
//! incident would ([`WorldChange`]: the endpoint loses its instances, 40 % of requests fail,
//! the cache's hit ratio drops, spend reaches the limit, Bedrock throttles). The world's
//! [`Faults`] make calls fail, slow down or hang, per operation, in sequences or time windows;
//! [`FaultInjecting`] does the same in front of any provider, a real one included.
//!
//! **What happened.** Every call on a fake lands in the world's [`Calls`], with its arguments,
//! idempotency key and outcome — "scaled exactly once, to 12" is one assertion. A repeat of a
//! mutating call with the same idempotency key is answered without applying twice.
//!
//! **Do providers agree?** The [`conformance`] suite holds, port by port, the behaviour runbooks
//! rely on, as plain async checks over `&dyn Port`; the fakes pass it, so do their
//! fault-injecting wrappers, and so must every real provider.
//!
//! ```
//! use std::time::Duration;
//! use cato_runbook_core::ports::{Clock, ModelEndpoint, Workloads};
//! use cato_runbook_core::IdempotencyKey;
//! use cato_runbook_mock::{Op, World, WorldChange};
//!
//! # tokio::runtime::Builder::new_current_thread().enable_time().start_paused(true).build().unwrap().block_on(async {
//! let world = World::default();
//! world.schedule_in(
//!     Duration::from_secs(60),
//!     WorldChange::RequestRate { requests_per_minute: 3000.0 },
//! )?;
//! world.faults().on(Op::WorkloadsScale).once().transient();
//!
//! // … the code under test runs here, on `world.ports("replica-1")` and `world.clock_handle()` …
//! let key = IdempotencyKey::new("INC-1:scale-up");
//! world.model_endpoint().set_instance_count("cato-shadow-self", "primary", 50, &key).await?;
//! assert!(world.workloads().scale("cato", "cato-orchestrator", 50, &key).await.is_err());
//! world.workloads().scale("cato", "cato-orchestrator", 50, &key).await?;
//! world.clock().sleep(Duration::from_secs(30 * 60)).await;
//!
//! let calls = world.calls();
//! assert_eq!(calls.applied(Op::WorkloadsScale).len(), 1);
//! assert_eq!(world.snapshot().endpoints[0].current_instances, 50);
//! # Ok::<(), cato_runbook_core::Error>(())
//! # }).unwrap();
//! ```

#![forbid(unsafe_code)]

pub mod calls;
pub mod clock;
pub mod config;
pub mod conformance;
pub mod fakes;
pub mod fault;
pub mod gameday;
pub mod harness;
pub mod ops;
pub mod peers;
pub mod replay;
pub mod sim;
pub mod world;

pub use calls::{CallOutcome, CallRecord, Calls};
pub use clock::VirtualClock;
pub use config::WorldConfig;
pub use fakes::FakePorts;
pub use fault::{Fault, FaultInjecting, FaultInjectingLayer, FaultRule, Faults};
pub use harness::{Harness, HarnessBuilder};
pub use ops::{Op, OpMatch};
pub use world::{IDEMPOTENCY_WINDOW, World, WorldChange, WorldSnapshot};

/// The stores core already has, for convenience.
pub use cato_runbook_core::ports::{Alone, InMemoryIncidentStore};
