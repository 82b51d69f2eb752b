//! A month of a process's life in virtual time: an incident a day, each resolved by the runbook
//! and closed by a person, the engine ticking at its interval. Nothing may grow with the days:
//! the live allocations are counted (stats_alloc's counting global allocator, as the benches
//! use; the workspace forbids `unsafe`, which a hand-written one needs) after day 3 and after
//! day 30, the store keeps what the retention says, the call record what its cap says, the
//! fake world the history it is told to keep.
//!
//! The tick interval is 5 minutes (the engine still wakes sooner for what is due: an
//! escalation, a verification), so that 30 days are about 9,000 ticks and the debug run stays
//! well under a minute.

use std::alloc::System;
use std::time::Duration;

use cato_runbook_core::catalog::CatalogConfig;
use cato_runbook_core::engine::{Mode, Policy};
use cato_runbook_core::{Result, Status};
use cato_runbook_mock::config::CrashCause;
use cato_runbook_mock::{Harness, Op, OpMatch, World, WorldChange};
use stats_alloc::{INSTRUMENTED_SYSTEM, StatsAlloc};

#[global_allocator]
static GLOBAL: &StatsAlloc<System> = &INSTRUMENTED_SYSTEM;

const DAY: Duration = Duration::from_secs(24 * 3600);
const TICK: Duration = Duration::from_secs(5 * 60);
const DAYS: u32 = 30;
/// Short, so that the store is full from day 3 on: day 3 and day 30 hold as many incidents.
const RETENTION_DAYS: u64 = 2;
/// The calls the record keeps: reached within the first day, so day 3 is already at the cap.
const CALLS_KEPT: usize = 5_000;
/// How many more allocations may be live at day 30 than at day 3, in all: none grow with the
/// days, this is slack for what a day happens to hold at the moment it is counted.
///
/// The count of live allocations is exact (every `alloc` less every `dealloc`); stats_alloc's
/// byte counters are not usable here: their net reallocated bytes grow by about 190 MB a day
/// while the whole address space of the process stays at 81 MB, so they do not follow the
/// heap. The fake world forgets its own history past the retention too
/// ([`World::keep_history`]: state versions, log lines, pages, chat messages), so that what is
/// counted is the process proper: measured, day 3 and day 30 hold the same number of live
/// allocations. A store that ignored the retention adds about 128 a day (an incident and its
/// timeline, as measured with a retention of 3000 days), an engine that kept its incidents at
/// least as many, an unbounded call record about 3,600 (1,800 calls a day), a world that kept
/// its history 128: each is past this bound within a day.
const GROWTH: u64 = 100;

fn live_allocations() -> u64 {
    let stats = GLOBAL.stats();
    stats.allocations.saturating_sub(stats.deallocations) as u64
}

/// Closes every resolved incident (its postmortem written), as the on-call engineer would.
async fn close_resolved(harness: &Harness) -> Result<usize> {
    let mut closed = 0;
    for incident in harness.incidents().await? {
        if incident.status() == Status::Resolved {
            harness
                .operator()
                .close(incident.id(), "alice", "https://wiki.example/pm")
                .await?;
            closed += 1;
        }
    }
    Ok(closed)
}

#[tokio::test(start_paused = true)]
async fn a_month_of_daily_incidents_keeps_memory_store_and_call_record_flat() -> Result<()> {
    let world = World::default();
    world.calls().keep_last(CALLS_KEPT);
    world.keep_history(DAY * RETENTION_DAYS as u32);
    let harness = Harness::on(&world)
        .catalog(&["shadow-self-down"], &CatalogConfig::default())
        .policy(Policy::with_mode(Mode::Auto))
        .tick(TICK)
        .retention(DAY * RETENTION_DAYS as u32)
        .build()?;
    let mut at_day_3 = None;
    let mut closed = 0;
    for day in 0..DAYS {
        let start = DAY * day;
        harness.run_until(start + Duration::from_secs(3600)).await?;
        world.apply(WorldChange::EndpointLosesInstances {
            endpoint: "cato-shadow-self".into(),
            cause: CrashCause::CrashLoop,
        })?;
        harness
            .run_until(start + Duration::from_secs(7 * 3600))
            .await?;
        closed += close_resolved(&harness).await?;
        harness.run_until(start + DAY).await?;
        if day + 1 == 3 {
            at_day_3 = Some(live_allocations());
        }
    }
    let at_day_30 = live_allocations();
    let at_day_3 = at_day_3.unwrap_or(at_day_30);

    // Every day's incident opened, resolved and was closed.
    assert_eq!(closed, DAYS as usize, "incidents closed");
    // (b) The store keeps the incidents of the retention and the sweep's hour, no more.
    let kept = harness.incidents().await?;
    assert!(
        kept.len() <= RETENTION_DAYS as usize + 1,
        "the store keeps {} incidents with a retention of {RETENTION_DAYS} days",
        kept.len()
    );
    assert!(
        kept.len() >= RETENTION_DAYS as usize - 1,
        "kept {}",
        kept.len()
    );
    // (c) The call record holds its cap, and still counts every call.
    let calls = world.calls();
    assert_eq!(calls.len(), CALLS_KEPT);
    assert!(
        calls.total() > 10 * CALLS_KEPT as u64,
        "{} calls",
        calls.total()
    );
    assert_eq!(calls.count(OpMatch::Any) as u64, calls.total());
    // The retention sweep runs once an hour, not at every tick.
    let sweeps = calls.count(Op::IncidentStoreDeleteClosed);
    let hours = DAYS as usize * 24;
    assert!(
        (hours - 1..=hours + 1).contains(&sweeps),
        "{sweeps} sweeps in {hours} hours"
    );
    // (a) The live heap is flat from day 3 to day 30.
    let growth = at_day_30.saturating_sub(at_day_3);
    println!("live allocations: day 3 {at_day_3}, day 30 {at_day_30}, growth {growth}");
    assert!(
        growth < GROWTH,
        "{growth} more allocations live at day 30 ({at_day_30}) than at day 3 ({at_day_3}); at most {GROWTH}"
    );
    Ok(())
}
