//! Game days: scenarios that break a fake world on schedule and check what the engine does.
//!
//! A [`Scenario`] (a TOML file in `scenarios/`) describes the world at T+0, the changes and
//! faults injected at virtual times, what people do and when, and what must happen: how many
//! incidents, each opened with a severity by a time, steps applied in order, pages,
//! escalations, resolution, timeline entries at or by a time, port calls with their arguments
//! (see [`Expectation`]; a scenario without any is refused).
//! [`GameDay`] builds the world, runs the engine with the scenario's runbooks (from a
//! [`RunbookRegistry`], or the catalog with the scenario's own `[catalog]` settings) over
//! virtual time with a fixed seed, and returns a [`Report`]: the merged
//! timeline and one [`Verdict`] per expectation, readable by people (`Display`) and as JSON
//! (`serde`). A bad scenario file is a [`ScenarioError`] naming the file, the line and the field.

mod changes;
mod checks;
mod decisions;
mod engine_log;
mod error;
mod expect;
mod offset;
mod operator;
mod registry;
mod replaying;
mod report;
mod runner;
mod scenario;
mod traced;

pub use decisions::decisions;
pub use error::ScenarioError;
pub use expect::{Expectation, Outcome, Verdict};
pub use offset::Offset;
pub use registry::{RunbookFactory, RunbookRegistry};
pub use report::{Line, Report};
pub use runner::{GameDay, Progress};
pub use scenario::{Action, OperatorAction, Scenario, ScheduledChange, ScheduledFault};
pub use traced::recorded_actions;
