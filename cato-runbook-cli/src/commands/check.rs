//! `cato-runbook check`: validate the configuration, say what each enabled runbook needs, and
//! (unless `--offline`) read every configured peer once (`cato_runbook_aws::preflight`).

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

pub(crate) fn run(out: &mut Out, config: &Config, offline: bool) -> Result<(), Failure> {
    let rt = runtime_for(config)?;
    let (fakes, real, live) = rt.block_on(async {
        let mut ports = fakes(config, None).await?;
        let real = crate::providers::overlay(config, &mut ports).await?;
        let live = if offline {
            Some(Vec::new())
        } else {
            crate::providers::preflight(config).await
        };
        Ok::<_, Failure>((ports, real, live))
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
    let peers_ok = live.as_ref().is_none_or(|l| l.iter().all(|p| p.ok));
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
            "peers": live,
            "peers_ok": peers_ok,
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
        match (&live, offline) {
            (_, true) => out.line("peers: not contacted (--offline)")?,
            (None, _) => out.line(
                "peers: not contacted: the live checks need the provider build (the default \
                 features: `cargo install cato-runbook-cli`); this one is built on the fakes alone",
            )?,
            (Some(live), _) => {
                for peer in live {
                    let style = if peer.ok { PASS } else { FAIL };
                    out.line(Out::styled(style, &peer.line))?;
                }
            }
        }
        let verdict = if ok {
            Out::styled(PASS, "configuration ok")
        } else {
            Out::styled(FAIL, "configuration not ok")
        };
        out.line(verdict)?;
    }
    if !ok {
        return Err(Failure::usage(
            "some enabled runbooks cannot run with this configuration",
        ));
    }
    if !peers_ok {
        let failed: Vec<&str> = live
            .iter()
            .flatten()
            .filter(|p| !p.ok)
            .map(|p| p.peer.as_str())
            .collect();
        return Err(Failure {
            code: crate::exit::PEER_FAILED,
            message: format!("peers failed their check: {}", failed.join(", ")),
        });
    }
    Ok(())
}
