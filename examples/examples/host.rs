//! A host that runs the runbook as a service from one `cato.toml`: the configured providers,
//! store and lease, the engine, and the operator API — what `cato-runbook run` does, in a
//! program of one's own (the place to add one's own runbooks, routes or exporter).
//!
//! `cargo run -p cato-runbook-examples --example host -- cato.toml`

#![allow(clippy::print_stdout, clippy::print_stderr)] // An example program says what it does.

use anyhow::Context;
use cato_runbook_aws::config::{Config, Wiring};
use cato_runbook_aws::service::{Service, install_prometheus};

/// As `cato-runbook run`: mimalloc, not the system allocator. A tick allocates about 15 small
/// blocks a detector; on glibc's malloc a tick of 8,000 detectors takes about 4 × the CPU it
/// takes on mimalloc (BENCHMARKS.md, "A fleet").
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let path = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "cato.toml".into());
    let config = Config::load(&path)?;
    let wiring = Wiring::from_config(&config).await?; // clients (connect on first use), store, lease
    let engine = wiring.engine(&config, &wiring.providers()?)?;
    let service = Service::new(&engine, &config.service)?.with_metrics(install_prometheus()?);
    let listener = tokio::net::TcpListener::bind(config.service.listen)
        .await
        .with_context(|| format!("listening on {}", config.service.listen))?;
    let address = listener.local_addr()?;

    let (stop, stopped) = tokio::sync::watch::channel(false);
    tokio::spawn(async move {
        let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())?;
        tokio::select! { _ = term.recv() => {}, _ = tokio::signal::ctrl_c() => {} }
        let _ = stop.send(true);
        Ok::<_, std::io::Error>(())
    });
    let api = axum::serve(listener, service.router()).with_graceful_shutdown(async move {
        let mut stopped = stopped;
        let _ = stopped.wait_for(|stopped| *stopped).await;
    });
    let (drained, api_done) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(async move {
        if let Err(e) = api.await {
            eprintln!("the API failed: {e}");
        }
        let _ = drained.send(());
    });
    // The API drains first; then the engine stops: the tick in hand ends, every open incident
    // is saved, the outbox is flushed, the lease is given up.
    let operator = engine.operator();
    let health_loop = engine.run(async move {
        let _ = api_done.await;
    });
    tokio::pin!(health_loop);
    let ticks = tokio::select! {
        ticks = &mut health_loop => ticks?,
        () = operator.ticked() => {
            println!("ready: listening on http://{address}");
            health_loop.await?
        }
    };
    println!("stopped after {ticks} ticks");
    Ok(())
}
