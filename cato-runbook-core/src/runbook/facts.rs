//! Findings, facts and root-cause candidates: what a diagnosis leaves behind.
//!
//! A fact is written and read through a typed [`FactKey`]: the key names the fact once and fixes
//! the Rust type of its value, so a writer and a reader cannot disagree on the spelling or on
//! the kind of value ([`Fact::Int`] or [`Fact::Float`]). The catalog's keys are in
//! [`catalog::facts`](crate::catalog::facts).

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};

use super::fact_key::{FactKey, FactValue};

/// A machine-readable value a step's precondition can test (`instance_count == 0`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Fact {
    /// Yes or no.
    Bool(bool),
    /// A whole number.
    Int(i64),
    /// A measurement.
    Float(f64),
    /// Text.
    Text(String),
}

impl Fact {
    /// The value as a number, if it is one.
    pub fn as_f64(&self) -> Option<f64> {
        match self {
            Fact::Int(v) => Some(*v as f64),
            Fact::Float(v) => Some(*v),
            _ => None,
        }
    }

    /// The value as a whole number, if it is one.
    pub fn as_i64(&self) -> Option<i64> {
        match self {
            Fact::Int(v) => Some(*v),
            _ => None,
        }
    }

    /// The value as a boolean, if it is one.
    pub fn as_bool(&self) -> Option<bool> {
        match self {
            Fact::Bool(v) => Some(*v),
            _ => None,
        }
    }

    /// The value as text, if it is text.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Fact::Text(v) => Some(v),
            _ => None,
        }
    }
}

impl fmt::Display for Fact {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Fact::Bool(v) => write!(f, "{v}"),
            Fact::Int(v) => write!(f, "{v}"),
            Fact::Float(v) => write!(f, "{v}"),
            Fact::Text(v) => f.write_str(v),
        }
    }
}

macro_rules! fact_from {
    ($($ty:ty => $variant:ident $(as $cast:ty)?),* $(,)?) => {$(
        impl From<$ty> for Fact {
            fn from(value: $ty) -> Self {
                Fact::$variant(value $(as $cast)?)
            }
        }
    )*};
}

fact_from!(bool => Bool, i64 => Int, i32 => Int as i64, u32 => Int as i64, f64 => Float, String => Text);

impl From<&str> for Fact {
    fn from(value: &str) -> Self {
        Fact::Text(value.to_owned())
    }
}

/// Set by the engine on the finding it records for a diagnosis that failed or timed out.
pub const DIAGNOSIS_FAILED: FactKey<bool> = FactKey::new("diagnosis_failed");

/// Something a diagnosis found out, with the evidence for it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Finding {
    /// The diagnosis that found it.
    pub source: String,
    /// One line for people.
    pub summary: String,
    /// Named values that step preconditions read.
    #[serde(default)]
    pub facts: BTreeMap<String, Fact>,
    /// Raw evidence: log lines, metric values, API answers.
    #[serde(default)]
    pub evidence: Vec<String>,
}

impl Finding {
    /// A finding by `source` with a summary and no facts yet.
    pub fn new(source: impl Into<String>, summary: impl Into<String>) -> Self {
        Finding {
            source: source.into(),
            summary: summary.into(),
            facts: BTreeMap::new(),
            evidence: Vec::new(),
        }
    }

    /// Adds the fact `key` names.
    pub fn with<T: FactValue>(mut self, key: FactKey<T>, value: T) -> Self {
        self.facts.insert(key.name().to_owned(), value.into_fact());
        self
    }

    /// Adds a fact by a name only known at run time (the engine's `diagnosis_failed`, a name
    /// read from configuration).
    ///
    /// A fact a step reads is better written with a [`FactKey`] through [`with`](Self::with),
    /// as the catalog does: the key fixes its name and its type once.
    pub fn with_fact(mut self, name: impl Into<String>, value: impl Into<Fact>) -> Self {
        self.facts.insert(name.into(), value.into());
        self
    }

    /// Adds a line of evidence.
    pub fn with_evidence(mut self, line: impl Into<String>) -> Self {
        self.evidence.push(line.into());
        self
    }
}

/// A candidate root cause, with how likely it is and why.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RootCause {
    /// The cause, as the runbook names it: `out of memory (model too large)`.
    pub cause: String,
    /// Likelihood in `0.0 ..= 1.0` (values outside are clamped).
    pub confidence: f64,
    /// What points at it.
    #[serde(default)]
    pub evidence: Vec<String>,
}

impl RootCause {
    /// A candidate with a confidence, clamped to `0.0 ..= 1.0` (NaN counts as 0).
    pub fn new(cause: impl Into<String>, confidence: f64) -> Self {
        let confidence = if confidence.is_nan() {
            0.0
        } else {
            confidence.clamp(0.0, 1.0)
        };
        RootCause {
            cause: cause.into(),
            confidence,
            evidence: Vec::new(),
        }
    }

    /// Adds a line of evidence.
    pub fn with_evidence(mut self, line: impl Into<String>) -> Self {
        self.evidence.push(line.into());
        self
    }
}

/// Sorts candidates most likely first; equal confidences keep their order.
pub fn rank(causes: &mut [RootCause]) {
    causes.sort_by(|a, b| b.confidence.total_cmp(&a.confidence));
}

