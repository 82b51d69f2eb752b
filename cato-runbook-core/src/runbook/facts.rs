//! Findings, facts and root-cause candidates: what a diagnosis leaves behind.

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};

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

    /// Adds a named fact.
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

/// Every finding of an incident, searchable by fact name.
#[derive(Debug, Clone, Copy)]
pub struct Findings<'a>(pub &'a [Finding]);

impl<'a> Findings<'a> {
    /// The most recent value of a fact, across all findings.
    pub fn fact(&self, name: &str) -> Option<&'a Fact> {
        self.0.iter().rev().find_map(|f| f.facts.get(name))
    }

    /// The most recent numeric value of a fact.
    pub fn number(&self, name: &str) -> Option<f64> {
        self.fact(name).and_then(Fact::as_f64)
    }

    /// The most recent boolean value of a fact.
    pub fn flag(&self, name: &str) -> Option<bool> {
        self.fact(name).and_then(Fact::as_bool)
    }

    /// The most recent text value of a fact.
    pub fn text(&self, name: &str) -> Option<&'a str> {
        self.fact(name).and_then(Fact::as_str)
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

    #[test]
    fn findings_answer_the_latest_fact() {
        let list = vec![
            Finding::new("a", "first").with_fact("instance_count", 0),
            Finding::new("b", "second")
                .with_fact("instance_count", 2)
                .with_fact("status", "InService"),
        ];
        let findings = Findings(&list);
        assert_eq!(findings.number("instance_count"), Some(2.0));
        assert_eq!(findings.text("status"), Some("InService"));
        assert_eq!(findings.flag("status"), None);
        assert_eq!(findings.fact("missing"), None);
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
