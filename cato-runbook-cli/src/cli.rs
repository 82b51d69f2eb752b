//! The command line: subcommands, flags and the help that teaches them.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

/// Cato's incident runbook, executable.
///
/// The library notices the runbook's symptoms, opens incidents with its severity, diagnoses,
/// walks each runbook's mitigation ladder behind guardrails, escalates on schedule and drafts
/// the postmortem. This command runs it on the in-memory fakes (game days), shows what it knows,
/// and runs single runbooks by hand.
///
/// Exit codes: 0 success; 1 a game-day expectation failed; 2 bad usage, configuration or input
/// (a missing or malformed file); 3 a provider or runtime failure.
#[derive(Debug, Parser)]
#[command(name = "cato-runbook", version, propagate_version = true)]
pub(crate) struct Cli {
    #[command(flatten)]
    pub(crate) global: Global,
    #[command(flatten)]
    pub(crate) server: crate::client::ServerArgs,
    #[command(subcommand)]
    pub(crate) command: Command,
}

/// Flags every subcommand takes.
#[derive(Debug, Args)]
pub(crate) struct Global {
    /// Configuration file (TOML): thresholds, caps, escalation contacts, providers.
    #[arg(long, global = true, env = "CATO_RUNBOOK_CONFIG", value_name = "FILE")]
    pub(crate) config: Option<PathBuf>,
    /// Print JSON instead of tables and text (errors too).
    #[arg(long, global = true)]
    pub(crate) json: bool,
    /// More log output on stderr: -v info, -vv debug, -vvv trace (default: warnings).
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    pub(crate) verbose: u8,
    /// The log filter, as RUST_LOG takes it (`info`, `cato_runbook_core=debug,warn`); beats
    /// -v and RUST_LOG.
    #[arg(long, global = true, value_name = "FILTER")]
    pub(crate) log_level: Option<String>,
}

