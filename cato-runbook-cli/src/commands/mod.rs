//! One module per subcommand, and what they share: a runtime on virtual time and a fake world.

pub(crate) mod check;
pub(crate) mod diagnose;
pub(crate) mod game_day;
pub(crate) mod iam_policy;
pub(crate) mod mitigate;
pub(crate) mod postmortem;
pub(crate) mod replay;
#[cfg(feature = "providers")]
pub(crate) mod run;
pub(crate) mod runbooks;
pub(crate) mod severity;

use cato_runbook_core::IncidentId;
use cato_runbook_core::catalog::{self, Providers};
use cato_runbook_core::runbook::{Diagnosed, Runbook, diagnose_all};
use cato_runbook_mock::World;
use cato_runbook_mock::gameday::Scenario;

use crate::cli::WorldArgs;

use crate::config::Config;
use crate::exit::Failure;

/// A current-thread runtime whose time is paused: the fakes run on virtual time.
pub(crate) fn runtime() -> Result<tokio::runtime::Runtime, Failure> {
    tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .start_paused(true)
        .build()
        .map_err(|e| Failure::runtime(format!("cannot start a runtime: {e}")))
}

/// A runtime for commands that may talk to real providers: on virtual time with the fakes
/// alone, on the wall clock when a real provider is configured.
pub(crate) fn runtime_for(config: &Config) -> Result<tokio::runtime::Runtime, Failure> {
    if !config.providers.real() {
        return runtime();
    }
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| Failure::runtime(format!("cannot start a runtime: {e}")))
}

/// The ports as configured: the fakes, with the configured real providers in their place.
pub(crate) async fn configured(
    config: &Config,
    args: Option<&WorldArgs>,
) -> Result<Providers, Failure> {
    let real = config.providers.real();
    if real && args.is_some_and(|a| a.scenario.is_some()) {
        return Err(Failure::usage(
            "--scenario sets up the fakes; it cannot be used with real providers configured",
        ));
    }
    let mut providers = fakes(config, args.filter(|_| !real)).await?;
    crate::providers::overlay(config, &mut providers).await?;
    Ok(providers)
}

/// The ports of a fake world set up as the configuration (or a scenario) says; with a
/// scenario, its events are applied up to `args.at`.
pub(crate) async fn fakes(config: &Config, args: Option<&WorldArgs>) -> Result<Providers, Failure> {
    let scenario = match args.and_then(|a| a.scenario.as_ref()) {
        Some(path) => Some(Scenario::load(path).map_err(|e| Failure::usage(e.to_string()))?),
        None => None,
    };
    let world_config = match &scenario {
        Some(s) => s.world.clone(),
        None => crate::config::world(config)?,
    };
    let world = World::new(world_config)?;
    if let (Some(scenario), Some(args)) = (&scenario, args) {
        for event in &scenario.events {
            world.schedule(world.at(event.at.as_duration()), event.change.clone())?;
        }
        world.clock().sleep_until(world.at(args.at)).await;
    }
    let ports = world.ports("cli");
    Ok(ports.providers(world.clock_handle()))
}

/// Builds an enabled runbook by id.
pub(crate) fn runbook(
    config: &Config,
    providers: &Providers,
    id: &str,
) -> Result<Runbook, Failure> {
    let entry = catalog::entry(id).map_err(|e| Failure::usage(e.message().to_owned()))?;
    if !config.enabled().iter().any(|e| e.id == entry.id) {
        return Err(Failure::usage(format!(
            "runbook {id} is not enabled in {}",
            config.source()
        )));
    }
    Ok((entry.build)(providers, &config.runbooks)?)
}

/// The resource a runbook watches (its first detector's), or `fallback`.
pub(crate) fn resource_of(runbook: &Runbook, fallback: Option<&str>) -> String {
    fallback
        .map(str::to_owned)
        .or_else(|| runbook.detectors().first().map(|d| d.resource().to_owned()))
        .unwrap_or_else(|| runbook.id().to_string())
}

/// Runs the diagnoses of every `(runbook, resource)` of `targets` at once, each bounded by the
/// engine's diagnosis timeout, under one incident id made of the clock's time.
pub(crate) async fn diagnose(
    config: &Config,
    providers: &Providers,
    targets: &[(&Runbook, &str)],
) -> Vec<Diagnosed> {
    let clock = providers.clock.as_ref();
    let incident = IncidentId::new(format!("CLI-{}", clock.now().format("%Y%m%d%H%M%S")));
    diagnose_all(clock, config.engine.timeouts.diagnosis, &incident, targets).await
}
