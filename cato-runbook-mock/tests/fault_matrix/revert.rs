//! How each runbook's game day reaches the revert phase: the main game day itself, another game
//! day of the runbook that reverts (a failover undone once the region serves again, a
//! temporary mitigation undone when the approval lapses), or the main game day with its
//! verification's read failing for good (a failed verification reverts a reversible step). A
//! runbook none of whose steps can be undone, as any of its game days configures them, is told
//! from its steps.

use std::sync::Arc;
use std::time::Duration;

use cato_runbook_core::catalog;
use cato_runbook_core::ports::Clock;
use cato_runbook_core::runbook::{Plan, Risk, StepContext};
use cato_runbook_core::{ErrorKind, Severity};
use cato_runbook_mock::gameday::{Offset, Report, RunbookRegistry, Scenario, ScheduledFault};
use cato_runbook_mock::{Fault, Op, OpMatch, World};

use super::steps::{load, reached};
use super::{runner, scenario_path};

/// The game day that reaches a revert, for a runbook whose main game day does not and whose
/// steps' verifications do not fail into one (a failover and a lowered threshold are reverted
/// only when they are no longer needed).
pub(crate) const REVERT_GAME_DAYS: &[(&str, &str)] = &[
    ("shadow-self-down", "shadow-self-down--region-failover"),
    ("bedrock-throttling", "bedrock-throttling--approval-lapses"),
];

/// Whether some step on the runbook's ladder, as `scenario` configures it over its world, can
/// be undone: its revert is not the default "cannot be undone" ([`ErrorKind::Unsupported`]),
/// asked with a reversible plan of nothing.
pub(crate) fn reverts(runbook: &str, scenario: &Scenario) -> bool {
    let world = World::new(scenario.world.clone()).unwrap();
    let ports = world.ports("probe");
    let providers = ports.providers(world.clock_handle());
    let built = match &scenario.catalog {
        Some(settings) => catalog::build(runbook, &providers, settings),
        None => RunbookRegistry::catalog(Default::default()).build(runbook, &providers),
    }
    .unwrap();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .start_paused(true)
        .build()
        .unwrap();
    built.ladder().iter().any(|step| {
        let ctx = StepContext::new(
            step.as_ref(),
            "INC-PROBE".into(),
            runbook.into(),
            "probe",
            Severity::Sev3,
            Arc::from(vec![]),
            world.clock_handle().now(),
        );
        let plan = Plan::new(step.as_ref(), &ctx, Risk::Low, "probe").reversible();
        let answer = runtime.block_on(step.revert(&ctx, &plan));
        !matches!(answer, Err(err) if err.kind() == ErrorKind::Unsupported)
    })
}

/// How a game day is brought to a phase.
pub(crate) struct Setup {
    /// The main runbook's game day.
    pub(crate) scenario: Scenario,
    /// When the other incident opens: when the phase is first reached without it.
    pub(crate) beside_at: Duration,
    /// The fault that brings the game day to the phase, if one does.
    pub(crate) fault: Option<ScheduledFault>,
    /// How, for the table (empty for the main game day as it is).
    pub(crate) how: String,
}

/// Where the verify phase's call was found: the other incident's start, the call's tick, the
/// call and how many calls of its operation the tick made before it.
pub(crate) type VerifyCall = (Duration, Duration, Op, u32);

/// How the main game day `main` (run alone: `alone`) reaches `phase`, or why it does not.
pub(crate) fn setup(
    phase: &str,
    entries: &[&str],
    runbook: &str,
    main: &Scenario,
    alone: &Report,
    verify: Option<VerifyCall>,
) -> Result<Setup, String> {
    let plain = |scenario: &Scenario, report: &Report, how: String| {
        reached(report, runbook, entries).map(|beside_at| Setup {
            scenario: scenario.clone(),
            beside_at,
            fault: None,
            how,
        })
    };
    if let Some(setup) = plain(main, alone, String::new()) {
        return Ok(setup);
    }
    if phase != "revert" {
        return Err("the game day never reaches it".to_owned());
    }
    if let Some((_, name)) = REVERT_GAME_DAYS.iter().find(|(r, _)| *r == runbook) {
        let scenario = load(name);
        assert!(reverts(runbook, &scenario), "no step of {name} reverts");
        let report = runner().run_blocking(&scenario, None).unwrap();
        return plain(&scenario, &report, format!("in {name}: "))
            .ok_or_else(|| format!("{name} never reaches it"));
    }
    if !reverts(runbook, main) {
        // As every game day of the runbook configures it, too.
        let reverting: Vec<String> = game_days_of(runbook)
            .into_iter()
            .filter(|(_, scenario)| reverts(runbook, scenario))
            .map(|(name, _)| name)
            .collect();
        assert!(
            reverting.is_empty(),
            "{runbook} reverts in {reverting:?}: give it a game day in REVERT_GAME_DAYS"
        );
        return Err("no step of this runbook reverts".to_owned());
    }
    let Some((beside_at, at, op, skip)) = verify else {
        return Err("the game day never reaches it".to_owned());
    };
    Ok(Setup {
        scenario: main.clone(),
        beside_at,
        fault: Some(ScheduledFault {
            at: Offset::new(at),
            until: None,
            op: OpMatch::from(op),
            fault: Fault::permanent(ErrorKind::PermissionDenied),
            times: Some(1),
            skip,
        }),
        how: format!("`{}` failing the verification, then ", op.as_str()),
    })
}

/// Every game day of `scenarios/` that watches `runbook`, by name.
fn game_days_of(runbook: &str) -> Vec<(String, Scenario)> {
    let dir = scenario_path("x");
    let dir = dir.parent().unwrap();
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .filter_map(|entry| {
            let name = entry.unwrap().file_name().into_string().ok()?;
            name.strip_suffix(".toml").map(str::to_owned)
        })
        .collect();
    names.sort();
    names
        .into_iter()
        .map(|name| {
            let scenario = load(&name);
            (name, scenario)
        })
        .filter(|(_, scenario)| scenario.runbooks.iter().any(|r| r == runbook))
        .collect()
}
