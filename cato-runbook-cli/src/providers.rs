//! What this build of the command talks to: every real provider (the default `providers`
//! feature), or the in-memory fakes alone (`--no-default-features`, which builds in a
//! fraction of the time). Without the providers, `run` and the operator API's clients still
//! parse (the help and the man page are the same) and are refused with a usage error, and a
//! configuration that names a real provider is refused where the providers would be built,
//! naming its tables: never silently run on the fakes instead.

use cato_runbook_core::catalog::Providers;

use crate::config::Config;
use crate::exit::Failure;

/// `(port, provider)` for each real provider, as `check` lists them.
pub(crate) type Described = Vec<(&'static str, String)>;

/// Puts the configured real providers into `providers` in place of the fakes; what each port
/// got.
#[cfg(feature = "providers")]
pub(crate) async fn overlay(
    config: &Config,
    providers: &mut Providers,
) -> Result<Described, Failure> {
    let wiring = cato_runbook_aws::config::Wiring::reading(config).await?;
    wiring.overlay(providers)?;
    Ok(wiring.describe())
}

/// One peer's live read, as `check` prints it.
#[derive(Debug, serde::Serialize)]
pub(crate) struct Live {
    pub(crate) peer: String,
    pub(crate) read: &'static str,
    pub(crate) ok: bool,
    pub(crate) detail: String,
    #[serde(skip)]
    pub(crate) line: String,
}

/// One light read of every configured peer, all at once, each within the preflight's
/// timeout; `None` in a build without the providers.
#[cfg(feature = "providers")]
pub(crate) async fn preflight(config: &Config) -> Option<Vec<Live>> {
    use cato_runbook_aws::preflight;
    let probes = preflight::probes(config).await;
    let outcomes = preflight::run(
        probes,
        &cato_runbook_core::ports::SystemClock,
        preflight::DEFAULT_TIMEOUT,
    )
    .await;
    Some(
        outcomes
            .into_iter()
            .map(|o| Live {
                line: o.line(),
                peer: o.peer,
                read: o.read,
                ok: o.ok,
                detail: o.detail,
            })
            .collect(),
    )
}

/// This build has no real provider, so no peer to read.
#[cfg(not(feature = "providers"))]
pub(crate) async fn preflight(_config: &Config) -> Option<Vec<Live>> {
    None
}

/// This build has no real provider: the fakes stay, and a configuration naming one is refused.
#[cfg(not(feature = "providers"))]
pub(crate) async fn overlay(
    config: &Config,
    _providers: &mut Providers,
) -> Result<Described, Failure> {
    match config.providers.real_tables().as_slice() {
        [] => Ok(Vec::new()),
        tables => Err(missing(&format!(
            "{}: {}",
            config.source(),
            tables.join(", ")
        ))),
    }
}

/// `what` needs the real providers, which this build lacks: a usage error saying how to get
/// them.
#[cfg(not(feature = "providers"))]
pub(crate) fn missing(what: &str) -> Failure {
    Failure::usage(format!(
        "{what}: the real providers are not in this build (it is built on the in-memory fakes \
         alone, without the `providers` feature); build cato-runbook with its default \
         features: `cargo install cato-runbook-cli`, or `cargo run -p cato-runbook-cli -- …`"
    ))
}
