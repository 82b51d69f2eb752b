//! `cato-runbook`: Cato's incident runbook from the command line.

use std::io::Write;

use cato_runbook_core::Severity;
use clap::{Parser, Subcommand};

/// Cato's incident runbook, executable.
#[derive(Debug, Parser)]
#[command(name = "cato-runbook", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// The severity levels: description, response time, example.
    Severity {
        /// Print JSON instead of a table.
        #[arg(long)]
        json: bool,
    },
}

fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    let mut out = std::io::stdout().lock();
    match cli.command {
        Command::Severity { json } => print_severity(&mut out, json)?,
    }
    Ok(())
}

fn print_severity(out: &mut impl Write, json: bool) -> anyhow::Result<()> {
    if json {
        let rows: Vec<_> = Severity::ALL
            .iter()
            .map(|s| {
                serde_json::json!({
                    "level": s.to_string(),
                    "description": s.description(),
                    "response_time_secs": s.response_time().as_secs(),
                    "example": s.example(),
                })
            })
            .collect();
        writeln!(out, "{}", serde_json::to_string_pretty(&rows)?)?;
        return Ok(());
    }
    writeln!(
        out,
        "{:<6} {:<38} {:<9} EXAMPLE",
        "LEVEL", "DESCRIPTION", "RESPOND"
    )?;
    for s in Severity::ALL {
        writeln!(
            out,
            "{:<6} {:<38} {:<9} {}",
            s.to_string(),
            s.description(),
            cato_runbook_core::time::HumanDuration(s.response_time()).to_string(),
            s.example()
        )?;
    }
    Ok(())
}
