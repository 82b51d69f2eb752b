//! `cato-runbook postmortem INCIDENT.json`: the runbook's template, filled from a saved incident.

use std::path::Path;

use cato_runbook_core::Incident;
use cato_runbook_core::postmortem::Postmortem;

use super::{fakes, runtime};
use crate::config::Config;
use crate::exit::Failure;
use crate::output::Out;

pub(crate) fn run(
    out: &mut Out,
    config: &Config,
    file: &Path,
    author: Option<&str>,
) -> Result<(), Failure> {
    let text = std::fs::read_to_string(file).map_err(|e| {
        Failure::usage(format!("{}: cannot read the incident: {e}", file.display()))
    })?;
    let incident: Incident = serde_json::from_str(&text)
        .map_err(|e| Failure::usage(format!("{}: not a saved incident: {e}", file.display())))?;
    let mut options = config.postmortem.clone();
    if let Some(author) = author {
        options.author = Some(author.to_owned());
    }
    // The runbook's prevention items, when the runbook is one of the catalog's.
    if let Ok(entry) = cato_runbook_core::catalog::entry(incident.runbook().as_str()) {
        let rt = runtime()?;
        let fakes = rt.block_on(fakes(config, None))?;
        if let Ok(runbook) = (entry.build)(&fakes, &config.runbooks) {
            options
                .prevention
                .extend(runbook.prevention().iter().cloned());
        }
    }
    let postmortem = Postmortem::draft(&incident, &options);
    if out.json {
        return out.json(&postmortem);
    }
    let text = postmortem.render()?;
    out.line(text.trim_end())
}
