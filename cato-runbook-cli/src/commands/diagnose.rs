//! `cato-runbook diagnose [RUNBOOK]`: run a runbook's diagnoses, or every enabled runbook's at
//! once, and print what they found.

use cato_runbook_core::runbook::{Diagnosed, Runbook};

use super::{configured, diagnose, resource_of, runbook, runtime_for};
use crate::cli::WorldArgs;
use crate::config::Config;
use crate::exit::Failure;
use crate::output::{HEADING, Out};

/// Diagnoses the runbook `id` (on `resource`, its own by default), or with no `id` every
/// enabled runbook, each on its own resource, all concurrently. A failed diagnosis is printed
/// with the rest; it is not a failure of the command.
pub(crate) fn run(
    out: &mut Out,
    config: &Config,
    id: Option<&str>,
    resource: Option<&str>,
    world: &WorldArgs,
) -> Result<(), Failure> {
    if id.is_none() && resource.is_some() {
        return Err(Failure::usage(
            "--resource names one runbook's resource: give the runbook, not --all",
        ));
    }
    let rt = runtime_for(config)?;
    let diagnosed = rt.block_on(async {
        let fakes = configured(config, Some(world)).await?;
        let runbooks = match id {
            Some(id) => vec![runbook(config, &fakes, id)?],
            None => config
                .enabled()
                .iter()
                .map(|entry| runbook(config, &fakes, entry.id))
                .collect::<Result<Vec<Runbook>, Failure>>()?,
        };
        let resources: Vec<String> = runbooks.iter().map(|r| resource_of(r, resource)).collect();
        let targets: Vec<(&Runbook, &str)> = runbooks
            .iter()
            .zip(&resources)
            .map(|(r, resource)| (r, resource.as_str()))
            .collect();
        Ok::<_, Failure>(diagnose(config, &fakes, &targets).await)
    })?;
    match (out.json, id, diagnosed.as_slice()) {
        (true, Some(_), [one]) => out.json(one),
        (true, ..) => out.json(&diagnosed),
        (false, ..) => {
            for (i, d) in diagnosed.iter().enumerate() {
                if i > 0 {
                    out.line("")?;
                }
                print(out, d)?;
            }
            Ok(())
        }
    }
}

pub(crate) fn print(out: &mut Out, d: &Diagnosed) -> Result<(), Failure> {
    out.line(Out::styled(
        HEADING,
        format!("{} on {}", d.runbook, d.resource),
    ))?;
    let rows = d
        .findings
        .iter()
        .map(|f| {
            let facts: Vec<String> = f.facts.iter().map(|(k, v)| format!("{k}={v}")).collect();
            vec![f.source.clone(), f.summary.clone(), facts.join(" ")]
        })
        .collect();
    out.table(&["Diagnosis", "Finding", "Facts"], rows)?;
    if !d.root_causes.is_empty() {
        out.line(Out::styled(HEADING, "Likely root causes"))?;
        for (i, cause) in d.root_causes.iter().enumerate() {
            out.line(format!(
                "{}. {} ({:.0} %)",
                i + 1,
                cause.cause,
                cause.confidence * 100.0
            ))?;
            for line in &cause.evidence {
                out.line(format!("   evidence: {line}"))?;
            }
        }
    }
    for failure in &d.failures {
        out.line(format!("diagnosis failed: {failure}"))?;
    }
    Ok(())
}