/// Every finding of an incident, searchable by fact.
///
/// Read a fact through its [`FactKey`]: [`get`](Self::get), or [`text_of`](Self::text_of) to
/// borrow text. The catalog's steps read their facts this way.
#[derive(Debug, Clone, Copy)]
pub struct Findings<'a>(pub &'a [Finding]);

impl<'a> Findings<'a> {
    /// The value of the fact `key` names in the most recent finding holding it; `None` when no
    /// finding holds it, or when that finding's value is not of the key's type.
    pub fn get<T: FactValue>(&self, key: FactKey<T>) -> Option<T> {
        self.fact(key.name()).and_then(T::from_fact)
    }

    /// The text of the fact `key` names, borrowed, as [`get`](Self::get) finds it.
    pub fn text_of(&self, key: FactKey<String>) -> Option<&'a str> {
        self.fact(key.name()).and_then(Fact::as_str)
    }

    /// The most recent value of the fact `name`, across all findings, whatever its type: for a
    /// name only known at run time. A fact with a [`FactKey`] is read with [`get`](Self::get).
    pub fn fact(&self, name: &str) -> Option<&'a Fact> {
        self.0.iter().rev().find_map(|f| f.facts.get(name))
    }

    /// All findings.
    pub fn all(&self) -> &'a [Finding] {
        self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranking_is_by_confidence_and_stable() {
        let mut causes = vec![
            RootCause::new("a", 0.2),
            RootCause::new("b", 0.9),
            RootCause::new("c", 0.2),
            RootCause::new("d", f64::NAN),
            RootCause::new("e", 7.0),
        ];
        rank(&mut causes);
        let order: Vec<_> = causes.iter().map(|c| c.cause.as_str()).collect();
        assert_eq!(order, ["e", "b", "a", "c", "d"]);
        assert_eq!(causes[0].confidence, 1.0);
    }

    const INSTANCE_COUNT: FactKey<u32> = FactKey::new("instance_count");
    const STATUS: FactKey<String> = FactKey::new("status");
    const STATUS_AS_FLAG: FactKey<bool> = FactKey::new("status");
    const INSTANCES_AS_NUMBER: FactKey<f64> = FactKey::new("instance_count");
    const MISSING: FactKey<i64> = FactKey::new("missing");

    #[test]
    fn findings_answer_the_latest_fact() {
        let list = vec![
            Finding::new("a", "first").with(INSTANCE_COUNT, 0),
            Finding::new("b", "second")
                .with(INSTANCE_COUNT, 2)
                .with(STATUS, "InService".to_owned()),
        ];
        let findings = Findings(&list);
        assert_eq!(findings.get(INSTANCE_COUNT), Some(2));
        assert_eq!(findings.get(INSTANCES_AS_NUMBER), Some(2.0));
        assert_eq!(findings.text_of(STATUS), Some("InService"));
        assert_eq!(findings.get(STATUS), Some("InService".to_owned()));
        assert_eq!(findings.get(STATUS_AS_FLAG), None);
        assert_eq!(findings.get(MISSING), None);
        assert_eq!(findings.fact("missing"), None);
    }

    #[test]
    fn keys_write_the_same_facts_as_names() {
        let typed = Finding::new("s", "x")
            .with(FactKey::<u32>::new("n"), 3)
            .with(FactKey::<i64>::new("i"), -3)
            .with(FactKey::<bool>::new("ok"), true)
            .with(FactKey::<f64>::new("p99"), 2.5)
            .with(FactKey::<String>::new("name"), "cfg-v2".to_owned());
        let named = Finding::new("s", "x")
            .with_fact("n", 3_u32)
            .with_fact("i", -3_i64)
            .with_fact("ok", true)
            .with_fact("p99", 2.5)
            .with_fact("name", "cfg-v2");
        assert_eq!(typed, named);
        assert_eq!(typed.facts["n"], Fact::Int(3));
        assert_eq!(typed.facts["p99"], Fact::Float(2.5));
    }

    #[test]
    fn a_u32_reads_only_integers_in_range() {
        assert_eq!(u32::from_fact(&Fact::Int(7)), Some(7));
        assert_eq!(u32::from_fact(&Fact::Int(-1)), None);
        assert_eq!(u32::from_fact(&Fact::Int(i64::from(u32::MAX) + 1)), None);
        assert_eq!(u32::from_fact(&Fact::Float(7.0)), None);
        assert_eq!(f64::from_fact(&Fact::Int(7)), Some(7.0));
        assert_eq!(i64::from_fact(&Fact::Float(7.0)), None);
        assert_eq!(format!("{INSTANCE_COUNT:?}"), "FactKey(\"instance_count\")");
    }

    #[test]
    fn facts_serde_untagged() {
        let f = Finding::new("s", "x")
            .with_fact("n", 3)
            .with_fact("ok", true)
            .with_fact("p99", 2.5)
            .with_fact("name", "cfg-v2")
            .with_evidence("line");
        let json = serde_json::to_string(&f).unwrap();
        assert_eq!(serde_json::from_str::<Finding>(&json).unwrap(), f);
    }
}
