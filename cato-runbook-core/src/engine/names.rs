//! Names the configuration refers to and the engine derives keys from: the runbook ids
//! `policy.runbook_modes` names, the ladder steps `policy.step_cooldowns` names, and the step
//! names the engine's own keys would clash with.
//!
//! A step's name makes its idempotency key (`<incident>:<step>`), its revert's
//! (`<incident>:<step>:revert`) and its cooldown's (`<step>@<resource>`); the engine's chat
//! posts use `<incident>:notice-<n>`. So a step may not be blank, start with `notice-`, or hold
//! `:` or `@`: its keys would be taken for another's.

use std::collections::BTreeSet;

use crate::runbook::Runbook;

/// The prefix of the engine's own idempotency keys for the notices of an incident's outbox.
pub(super) const NOTICE_KEY_PREFIX: &str = "notice-";

/// The separator of a cooldown's key, `<step>@<resource>`.
pub(super) const COOLDOWN_KEY_SEPARATOR: char = '@';

/// Why `step` cannot name a ladder step, if it cannot: the engine key it would clash with.
pub(crate) fn step_name_clash(step: &str) -> Option<String> {
    if step.trim().is_empty() {
        return Some("a ladder step needs a name (it makes the step's idempotency key)".into());
    }
    if step.starts_with(NOTICE_KEY_PREFIX) {
        return Some(format!(
            "ladder step {step:?} is named like the engine's notice keys \
             `<incident>:{NOTICE_KEY_PREFIX}<n>` (its chat posts): its idempotency key would \
             be taken for a notice's"
        ));
    }
    if step.contains(':') {
        return Some(format!(
            "ladder step {step:?} holds `:`, which the engine's keys use \
             (`<incident>:<step>:revert` is a step's revert): its key would be taken for \
             another step's"
        ));
    }
    if step.contains(COOLDOWN_KEY_SEPARATOR) {
        return Some(format!(
            "ladder step {step:?} holds `{COOLDOWN_KEY_SEPARATOR}`, which the engine's cooldown \
             keys use (`<step>{COOLDOWN_KEY_SEPARATOR}<resource>`)"
        ));
    }
    None
}

/// The runbooks and ladder steps a policy's keys may name.
///
/// ```
/// use cato_runbook_core::engine::KnownNames;
///
/// let known = KnownNames::catalog();
/// assert!(known.runbooks().any(|id| id == "shadow-self-down"));
/// assert!(known.steps().any(|step| step == "restart-endpoint"));
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct KnownNames {
    runbooks: BTreeSet<String>,
    steps: BTreeSet<String>,
}

impl KnownNames {
    /// The catalog's runbooks and every step their ladders can have (enabled or not).
    pub fn catalog() -> Self {
        let mut known = KnownNames::default();
        for entry in crate::catalog::entries() {
            known.runbooks.insert(entry.id.to_owned());
            known
                .steps
                .extend(entry.steps.iter().map(|s| (*s).to_owned()));
        }
        known
    }

    /// Adds `runbooks`' ids and their ladders' steps.
    #[must_use]
    pub fn with<'a>(mut self, runbooks: impl IntoIterator<Item = &'a Runbook>) -> Self {
        for runbook in runbooks {
            self.runbooks.insert(runbook.id().as_str().to_owned());
            self.steps
                .extend(runbook.ladder().iter().map(|s| s.name().to_owned()));
        }
        self
    }

    /// The runbook ids.
    pub fn runbooks(&self) -> impl Iterator<Item = &str> {
        self.runbooks.iter().map(String::as_str)
    }

    /// The ladder steps' names.
    pub fn steps(&self) -> impl Iterator<Item = &str> {
        self.steps.iter().map(String::as_str)
    }

    /// Whether `id` is a known runbook.
    pub fn has_runbook(&self, id: &str) -> bool {
        self.runbooks.contains(id)
    }

    /// Whether `step` is a known ladder step.
    pub fn has_step(&self, step: &str) -> bool {
        self.steps.contains(step)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_step_named_like_an_engine_key_is_a_clash_naming_both() {
        for name in [
            "restart-endpoint",
            "scale-shadow-self",
            "notices",
            "page",
            "announce",
        ] {
            assert_eq!(step_name_clash(name), None, "{name}");
        }
        let clash = step_name_clash("notice-1").unwrap_or_default();
        assert!(
            clash.contains("\"notice-1\"") && clash.contains("notice-<n>"),
            "{clash}"
        );
        let clash = step_name_clash("restart:revert").unwrap_or_default();
        assert!(
            clash.contains("\"restart:revert\"") && clash.contains(":revert`"),
            "{clash}"
        );
        let clash = step_name_clash("scale@cato").unwrap_or_default();
        assert!(clash.contains("<step>@<resource>"), "{clash}");
        assert!(step_name_clash(" ").is_some());
    }

    #[test]
    fn the_catalog_names_every_runbook_and_no_step_that_clashes() {
        let known = KnownNames::catalog();
        assert_eq!(known.runbooks().count(), crate::catalog::entries().len());
        for step in known.steps() {
            assert_eq!(step_name_clash(step), None, "{step}");
        }
    }
}
