//! `cato-moto-proxy`: the translating proxy of `cato_runbook_mock::peers::moto_proxy` in front
//! of a running moto server, as a peer of its own (what `scripts/peers/moto.sh` starts).
//!
//! ```text
//! cato-moto-proxy --moto http://127.0.0.1:5000 [--port 0] [--quota bedrock/L-XXXXXXXX=10000]
//! ```
//!
//! Once it listens it prints its URL (`http://127.0.0.1:PORT`) on one line of stdout; logs go
//! to stderr. It serves until it is stopped.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::process::ExitCode;

use clap::Parser;

use cato_runbook_mock::peers::moto_proxy::{Proxy, SeededQuota};

/// The translating proxy in front of moto: CloudWatch over CBOR with percentiles, SageMaker
/// UpdateEndpoint, Service Quotas increase requests and seeded quotas, ElastiCache node types.
#[derive(Debug, Parser)]
#[command(name = "cato-moto-proxy", version)]
struct Args {
    /// The moto server's URL.
    #[arg(long, env = "CATO_TEST_MOTO_URL")]
    moto: String,
    /// The address to listen on.
    #[arg(long, default_value_t = IpAddr::V4(Ipv4Addr::LOCALHOST))]
    host: IpAddr,
    /// The port to listen on; 0 for a free one.
    #[arg(long, default_value_t = 0)]
    port: u16,
    /// A quota moto has no data for, answered by the proxy: SERVICE/CODE=VALUE[/NAME]
    /// (repeatable).
    #[arg(long = "quota", value_name = "SERVICE/CODE=VALUE[/NAME]")]
    quotas: Vec<SeededQuota>,
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
#[allow(clippy::print_stdout, clippy::print_stderr)] // The URL is its answer; a failure says why.
async fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_max_level(tracing::Level::INFO)
        .init();
    let args = Args::parse();
    let addr = SocketAddr::new(args.host, args.port);
    let proxy = match Proxy::start_on(addr, &args.moto, args.quotas).await {
        Ok(proxy) => proxy,
        Err(e) => {
            eprintln!("cato-moto-proxy: {e}");
            return ExitCode::FAILURE;
        }
    };
    println!("{}", proxy.url());
    tracing::info!(url = proxy.url(), moto = %args.moto, "listening");
    std::future::pending::<()>().await;
    ExitCode::SUCCESS
}
