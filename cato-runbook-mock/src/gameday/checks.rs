//! What a scenario's TOML alone cannot check, each error at its line.

use std::path::Path;

use cato_runbook_core::engine::KnownNames;

use super::error::ScenarioError;
use super::offset::Offset;
use super::scenario::Scenario;
use crate::world::WorldChange;

impl Scenario {
    /// Checks what TOML alone cannot: times within the run, a world that can exist, a policy
    /// the engine takes (every number in range, every name known), actions that name their
    /// incident, at least one expectation, an event's number that is NaN, infinite or
    /// negative.
    pub(super) fn check(&self, file: &Path, text: &str) -> Result<(), ScenarioError> {
        let locate = |needle: &str, nth: usize, field: &str, message: String| {
            let offset = nth_table(text, needle, nth).unwrap_or(0);
            ScenarioError::new(file, message).at(text, offset, field)
        };
        if self.duration.is_zero() {
            return Err(locate(
                "duration",
                0,
                "duration",
                "a scenario must run for some time".into(),
            ));
        }
        if self.tick.is_zero() {
            return Err(locate(
                "tick",
                0,
                "tick",
                "the tick interval must be above zero".into(),
            ));
        }
        if self.runbooks.is_empty() {
            return Err(locate(
                "runbooks",
                0,
                "runbooks",
                "name at least one runbook".into(),
            ));
        }
        if let Err(e) = self.world.validate() {
            return Err(locate("[world", 0, "world", e.message().to_owned()));
        }
        // As the engine's builder would refuse it, but at its line: `policy.<key>: why`.
        if let Err(e) = self.policy.validate(&KnownNames::catalog()) {
            let message = e.message();
            let key = message.split_once(':').map_or("policy", |(key, _)| key);
            let last = key.rsplit('.').next().unwrap_or(key);
            let needle = if nth_table(text, last, 0).is_some() {
                last
            } else {
                "[policy"
            };
            return Err(locate(needle, 0, key, message.to_owned()));
        }
        let end = Offset::new(self.duration);
        for (i, event) in self.events.iter().enumerate() {
            if let Some((key, value)) = absurd_amount(&event.change) {
                return Err(locate(
                    "[[events]]",
                    i,
                    &key,
                    format!("{key} = {value} must be a finite number, zero or more"),
                ));
            }
            if event.at > end {
                return Err(locate(
                    "[[events]]",
                    i,
                    "at",
                    format!("{} is after the scenario ends ({end})", event.at),
                ));
            }
        }
        for (i, fault) in self.faults.iter().enumerate() {
            if fault.until.is_some_and(|until| until <= fault.at) {
                return Err(locate(
                    "[[faults]]",
                    i,
                    "until",
                    "a fault must end after it starts".into(),
                ));
            }
        }
        for (i, action) in self.operator.iter().enumerate() {
            if action.action.needs_incident() && action.runbook.is_none() {
                return Err(locate(
                    "[[operator]]",
                    i,
                    "runbook",
                    "this action needs the runbook whose incident it acts on".into(),
                ));
            }
            if action.at > end {
                return Err(locate(
                    "[[operator]]",
                    i,
                    "at",
                    format!("{} is after the scenario ends ({end})", action.at),
                ));
            }
        }
        if self.expect.is_empty() {
            // A game day that expects nothing passes whatever the engine does.
            return Err(ScenarioError::new(
                file,
                "the scenario has no [[expect]]: say what must happen (incident_opened, \
                 steps_applied, resolved, …), or it passes whatever the runbooks do",
            )
            .with_field("expect"));
        }
        Ok(())
    }
}

/// The first number of `change` that is not a finite amount, zero or more, by its key.
fn absurd_amount(change: &WorldChange) -> Option<(String, f64)> {
    let Ok(toml::Value::Table(keys)) = toml::Value::try_from(change) else {
        return None;
    };
    keys.into_iter().find_map(|(key, value)| match value {
        toml::Value::Float(v) if !v.is_finite() || v < 0.0 => Some((key, v)),
        _ => None,
    })
}

/// The byte offset of the `nth` line that starts with `needle` (a key or a table header).
fn nth_table(text: &str, needle: &str, nth: usize) -> Option<usize> {
    let mut offset = 0;
    let mut seen = 0;
    for line in text.split_inclusive('\n') {
        if line.trim_start().starts_with(needle) {
            if seen == nth {
                return Some(offset + (line.len() - line.trim_start().len()));
            }
            seen += 1;
        }
        offset += line.len();
    }
    None
}
