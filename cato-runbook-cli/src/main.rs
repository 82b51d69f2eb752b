//! `cato-runbook`: Cato's incident runbook from the command line, built on the library's public
//! API only.

mod cli;
mod commands;
mod config;
mod exit;
mod output;

use std::process::ExitCode;

use clap::Parser;

use cli::{Cli, Command};
use commands::{check, diagnose, game_day, iam_policy, mitigate, postmortem, runbooks, severity};
use exit::Failure;
use output::{FAIL, Out};

fn main() -> ExitCode {
    let cli = Cli::parse();
    let mut out = Out::new(cli.global.json);
    match run(&cli, &mut out) {
        Ok(()) => ExitCode::SUCCESS,
        Err(failure) => {
            let mut err = anstream::stderr();
            let _ = std::io::Write::write_fmt(
                &mut err,
                format_args!("{} {failure}\n", Out::styled(FAIL, "error:")),
            );
            failure.exit_code()
        }
    }
}

fn run(cli: &Cli, out: &mut Out) -> Result<(), Failure> {
    let config = config::load(cli.global.config.as_deref())?;
    match &cli.command {
        Command::GameDay {
            scenarios,
            seed,
            out: dir,
            quiet,
        } => game_day::run(
            out,
            &config,
            &game_day::Options {
                scenarios,
                seed: *seed,
                out_dir: dir.as_deref(),
                quiet: *quiet,
            },
        ),
        Command::Runbooks => runbooks::run(out, &config),
        Command::Severity => severity::run(out),
        Command::Diagnose {
            runbook,
            resource,
            world,
        } => diagnose::run(out, &config, runbook, resource.as_deref(), world),
        Command::Mitigate {
            runbook,
            resource,
            step,
            dry_run: _,
            apply,
            approve,
            world,
        } => mitigate::run(
            out,
            &config,
            &mitigate::Options {
                runbook,
                resource: resource.as_deref(),
                step: step.as_deref(),
                apply: *apply,
                approve: *approve,
                world,
            },
        ),
        Command::Postmortem { incident, author } => {
            postmortem::run(out, &config, incident, author.as_deref())
        }
        Command::Check => check::run(out, &config),
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