#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// Run game-day scenarios on the fakes: print each timeline and verdict, write postmortems.
    ///
    /// Each scenario breaks a fake world on schedule (an endpoint loses its instances, the
    /// budget runs out, Bedrock throttles) and checks what the engine does, in virtual time:
    /// a 45-minute incident takes milliseconds. With no SCENARIO, every `*.toml` file in
    /// `scenarios/` runs.
    #[command(name = "game-day")]
    GameDay {
        /// Scenario files or folders of them.
        #[arg(value_name = "SCENARIO")]
        scenarios: Vec<PathBuf>,
        /// Seed for every random draw (overrides the scenarios' own).
        #[arg(long)]
        seed: Option<u64>,
        /// Write each incident's postmortem (`.md`) and the incident itself (`.json`, for
        /// `cato-runbook postmortem`) into this folder.
        #[arg(long, value_name = "DIR")]
        out: Option<PathBuf>,
        /// Print only the verdicts, not the timelines.
        #[arg(long)]
        quiet: bool,
        /// Record every port call of each scenario into a trace (`DIR/<scenario>.jsonl`), for
        /// `cato-runbook replay`.
        #[arg(long, value_name = "DIR")]
        record: Option<PathBuf>,
    },
    /// Run the engine again, in virtual time, on a recorded trace and print its decisions.
    ///
    /// Every provider call is answered from the trace (`run` records one by default, see
    /// `[trace]`; `game-day --record` too), in order, and the engine ticks when the recording
    /// did, with the runbooks' settings of this configuration: a changed runbook shows what it
    /// would have done then. A call the trace does not hold is named, and the exit code is 1.
    /// With `--to-scenario`, the decisions become a game-day scenario on the trace.
    Replay {
        /// The trace (JSON lines).
        #[arg(value_name = "TRACE")]
        trace: PathBuf,
        /// Write a game-day scenario that expects these decisions and runs on the trace.
        #[arg(long, value_name = "FILE")]
        to_scenario: Option<PathBuf>,
    },
    /// The runbooks the library knows: id, title, ladder, what each needs.
    Runbooks,
    /// The severity levels: description, response time, example.
    Severity,
    /// Run a runbook's diagnoses, or every enabled runbook's, and print the findings and ranked
    /// root causes.
    ///
    /// With no RUNBOOK (or `--all`), every enabled runbook is diagnosed on its own resource,
    /// all diagnoses at once: the whole takes as long as the slowest one. One section per
    /// runbook, in the catalog's order; with `--json`, an array. A diagnosis that fails is
    /// printed with the rest. Against the configured providers: the fakes unless real
    /// providers are configured. On the fakes, `--scenario` sets the world up as a scenario
    /// leaves it `--at` a time.
    Diagnose {
        /// The runbook's id (see `cato-runbook runbooks`); every enabled runbook without one.
        runbook: Option<String>,
        /// Every enabled runbook (the default without RUNBOOK).
        #[arg(long, conflicts_with = "runbook")]
        all: bool,
        /// The resource to diagnose; the runbook's own by default (only with RUNBOOK).
        #[arg(long, conflicts_with = "all")]
        resource: Option<String>,
        #[command(flatten)]
        world: WorldArgs,
    },
    /// Plan a runbook's next mitigation step (before → after); nothing changes.
    ///
    /// The step is the ladder's first whose precondition holds on a fresh diagnosis. Steps are
    /// applied only by the running service (`run`), under the engine's guardrails: declare the
    /// incident there and approve the step.
    Mitigate {
        /// The runbook's id.
        runbook: String,
        /// The resource; the runbook's own by default.
        #[arg(long)]
        resource: Option<String>,
        /// Plan a given step instead of the next applicable one.
        #[arg(long)]
        step: Option<String>,
        /// Print the plan and stop (the default).
        #[arg(long, conflicts_with = "apply")]
        dry_run: bool,
        /// No longer applies here: a step is applied by the running service under its
        /// guardrails (see `declare` and `approve`).
        #[arg(long, hide = true)]
        apply: bool,
        #[command(flatten)]
        world: WorldArgs,
    },
    /// Render the postmortem of a saved incident (JSON, as the incident store keeps it).
    Postmortem {
        /// The incident file.
        incident: PathBuf,
        /// Author's name (otherwise the draft says it is automated).
        #[arg(long)]
        author: Option<String>,
    },
    /// Validate the configuration, say what each enabled runbook needs, then make one light
    /// read of every configured peer (the AWS credentials, the store, Redis, Kubernetes, the
    /// admin API, PagerDuty, Slack, SendGrid, CloudWatch, SageMaker), all at once, one line
    /// each. Exits 5 when a peer fails.
    Check {
        /// Check the file alone: no peer is contacted.
        #[arg(long)]
        offline: bool,
    },
    /// Run the health loop as a service: the engine over the configured providers, store and
    /// lease, with the operator API, the status page and /metrics.
    ///
    /// Prints the policy's mode at start, and `ready: listening on URL` once the first tick
    /// finished. SIGTERM or SIGINT stops it gracefully: the tick in hand finishes, the outbox
    /// is flushed and the lease is given up. Ports without a real provider use the in-memory
    /// fakes (on the wall clock); with any real provider, PagerDuty and Slack must be
    /// configured.
    Run {
        /// Listen here instead of `[service] listen` (port 0: any free port).
        #[arg(long, value_name = "ADDR")]
        listen: Option<std::net::SocketAddr>,
        /// Start the fakes from this scenario's world; its events happen on the wall clock.
        #[arg(long, value_name = "FILE")]
        scenario: Option<PathBuf>,
    },
    /// Print a shell's completion script (bash, zsh, fish, elvish, powershell).
    Completions {
        /// The shell.
        shell: Shell,
    },
    /// Print the man page (roff) of the command.
    Man,
    #[command(flatten)]
    Client(crate::client::ClientCommand),
    /// Print the least-privilege IAM policy (JSON) for the AWS actions the runbooks' providers
    /// call: the enabled runbooks, or those named.
    #[command(name = "iam-policy")]
    IamPolicy {
        /// Runbook ids (default: the enabled ones).
        #[arg(value_name = "RUNBOOK")]
        runbooks: Vec<String>,
        /// Only what diagnosis and dry runs read, not what applying a mitigation changes.
        #[arg(long)]
        read_only: bool,
        /// One policy per runbook, by id.
        #[arg(long)]
        per_runbook: bool,
    },
}

/// The shells `completions` writes for.
pub(crate) use clap_complete::Shell;

/// Where the fakes' world comes from, for `diagnose` and `mitigate`.
#[derive(Debug, Args)]
pub(crate) struct WorldArgs {
    /// Set the fake world up as this scenario leaves it (its events applied).
    #[arg(long, value_name = "FILE")]
    pub(crate) scenario: Option<PathBuf>,
    /// How far into the scenario to look (e.g. `5m`).
    #[arg(long, value_name = "TIME", default_value = "5m", value_parser = humantime::parse_duration)]
    pub(crate) at: std::time::Duration,
}
