//! Embedding the engine in a host's health loop: wire the runbooks and providers once, let
//! `Engine::run` tick until shutdown, and act as the on-call engineer through the operator API.
//!
//! A real host wires `cato-runbook-aws` providers and stops on SIGTERM; this example wires the
//! in-memory fakes and runs on virtual time, so 40 minutes of incident take a blink.
//!
//! `cargo run -p cato-runbook-examples --example health_loop`

#![allow(clippy::print_stdout)] // An example program prints what it sees.

use std::time::Duration;

use cato_runbook_core::catalog::{self, CatalogConfig};
use cato_runbook_core::engine::{EngineConfig, Mode, Policy};
use cato_runbook_core::{Result, Severity};
use cato_runbook_mock::World;
use cato_runbook_mock::config::CrashCause;
use cato_runbook_mock::world::WorldChange;

#[tokio::main(flavor = "current_thread", start_paused = true)]
async fn main() -> Result<()> {
    // The host's wiring. In production: AWS, Redis, Kubernetes and HTTP providers, the system
    // clock, a durable store (SQLite, DynamoDB) and a leader lease (DynamoDB, Kubernetes).
    let world = World::default();
    let ports = world.ports("orchestrator-0");
    let runbooks = catalog::all(
        &ports.providers(world.clock_handle()),
        &CatalogConfig::default(),
    )?;
    let engine = world
        .engine_builder(&ports)
        .runbooks(runbooks)
        .policy(Policy::with_mode(Mode::Auto))
        .config(EngineConfig::default())
        .build()?;
    let operator = engine.operator();

    // Two minutes in, the Shadow Self endpoint loses every instance.
    world.schedule_in(
        Duration::from_secs(120),
        WorldChange::EndpointLosesInstances {
            endpoint: "cato-shadow-self".into(),
            cause: CrashCause::Oom,
        },
    )?;

    // The health loop runs until the host shuts down; meanwhile, the on-call engineer works.
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let on_call = async {
        world
            .clock()
            .sleep_until(world.at(Duration::from_secs(6 * 60)))
            .await;
        for incident in operator.open_incidents().await? {
            println!(
                "paged: {} {} {}",
                incident.id(),
                incident.severity(),
                incident.title()
            );
            operator.acknowledge(incident.id(), "alice").await?;
            if incident.severity() == Severity::Sev1 {
                operator
                    .note(
                        incident.id(),
                        "alice",
                        "watching the restart from the dashboard",
                    )
                    .await?;
            }
        }
        world
            .clock()
            .sleep_until(world.at(Duration::from_secs(40 * 60)))
            .await;
        let _ = stop.send(()); // SIGTERM, in a real host.
        Ok::<_, cato_runbook_core::Error>(())
    };
    let shutdown = async {
        let _ = stopped.await;
    };
    let (ticks, script) = tokio::join!(engine.run(shutdown), on_call);
    script?;
    println!("health loop stopped cleanly after {} ticks", ticks?);

    for incident in ports.store.all().await? {
        println!(
            "{} {} {} — detected {}, resolved {:?}",
            incident.id(),
            incident.severity(),
            incident.status(),
            incident.detected_at().format("%H:%M:%S"),
            incident
                .phases()
                .resolved
                .map(|t| t.format("%H:%M:%S").to_string()),
        );
        for entry in incident.timeline() {
            println!("  {entry}");
        }
    }
    Ok(())
}
