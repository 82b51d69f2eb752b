//! The incident log: an append-only list of typed entries.
//!
//! The runbook's triage ends with "start incident log". Every decision the engine takes and
//! everything a person does goes here, in order. The API can add an entry and read entries; no
//! API edits or removes one.

mod kind;
#[cfg(test)]
mod tests;

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::time::Timestamp;

pub use kind::EntryKind;

/// Who caused a timeline entry.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "type", content = "name", rename_all = "snake_case")]
pub enum Actor {
    /// The automation engine.
    Engine,
    /// A detector, by name.
    Detector(String),
    /// A person (operator, on-call engineer), by name or handle.
    Person(String),
}

impl Actor {
    /// A person by name.
    pub fn person(name: impl Into<String>) -> Self {
        Actor::Person(name.into())
    }
}

impl fmt::Display for Actor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Actor::Engine => f.write_str("engine"),
            Actor::Detector(name) => write!(f, "detector {name}"),
            Actor::Person(name) => f.write_str(name),
        }
    }
}

/// One line of the incident log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry {
    /// When it happened (clock time).
    pub at: Timestamp,
    /// Who caused it.
    pub actor: Actor,
    /// What happened.
    #[serde(flatten)]
    pub kind: EntryKind,
    /// Free text: the finding, the plan, the reason, the note.
    pub detail: String,
}

impl fmt::Display for Entry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} [{}] {}",
            self.at.format("%Y-%m-%d %H:%M:%S"),
            self.actor,
            self.kind.label()
        )?;
        if let Some(step) = self.kind.step() {
            write!(f, " {step}")?;
        }
        if !self.detail.is_empty() {
            write!(f, ": {}", self.detail)?;
        }
        Ok(())
    }
}

/// The append-only incident log.
///
/// ```
/// use cato_runbook_core::timeline::{Actor, EntryKind, Timeline};
/// use chrono::{TimeZone, Utc};
///
/// let mut log = Timeline::default();
/// let t0 = Utc.with_ymd_and_hms(2026, 3, 1, 12, 0, 0).unwrap();
/// log.append(t0, Actor::Engine, EntryKind::SymptomObserved, "p99 2.4 s > 2 s");
/// log.append(t0, Actor::person("alice"), EntryKind::Note, "looking at the deploy from 11:50");
/// assert_eq!(log.len(), 2);
/// assert_eq!(log.entries()[1].actor, Actor::person("alice"));
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Timeline {
    entries: Vec<Entry>,
}

impl Timeline {
    /// Adds an entry at the end and returns it.
    ///
    /// Entries stay in the order they were appended, even if a caller passes a time earlier than
    /// the last entry's (a person's back-dated note): the log records when things were written.
    pub fn append(
        &mut self,
        at: Timestamp,
        actor: Actor,
        kind: EntryKind,
        detail: impl Into<String>,
    ) -> &Entry {
        self.entries.push(Entry {
            at,
            actor,
            kind,
            detail: detail.into(),
        });
        let last = self.entries.len() - 1;
        &self.entries[last]
    }

    /// All entries, oldest first. A shared slice: nothing can be edited through it.
    pub fn entries(&self) -> &[Entry] {
        &self.entries
    }

    /// How many entries there are.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether the log is empty.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Entries oldest first.
    pub fn iter(&self) -> std::slice::Iter<'_, Entry> {
        self.entries.iter()
    }

    /// The first entry with the given label, e.g. `"mitigation_applied"`.
    pub fn first(&self, label: &str) -> Option<&Entry> {
        self.entries.iter().find(|e| e.kind.label() == label)
    }

    /// Entries whose label matches.
    pub fn with_label<'a>(&'a self, label: &'a str) -> impl Iterator<Item = &'a Entry> + 'a {
        self.entries.iter().filter(move |e| e.kind.label() == label)
    }
}

impl<'a> IntoIterator for &'a Timeline {
    type Item = &'a Entry;
    type IntoIter = std::slice::Iter<'a, Entry>;
    fn into_iter(self) -> Self::IntoIter {
        self.entries.iter()
    }
}
