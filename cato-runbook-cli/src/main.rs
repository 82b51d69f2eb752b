//! `cato-runbook`: Cato's incident runbook from the command line, built on the library's public
//! API only.

mod cli;
mod client;
mod commands;
mod config;
mod exit;
mod output;
mod providers;

use std::process::ExitCode;

use clap::Parser;

use cli::{Cli, Command};
#[cfg(feature = "providers")]
use commands::run;
use commands::{
    check, diagnose, game_day, iam_policy, mitigate, postmortem, replay, runbooks, severity,
};
use exit::Failure;
use output::{FAIL, Out};

/// mimalloc, not the system allocator: a tick allocates about 15 small blocks a detector, and
/// glibc's malloc costs more for each as the heap grows (a canned tick of 8,000 detectors takes
/// about 4 × the CPU on it: BENCHMARKS.md, "A fleet").
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let cli = Cli::parse();
    logging(&cli.global);
    let mut out = Out::new(cli.global.json);
    match run(&cli, &mut out) {
        Ok(()) => ExitCode::SUCCESS,
        Err(failure) => {
            let mut err = anstream::stderr();
            let _ = if cli.global.json {
                let body = serde_json::json!({
                    "error": { "message": failure.message, "exit_code": failure.code }
                });
                std::io::Write::write_fmt(&mut err, format_args!("{body}\n"))
            } else {
                std::io::Write::write_fmt(
                    &mut err,
                    format_args!("{} {failure}\n", Out::styled(FAIL, "error:")),
                )
            };
            failure.exit_code()
        }
    }
}

/// Logs on stderr: `--log-level`, else RUST_LOG, else the -v count (warnings by default).
fn logging(global: &cli::Global) {
    use tracing_subscriber::EnvFilter;
    let filter = match (&global.log_level, std::env::var("RUST_LOG")) {
        (Some(level), _) => EnvFilter::try_new(level),
        (None, Ok(env)) if !env.trim().is_empty() => EnvFilter::try_new(env),
        _ => EnvFilter::try_new(match global.verbose {
            0 => "warn",
            1 => "info",
            2 => "debug",
            _ => "trace",
        }),
    }
    .unwrap_or_else(|_| EnvFilter::new("warn"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .try_init();
}

fn run(cli: &Cli, out: &mut Out) -> Result<(), Failure> {
    match &cli.command {
        Command::Client(command) => return client::run(out, &cli.server, command),
        Command::Completions { shell } => {
            let mut command = <Cli as clap::CommandFactory>::command();
            clap_complete::generate(*shell, &mut command, "cato-runbook", &mut std::io::stdout());
            return Ok(());
        }
        Command::Man => {
            let command = <Cli as clap::CommandFactory>::command();
            clap_mangen::Man::new(command).render(&mut std::io::stdout())?;
            return Ok(());
        }
        _ => {}
    }
    let config = config::load(cli.global.config.as_deref())?;
    match &cli.command {
        Command::GameDay {
            scenarios,
            seed,
            out: dir,
            quiet,
            record,
        } => game_day::run(
            out,
            &config,
            &game_day::Options {
                scenarios,
                seed: *seed,
                out_dir: dir.as_deref(),
                quiet: *quiet,
                record: record.as_deref(),
            },
        ),
        Command::Replay { trace, to_scenario } => {
            replay::run(out, &config, trace, to_scenario.as_deref())
        }
        Command::Runbooks => runbooks::run(out, &config),
        Command::Severity => severity::run(out),
        Command::Diagnose {
            runbook,
            all: _,
            resource,
            world,
        } => diagnose::run(out, &config, runbook.as_deref(), resource.as_deref(), world),
        Command::Mitigate {
            runbook,
            resource,
            step,
            dry_run: _,
            apply,
            world,
        } => mitigate::run(
            out,
            &config,
            &mitigate::Options {
                runbook,
                resource: resource.as_deref(),
                step: step.as_deref(),
                apply: *apply,
                world,
            },
        ),
        Command::Postmortem { incident, author } => {
            postmortem::run(out, &config, incident, author.as_deref())
        }
        Command::Check { offline } => check::run(out, &config, *offline),
        #[cfg(feature = "providers")]
        Command::Run { listen, scenario } => run::run(
            out,
            &config,
            &run::Options {
                listen: *listen,
                scenario: scenario.as_ref(),
            },
        ),
        #[cfg(not(feature = "providers"))]
        Command::Run { .. } => Err(providers::missing("`run` (the service)")),
        Command::Client(_) | Command::Completions { .. } | Command::Man => Ok(()),
        Command::IamPolicy {
            runbooks,
            read_only,
            per_runbook,
        } => iam_policy::run(
            out,
            &config,
            &iam_policy::Options {
                runbooks,
                read_only: *read_only,
                per_runbook: *per_runbook,
            },
        ),
    }
}
