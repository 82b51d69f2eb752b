//! Testing incident logic against the fakes, in virtual time: break a fake world on schedule,
//! drive the engine, and assert on what it did — incidents, pages and every port call.
//!
//! The same checks belong in a `#[tokio::test(start_paused = true)]`; for whole scenarios
//! written as data, see `cato_runbook_mock::gameday` and `cato-runbook game-day`.
//!
//! `cargo run -p cato-runbook-examples --example testing_on_fakes`

#![allow(clippy::print_stdout)] // An example program prints what it sees.

use std::time::Duration;

use cato_runbook_core::catalog::{self, CatalogConfig};
use cato_runbook_core::engine::{Mode, Policy};
use cato_runbook_core::ports::Clock;
use cato_runbook_core::{Error, ErrorKind, Result, Severity, Status};
use cato_runbook_mock::config::CrashCause;
use cato_runbook_mock::world::{PagerAction, WorldChange};
use cato_runbook_mock::{Op, World, WorldConfig};

fn check(ok: bool, what: &str) -> Result<()> {
    if ok {
        println!("ok: {what}");
        Ok(())
    } else {
        Err(Error::new(
            ErrorKind::Internal,
            "example",
            format!("expected: {what}"),
        ))
    }
}

#[tokio::main(flavor = "current_thread", start_paused = true)]
async fn main() -> Result<()> {
    // A world with a fixed seed: the same run every time.
    let world = World::new(WorldConfig {
        seed: 7,
        ..WorldConfig::default()
    })?;
    let ports = world.ports("test");
    let runbook = catalog::build(
        "shadow-self-down",
        &ports.providers(world.clock_handle()),
        &CatalogConfig::default(),
    )?;
    let engine = world
        .engine_builder(&ports)
        .runbook(runbook)
        .policy(Policy::with_mode(Mode::Auto))
        .build()?;

    // At T+0 the endpoint loses every instance: a container crash loop.
    world.apply(WorldChange::EndpointLosesInstances {
        endpoint: "cato-shadow-self".into(),
        cause: CrashCause::CrashLoop,
    })?;

    // 30 virtual minutes of 30-second ticks: milliseconds of real time.
    while world.clock().elapsed() < Duration::from_secs(30 * 60) {
        engine.tick().await?;
        world.clock().sleep(Duration::from_secs(30)).await;
    }

    let incidents = ports.store.all().await?;
    check(incidents.len() == 1, "one incident")?;
    let incident = &incidents[0];
    check(incident.severity() == Severity::Sev1, "opened as SEV1")?;
    check(
        incident.status() == Status::Resolved,
        "resolved within 30 minutes",
    )?;
    let restarts = world.calls().applied(Op::EndpointUpdateConfig);
    check(
        restarts.len() == 1,
        "the endpoint was restarted exactly once",
    )?;
    check(
        restarts[0].arg_str("config") == Some("cato-shadow-self-config"),
        "on its current config",
    )?;
    let pages = world
        .pager_events()
        .into_iter()
        .filter(|p| p.action == PagerAction::Opened)
        .count();
    check(pages == 1, "on-call paged once")?;
    println!(
        "top root cause: {:?}",
        incident.root_causes().first().map(|c| &c.cause)
    );
    Ok(())
}
