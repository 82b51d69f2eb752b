//! `cato-runbook runbooks`: what the catalog holds.

use serde::Serialize;

use super::{fakes, runtime};
use crate::config::Config;
use crate::exit::Failure;
use crate::output::Out;

#[derive(Serialize)]
struct Row {
    id: &'static str,
    title: &'static str,
    enabled: bool,
    needs: Vec<&'static str>,
    detectors: Vec<String>,
    diagnoses: Vec<String>,
    ladder: Vec<String>,
    prevention: Vec<String>,
}

pub(crate) fn run(out: &mut Out, config: &Config) -> Result<(), Failure> {
    let rt = runtime()?;
    let fakes = rt.block_on(fakes(config, None))?;
    let enabled = config.enabled();
    let mut rows = Vec::new();
    for entry in cato_runbook_core::catalog::entries() {
        let runbook = (entry.build)(&fakes, &config.runbooks)?;
        rows.push(Row {
            id: entry.id,
            title: entry.title,
            enabled: enabled.iter().any(|e| e.id == entry.id),
            needs: entry.needs.iter().map(|p| p.as_str()).collect(),
            detectors: runbook
                .detectors()
                .iter()
                .map(|d| d.name().to_owned())
                .collect(),
            diagnoses: runbook
                .diagnoses()
                .iter()
                .map(|d| d.name().to_owned())
                .collect(),
            ladder: runbook
                .ladder()
                .iter()
                .map(|m| m.name().to_owned())
                .collect(),
            prevention: runbook.prevention().to_vec(),
        });
    }
    if out.json {
        return out.json(&rows);
    }
    let table = rows
        .into_iter()
        .map(|r| {
            vec![
                r.id.to_owned(),
                r.title.to_owned(),
                if r.enabled { "yes" } else { "no" }.to_owned(),
                r.ladder.join(" → "),
                r.needs.join(", "),
            ]
        })
        .collect();
    out.table(
        &["Id", "Title", "Enabled", "Mitigation ladder", "Needs"],
        table,
    )
}
