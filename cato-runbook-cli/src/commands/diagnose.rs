//! `cato-runbook diagnose RUNBOOK`: run a runbook's diagnoses and print what they found.

use cato_runbook_core::ports::Clock;

use super::{Diagnosed, configured, diagnose, resource_of, runbook, runtime_for};
use crate::cli::WorldArgs;
use crate::config::Config;
use crate::exit::Failure;
use crate::output::{HEADING, Out};

pub(crate) fn run(
    out: &mut Out,
    config: &Config,
    id: &str,
    resource: Option<&str>,
    world: &WorldArgs,
) -> Result<(), Failure> {
    let rt = runtime_for(config)?;
    let diagnosed = rt.block_on(async {
        let fakes = configured(config, Some(world)).await?;
        let runbook = runbook(config, &fakes, id)?;
        let resource = resource_of(&runbook, resource);
        Ok::<_, Failure>(diagnose(&runbook, &resource, fakes.clock.now()).await)
    })?;
    if out.json {
        return out.json(&diagnosed);
    }
    print(out, &diagnosed)
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
