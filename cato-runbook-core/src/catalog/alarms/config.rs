//! `[runbooks.alarms]`: which alarms are whose symptoms.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::catalog::entries;
use crate::catalog::kit::Settings;
use crate::error::Result;
use crate::severity::Impact;

/// For each runbook id, the alarms that are its symptoms; none by default.
///
/// ```
/// use cato_runbook_core::catalog::CatalogConfig;
///
/// let config: CatalogConfig = toml::from_str(r#"
///     [alarms]
///     shadow-self-down = [{ prefix = "cato-shadow-self-", resource = "cato-shadow-self" }]
/// "#)?;
/// let rules = config.alarms.rules("shadow-self-down");
/// assert_eq!(rules[0].prefix, "cato-shadow-self-");
/// assert_eq!(rules[0].affected_percent, 100.0);
/// # Ok::<(), toml::de::Error>(())
/// ```
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(transparent)]
#[non_exhaustive]
pub struct Config {
    /// The rules, by runbook id.
    pub by_runbook: BTreeMap<String, Vec<AlarmRule>>,
}

/// Alarms whose names start with `prefix` are symptoms of `resource`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct AlarmRule {
    /// The alarms' name prefix, e.g. `cato-shadow-self-`.
    pub prefix: String,
    /// The resource they watch; the incident's resource, e.g. `cato-shadow-self`.
    pub resource: String,
    /// Users hurt while an alarm fires, percent. Default 100.
    #[serde(default = "all_users")]
    pub affected_percent: f64,
    /// Whether an alarm firing means a complete outage. Default false.
    #[serde(default)]
    pub outage: bool,
}

fn all_users() -> f64 {
    100.0
}

impl AlarmRule {
    /// The rule for alarms named `prefix…` on `resource`, hurting every user.
    pub fn new(prefix: impl Into<String>, resource: impl Into<String>) -> Self {
        AlarmRule {
            prefix: prefix.into(),
            resource: resource.into(),
            affected_percent: all_users(),
            outage: false,
        }
    }

    /// The impact of a firing alarm.
    pub(crate) fn impact(&self) -> Result<Impact> {
        Impact::new(self.affected_percent / 100.0, self.outage, true)
    }
}

impl Config {
    /// The rules of runbook `id`.
    pub fn rules(&self, id: &str) -> &[AlarmRule] {
        self.by_runbook.get(id).map_or(&[], Vec::as_slice)
    }

    /// Adds a rule to runbook `id`.
    pub fn add(&mut self, id: impl Into<String>, rule: AlarmRule) -> &mut Self {
        self.by_runbook.entry(id.into()).or_default().push(rule);
        self
    }

    /// Checks what types alone cannot.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidInput`](crate::ErrorKind::InvalidInput) naming the key:
    /// `runbooks.alarms.<id>: no such runbook`, `runbooks.alarms.<id>[0].prefix: is empty`.
    pub fn validate(&self) -> Result<()> {
        let table = Settings::table("runbooks.alarms");
        for (id, rules) in &self.by_runbook {
            let known = entries().iter().any(|e| e.id == id);
            table.check(known, id, "no such runbook")?;
            for (i, rule) in rules.iter().enumerate() {
                let s = Settings::table(&format!("runbooks.alarms.{id}[{i}]"));
                s.not_empty("prefix", &rule.prefix)?;
                s.not_empty("resource", &rule.resource)?;
                s.percent("affected_percent", rule.affected_percent)?;
                let twice = rules[..i].iter().any(|r| r.prefix == rule.prefix);
                s.check(!twice, "prefix", format!("{:?} appears twice", rule.prefix))?;
            }
        }
        Ok(())
    }
}
