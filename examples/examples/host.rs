//! A host that runs the runbook as a service from one `cato.toml`: the configured providers,
//! store and lease, the engine, and the operator API — what `cato-runbook run` does, in a
//! program of one's own (the place to add one's own runbooks, routes or exporter).
//!
//! `cargo run -p cato-runbook-examples --example host -- cato.toml`

#![allow(clippy::print_stdout)] // An example program says where it listens.

use anyhow::Context;
use cato_runbook_aws::config::{Config, Wiring};
use cato_runbook_aws::service::{Service, install_prometheus};

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let path = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "cato.toml".into());
    let config = Config::load(&path)?;
    let wiring = Wiring::from_config(&config).await?; // clients, store, lease: no I/O yet
    let engine = wiring.engine(&config, &wiring.providers()?)?;
    let service = Service::new(&engine, &config.service)?.with_metrics(install_prometheus()?);
    let listener = tokio::net::TcpListener::bind(config.service.listen)
        .await
        .with_context(|| format!("listening on {}", config.service.listen))?;
    let address = listener.local_addr()?;

    let (stop, stopped) = tokio::sync::watch::channel(false);
    let until_stopped = |mut rx: tokio::sync::watch::Receiver<bool>| async move {
        let _ = rx.wait_for(|stopped| *stopped).await;
    };
    let api = axum::serve(listener, service.router())
        .with_graceful_shutdown(until_stopped(stopped.clone()));
    let api = tokio::spawn(async move { api.await });
    tokio::spawn(async move {
        let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())?;
        tokio::select! { _ = term.recv() => {}, _ = tokio::signal::ctrl_c() => {} }
        let _ = stop.send(true);
        Ok::<_, std::io::Error>(())
    });
    let operator = engine.operator();
    let health_loop = engine.run(until_stopped(stopped)); // on shutdown: the tick ends, the outbox is flushed
    tokio::pin!(health_loop);
    tokio::select! {
        ticks = &mut health_loop => { ticks?; }
        () = operator.ticked() => println!("ready: listening on http://{address}"),
    }
    let ticks = health_loop.await?;
    api.await??;
    println!("stopped after {ticks} ticks");
    Ok(())
}
