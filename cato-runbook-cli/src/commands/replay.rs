//! `cato-runbook replay TRACE`: the engine run again in virtual time on a recorded trace; its
//! decisions printed, and written as a game-day scenario with `--to-scenario`.

use std::path::{Path, PathBuf};

use cato_runbook_core::time;
use cato_runbook_core::trace::TraceStart;
use cato_runbook_mock::gameday::{GameDay, Offset, RunbookRegistry, Scenario, decisions};
use cato_runbook_mock::replay::Replay;
use serde::Serialize;

use crate::config::Config;
use crate::exit::{Failure, VERDICT_FAILED};
use crate::output::{FAIL, HEADING, Out, PASS};

/// One incident's decisions, as printed.
#[derive(Serialize)]
struct Decided {
    id: String,
    runbook: String,
    opened_at: Offset,
    severity: String,
    steps: Vec<String>,
    resolution: String,
}

#[derive(Serialize)]
struct Summary<'a> {
    trace: String,
    ticks: usize,
    incidents: Vec<Decided>,
    misses: Vec<String>,
    scenario: Option<&'a Path>,
}

pub(crate) fn run(
    out: &mut Out,
    config: &Config,
    trace: &Path,
    to_scenario: Option<&Path>,
) -> Result<(), Failure> {
    let replay = Replay::load(trace).map_err(|e| Failure::usage(e.to_string()))?;
    let fallback = TraceStart {
        runbooks: config.enabled().iter().map(|e| e.id.to_owned()).collect(),
        policy: config.policy.clone(),
        tick: config.engine.tick_interval,
        source: trace.display().to_string(),
    };
    let stem = trace
        .file_stem()
        .map_or_else(|| "trace".to_owned(), |s| s.to_string_lossy().into_owned());
    let mut scenario = Scenario::replaying(
        format!("replay: {stem}"),
        trace.to_owned(),
        &replay,
        &fallback,
        Vec::new(),
    );
    if config.file.is_some() {
        scenario.catalog = Some(config.runbooks.clone());
    }
    let runner = GameDay::new(RunbookRegistry::catalog(config.runbooks.clone()));
    let report = runner
        .run_blocking(&scenario, None)
        .map_err(|e| Failure::from(e).prefixed(&trace.display().to_string()))?;
    let start = replay.started_at();
    let offset = |at| Offset::new(time::elapsed(start, at));
    let incidents: Vec<Decided> = report
        .incidents
        .iter()
        .map(|inc| Decided {
            id: inc.id().to_string(),
            runbook: inc.runbook().to_string(),
            opened_at: offset(inc.detected_at()),
            severity: inc.severity().to_string(),
            steps: inc
                .timeline()
                .iter()
                .filter_map(|e| {
                    let step = e.kind.step()?;
                    Some(format!("{} {} {step}", offset(e.at), e.kind.label()))
                })
                .collect(),
            resolution: match inc.phases().resolved {
                Some(at) => format!("resolved at {}", offset(at)),
                None => format!("still {} at the end", inc.status()),
            },
        })
        .collect();

    if let Some(file) = to_scenario {
        scenario.expect = decisions(start, &report.incidents, &scenario.runbooks);
        scenario.trace = Some(relative_to(file, trace));
        let text = scenario
            .to_replay_toml()
            .map_err(|e| Failure::runtime(e.to_string()))?;
        std::fs::write(file, text)
            .map_err(|e| Failure::usage(format!("{}: cannot write: {e}", file.display())))?;
    }
    let summary = Summary {
        trace: trace.display().to_string(),
        ticks: replay.ticks().len(),
        incidents,
        misses: replay.misses(),
        scenario: to_scenario,
    };
    print(out, &summary, replay.stopped())?;
    if !summary.misses.is_empty() {
        return Err(Failure {
            code: VERDICT_FAILED,
            message: format!(
                "{} call(s) not in the trace: the runbooks would have acted differently",
                summary.misses.len()
            ),
        });
    }
    Ok(())
}

fn print(out: &mut Out, summary: &Summary<'_>, stopped: Option<&str>) -> Result<(), Failure> {
    if out.json {
        return out.json(summary);
    }
    out.line(Out::styled(
        HEADING,
        format!(
            "== replay of {} ({} ticks) ==",
            summary.trace, summary.ticks
        ),
    ))?;
    if let Some(reason) = stopped {
        out.line(format!("the recording stopped early: {reason}"))?;
    }
    if summary.incidents.is_empty() {
        out.line("no incident opened")?;
    }
    for inc in &summary.incidents {
        out.line(format!(
            "{} {} opened at {} as {}",
            inc.id, inc.runbook, inc.opened_at, inc.severity
        ))?;
        for step in &inc.steps {
            out.line(format!("  {step}"))?;
        }
        out.line(format!("  {}", inc.resolution))?;
    }
    for miss in &summary.misses {
        out.line(format!("{} {miss}", Out::styled(FAIL, "NOT IN TRACE")))?;
    }
    if summary.misses.is_empty() {
        out.line(Out::styled(PASS, "every call answered from the trace"))?;
    }
    if let Some(file) = summary.scenario {
        out.line(format!("scenario written to {}", file.display()))?;
    }
    Ok(())
}

/// `trace` as the scenario at `scenario` names it: relative to the scenario's folder when
/// inside it, absolute otherwise.
fn relative_to(scenario: &Path, trace: &Path) -> PathBuf {
    let absolute = |p: &Path| std::path::absolute(p).unwrap_or_else(|_| p.to_owned());
    let trace = absolute(trace);
    let dir = absolute(scenario.parent().unwrap_or(Path::new(".")));
    trace
        .strip_prefix(&dir)
        .map_or_else(|_| trace.clone(), Path::to_path_buf)
}
