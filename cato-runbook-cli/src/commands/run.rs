//! `cato-runbook run`: the health loop as a service. The engine over the configured providers
//! (the fakes for the ports without one), the configured store (SQLite by default) and lease,
//! and the operator service on `[service] listen`; SIGTERM or SIGINT stops it gracefully: the
//! tick in hand finishes, the outbox is flushed, the lease is given up.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use cato_runbook_aws::config::Wiring;
use cato_runbook_aws::service::{Service, install_prometheus};
use cato_runbook_core::engine::Notifiers;
use cato_runbook_core::ports::{Clock, SystemClock};
use cato_runbook_core::trace::TraceStart;
use cato_runbook_mock::World;
use cato_runbook_mock::gameday::Scenario;

use crate::config::Config;
use crate::exit::Failure;
use crate::output::{HEADING, Out};

/// The flags of `run`.
pub(crate) struct Options<'a> {
    /// Where to listen instead of `[service] listen`.
    pub(crate) listen: Option<SocketAddr>,
    /// A scenario whose world (and events, on the wall clock) the fakes start from.
    pub(crate) scenario: Option<&'a PathBuf>,
}

pub(crate) fn run(out: &mut Out, config: &Config, options: &Options<'_>) -> Result<(), Failure> {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| Failure::runtime(format!("cannot start a runtime: {e}")))?;
    rt.block_on(serve(out, config, options))
}

