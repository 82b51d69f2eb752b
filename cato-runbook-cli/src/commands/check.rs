//! `cato-runbook check`: validate the configuration, say what each enabled runbook needs.

use serde::Serialize;

use super::{fakes, runtime_for};
use cato_runbook_aws::config::ProviderKind;

use crate::config::Config;
use crate::exit::Failure;
use crate::output::{FAIL, Out, PASS};

#[derive(Serialize)]
struct Row {
    runbook: &'static str,
    needs: Vec<&'static str>,
    missing: Vec<&'static str>,
    ok: bool,
    error: Option<String>,
}

pub(crate) fn run(out: &mut Out, config: &Config) -> Result<(), Failure> {
    let rt = runtime_for(config)?;
    let (fakes, real) = rt.block_on(async {
        let mut ports = fakes(config, None).await?;
        let real = crate::providers::overlay(config, &mut ports).await?;
        Ok::<_, Failure>((ports, real))
    })?;
    let mut rows = Vec::new();
    for entry in config.enabled() {
        let missing: Vec<_> = fakes
            .missing(entry.needs)
            .iter()
            .map(|p| p.as_str())
            .collect();
        let error = (entry.build)(&fakes, &config.runbooks)
            .err()
            .map(|e| e.to_string());
        rows.push(Row {
            runbook: entry.id,
            needs: entry.needs.iter().map(|p| p.as_str()).collect(),
            ok: missing.is_empty() && error.is_none(),
            missing,
            error,
        });
    }
    let ok = rows.iter().all(|r| r.ok);
    if out.json {
        let real: Vec<_> = real
            .iter()
            .map(|(port, provider)| serde_json::json!({ "port": port, "provider": provider }))
            .collect();
        out.json(&serde_json::json!({
            "config": config.source(),
            "ok": ok,
            "providers": real,
            "runbooks": rows,
        }))?;
    } else {
        let providers = match (&config.providers.kind, &config.providers.aws) {
            (ProviderKind::Fake, None) => "the in-memory fakes".to_owned(),
            (ProviderKind::Fake, Some(aws)) => {
                format!("{}; the in-memory fakes for the rest", aws.describe())
            }
        };
        let providers = if real.is_empty() {
            providers.to_owned()
        } else {
            format!("real providers where configured, {providers} elsewhere")
        };
        out.line(format!(
            "configuration: {} (providers: {providers})",
            config.source()
        ))?;
        if !real.is_empty() {
            let table = real
                .iter()
                .map(|(port, provider)| vec![(*port).to_owned(), provider.clone()])
                .collect();
            out.table(&["Port", "Provider"], table)?;
        }
        let table = rows
            .iter()
            .map(|r| {
                vec![
                    r.runbook.to_owned(),
                    r.needs.join(", "),
                    if r.ok {
                        "ready".to_owned()
                    } else if !r.missing.is_empty() {
                        format!("missing: {}", r.missing.join(", "))
                    } else {
                        r.error.clone().unwrap_or_default()
                    },
                ]
            })
            .collect();
        out.table(&["Runbook", "Needs", "Status"], table)?;
        let verdict = if ok {
            Out::styled(PASS, "configuration ok")
        } else {
            Out::styled(FAIL, "configuration not ok")
        };
        out.line(verdict)?;
    }
    if ok {
        Ok(())
    } else {
        Err(Failure::usage(
            "some enabled runbooks cannot run with this configuration",
        ))
    }
}
