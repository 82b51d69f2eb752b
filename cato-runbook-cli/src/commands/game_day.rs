//! `cato-runbook game-day`: run scenarios on the fakes, print timelines and verdicts, write
//! postmortems.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use cato_runbook_core::trace::{MemorySink, TraceSink};

use cato_runbook_core::postmortem::{Postmortem, PostmortemOptions};
use cato_runbook_mock::gameday::{GameDay, Report, RunbookRegistry, Scenario};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::config::Config;
use crate::exit::{Failure, VERDICT_FAILED};
use crate::output::{FAIL, HEADING, Out, PASS};

/// The folder scanned when no scenario is named.
pub(crate) const DEFAULT_DIR: &str = "scenarios";

pub(crate) struct Options<'a> {
    pub(crate) scenarios: &'a [PathBuf],
    pub(crate) seed: Option<u64>,
    pub(crate) out_dir: Option<&'a Path>,
    pub(crate) quiet: bool,
    pub(crate) record: Option<&'a Path>,
}

fn files(args: &[PathBuf]) -> Result<Vec<PathBuf>, Failure> {
    let roots = if args.is_empty() {
        vec![PathBuf::from(DEFAULT_DIR)]
    } else {
        args.to_vec()
    };
    let mut files = Vec::new();
    for root in roots {
        if root.is_dir() {
            let mut found: Vec<PathBuf> = std::fs::read_dir(&root)
                .map_err(|e| Failure::usage(format!("{}: {e}", root.display())))?
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.extension().is_some_and(|x| x == "toml"))
                .collect();
            found.sort();
            files.extend(found);
        } else if root.exists() {
            files.push(root);
        } else {
            return Err(Failure::usage(format!(
                "{}: no such scenario file or folder",
                root.display()
            )));
        }
    }
    if files.is_empty() {
        return Err(Failure::usage("no scenario files found".to_owned()));
    }
    Ok(files)
}

fn progress_bar(files: usize) -> ProgressBar {
    let bar =
        ProgressBar::with_draw_target(Some(files as u64 * 1000), ProgressDrawTarget::stderr());
    bar.set_style(
        ProgressStyle::with_template("{prefix} [{bar:30}] {msg}")
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
    );
    bar
}

pub(crate) fn run(out: &mut Out, config: &Config, options: &Options<'_>) -> Result<(), Failure> {
    let files = files(options.scenarios)?;
    let scenarios = files
        .iter()
        .map(|f| Scenario::load(f).map_err(|e| Failure::usage(e.to_string())))
        .collect::<Result<Vec<_>, _>>()?;
    for dir in [options.out_dir, options.record].into_iter().flatten() {
        std::fs::create_dir_all(dir)
            .map_err(|e| Failure::usage(format!("{}: cannot create: {e}", dir.display())))?;
    }
    let bar = progress_bar(files.len());
    let mut reports = Vec::new();
    for (index, (file, scenario)) in files.iter().zip(&scenarios).enumerate() {
        bar.set_prefix(format!("{}/{}", index + 1, files.len()));
        bar.set_message(scenario.name.clone());
        let progress = bar.clone();
        let base = index as u64 * 1000;
        let runner = GameDay::new(RunbookRegistry::catalog(config.runbooks.clone())).on_progress(
            move |done: Duration, total: Duration| {
                let share = done.as_secs_f64() / total.as_secs_f64().max(1.0);
                progress.set_position(base + (share * 1000.0) as u64);
            },
        );
        let sink = options.record.map(|_| Arc::new(MemorySink::default()));
        let report = runner
            .run_blocking_with(
                scenario,
                options.seed,
                sink.clone().map(|s| s as Arc<dyn TraceSink>),
            )
            .map_err(|e| Failure::from(e).prefixed(&file.display().to_string()))?;
        if let (Some(dir), Some(sink)) = (options.record, sink) {
            let stem = file.file_stem().unwrap_or_default().to_string_lossy();
            let path = dir.join(format!("{stem}.jsonl"));
            std::fs::write(&path, sink.to_jsonl())
                .map_err(|e| Failure::usage(format!("{}: cannot write: {e}", path.display())))?;
        }
        if let Some(dir) = options.out_dir {
            write_postmortems(dir, file, &report, &config.postmortem)?;
        }
        reports.push(report);
    }
    bar.finish_and_clear();

    let failed = reports.iter().filter(|r| !r.passed).count();
    if out.json {
        out.json(&reports)?;
    } else {
        for report in &reports {
            print(out, report, options.quiet)?;
        }
        let summary = format!("{} passed, {failed} failed", reports.len() - failed);
        out.line(Out::styled(
            if failed == 0 { PASS } else { FAIL },
            format!("game day: {summary}"),
        ))?;
    }
    if failed > 0 {
        return Err(Failure {
            code: VERDICT_FAILED,
            message: format!("{failed} scenario(s) failed"),
        });
    }
    Ok(())
}

fn print(out: &mut Out, report: &Report, quiet: bool) -> Result<(), Failure> {
    out.line(Out::styled(
        HEADING,
        format!("== {} (seed {}) ==", report.scenario, report.seed),
    ))?;
    if !quiet {
        let text = report.to_string();
        for line in text.lines().skip(1).take_while(|l| *l != "-- verdicts --") {
            out.line(line)?;
        }
    }
    for v in &report.verdicts {
        let mark = if v.passed {
            Out::styled(PASS, "PASS")
        } else {
            Out::styled(FAIL, "FAIL")
        };
        out.line(format!("{mark} {} — {}", v.expectation, v.detail))?;
    }
    out.line("")
}

fn write_postmortems(
    dir: &Path,
    file: &Path,
    report: &Report,
    options: &PostmortemOptions,
) -> Result<(), Failure> {
    let stem = file
        .file_stem()
        .map_or_else(|| "scenario".into(), |s| s.to_string_lossy());
    for incident in &report.incidents {
        let mut options = options.clone();
        if let Some(items) = report.prevention.get(incident.runbook().as_str()) {
            options.prevention.extend(items.iter().cloned());
        }
        let text = Postmortem::draft(incident, &options).render()?;
        let base = dir.join(format!("{stem}--{}", incident.id()));
        let json = serde_json::to_string_pretty(incident)?;
        for (path, body) in [
            (base.with_extension("md"), text),
            (base.with_extension("json"), json),
        ] {
            std::fs::write(&path, body)
                .map_err(|e| Failure::runtime(format!("{}: {e}", path.display())))?;
        }
    }
    Ok(())
}
