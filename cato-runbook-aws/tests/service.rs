//! The operator service in process: every route through the router, on an engine over the
//! fakes in virtual time — roles, bad bodies, unknown incidents, PagerDuty's signatures.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

#[path = "service/hooks.rs"]
mod hooks;
#[path = "service/rig.rs"]
mod rig;
#[path = "service/routes.rs"]
mod routes;