async fn serve(out: &mut Out, config: &Config, options: &Options<'_>) -> Result<(), Failure> {
    let metrics = install_prometheus()?;
    let upkeep = metrics.clone();
    tokio::spawn(async move {
        // Histograms are drained into their buckets; without a scrape they would pile up.
        loop {
            SystemClock.sleep(std::time::Duration::from_secs(5)).await;
            upkeep.run_upkeep();
        }
    });
    let mut wiring = Wiring::from_config(config).await?;
    let real = config.providers.real();
    if real && wiring.notifiers().is_none() {
        return Err(Failure::usage(
            "with real providers, `run` needs [providers.pagerduty] and [providers.slack]: nobody would hear of an incident",
        ));
    }
    // The fakes, for every port without a real provider, on the wall clock.
    let scenario = match options.scenario {
        Some(path) => Some(Scenario::load(path).map_err(|e| Failure::usage(e.to_string()))?),
        None => None,
    };
    let mut world_config = match &scenario {
        Some(scenario) => scenario.world.clone(),
        None => crate::config::world(config)?,
    };
    world_config.start = SystemClock.now();
    let world = World::new(world_config)?;
    if let Some(scenario) = &scenario {
        for event in &scenario.events {
            let at = event.at.as_duration();
            if at.is_zero() {
                world.apply(event.change.clone())?;
            } else {
                world.schedule(world.at(at), event.change.clone())?;
            }
        }
    }
    // Every provider's answers, recorded for `cato-runbook replay` (the `[trace]` table).
    let trace = if config.trace.enabled {
        let clock: Arc<dyn Clock> = if real {
            Arc::new(SystemClock)
        } else {
            world.clock_handle()
        };
        let start = TraceStart {
            runbooks: config.enabled().iter().map(|e| e.id.to_owned()).collect(),
            policy: config.policy.clone(),
            tick: config.engine.tick_interval,
            source: format!("run on {}", wiring.replica()),
        };
        let dir = config.relative(&config.trace.dir);
        let (recorder, sink) = config
            .trace
            .recorder(&dir, wiring.replica(), clock, &start)?;
        wiring.record(recorder);
        Some(sink)
    } else {
        None
    };
    let mut ports = world.ports(wiring.replica());
    if let Some(recorder) = wiring.recorder() {
        ports = ports.traced(recorder);
    }
    let mut providers = ports.providers(world.clock_handle());
    wiring.overlay(&mut providers)?;
    if !real {
        providers.clock = world.clock_handle();
    }
    let mut builder = wiring.engine_builder(config, &providers)?;
    if wiring.notifiers().is_none() {
        builder = builder.notifiers(
            Notifiers::new(Arc::clone(&ports.pager), Arc::clone(&ports.chat))
                .with_mail(Arc::clone(&ports.mail)),
        );
    }
    let engine = builder.build()?;
    let service = Service::new(&engine, &config.service)?.with_metrics(metrics);
    let listen = options.listen.unwrap_or(config.service.listen);
    let listener = tokio::net::TcpListener::bind(listen)
        .await
        .map_err(|e| Failure::runtime(format!("cannot listen on {listen}: {e}")))?;
    let address = listener
        .local_addr()
        .map_err(|e| Failure::runtime(format!("cannot read the listening address: {e}")))?;

    let mode = config.policy.mode;
    if !out.json {
        out.line(Out::styled(HEADING, "cato-runbook run"))?;
        out.line(format!("configuration: {}", config.source()))?;
        out.line(format!(
            "mode: {mode}{}",
            match mode {
                cato_runbook_core::engine::Mode::Auto =>
                    " (steps change production within the guardrails)",
                cato_runbook_core::engine::Mode::DryRun =>
                    " (steps are planned and recorded, never applied)",
                cato_runbook_core::engine::Mode::ObserveOnly =>
                    " (detection and notification only)",
            }
        ))?;
        out.line(format!("store: {}", wiring.store_name()))?;
        if let Some(sink) = &trace {
            out.line(format!("trace: {}", sink.path().display()))?;
        }
        out.line(format!(
            "replica: {} ({})",
            wiring.replica(),
            if wiring.lease().is_some() {
                "leader by lease"
            } else {
                "alone"
            }
        ))?;
        let real_ports = wiring.describe();
        for (port, provider) in &real_ports {
            out.line(format!("  {port}: {provider}"))?;
        }
        if let Some(aws) = &config.providers.aws {
            out.line(format!("  aws: {}", aws.describe()))?;
        }
        out.line(if real_ports.is_empty() && config.providers.aws.is_none() {
            "every port on the in-memory fakes".to_owned()
        } else {
            "the in-memory fakes for every other port".to_owned()
        })?;
    }

    let (stop, stopped) = tokio::sync::watch::channel(false);
    let signals = tokio::spawn(async move {
        wait_for_signal().await;
        let _ = stop.send(true);
    });
    let operator = engine.operator();
    let server = axum::serve(listener, service.router()).with_graceful_shutdown(async move {
        let mut stopped = stopped;
        let _ = stopped.wait_for(|stopped| *stopped).await;
    });
    // The API drains first (a request in hand is answered and its change kept); then the
    // engine stops: the tick in hand ends, incidents are saved, the outbox is flushed.
    let (drained, server_done) = tokio::sync::oneshot::channel();
    tokio::spawn(async move {
        let _ = drained.send(server.await);
    });
    let (served, server) = tokio::sync::oneshot::channel();
    let health_loop = engine.run(async move {
        if let Ok(result) = server_done.await {
            let _ = served.send(result);
        }
    });
    tokio::pin!(health_loop);
    // Ready once the first tick finished: the lease answered, the store was read.
    let ticks = tokio::select! {
        ticks = &mut health_loop => Some(ticks),
        () = operator.ticked() => None,
    };
    let standing = operator.standing();
    let ready = serde_json::json!({
        "ready": true,
        "url": format!("http://{address}"),
        "replica": standing.replica,
        "leader": standing.leads,
        "mode": mode.to_string(),
    });
    if out.json {
        out.line(ready.to_string())?;
    } else {
        out.line(format!(
            "ready: listening on http://{address} ({})",
            if standing.leads {
                "leading"
            } else {
                "standing by"
            }
        ))?;
    }
    let ticks = match ticks {
        Some(ticks) => ticks,
        None => health_loop.await,
    }?;
    signals.abort();
    if let Some(sink) = &trace {
        sink.finish();
    }
    if let Ok(Err(e)) = server.await {
        return Err(Failure::runtime(format!("the service failed: {e}")));
    }
    if out.json {
        out.line(serde_json::json!({ "stopped": true, "ticks": ticks }).to_string())?;
    } else {
        out.line(format!(
            "stopped after {ticks} ticks: outbox flushed, lease given up"
        ))?;
    }
    Ok(())
}

/// SIGTERM or SIGINT (Ctrl-C).
async fn wait_for_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = term.recv() => {}
                    _ = tokio::signal::ctrl_c() => {}
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}
