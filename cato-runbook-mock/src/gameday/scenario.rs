//! A game-day scenario: the world, what goes wrong and when, what people do, what must happen.

use std::path::{Path, PathBuf};
use std::time::Duration;

use cato_runbook_core::catalog::CatalogConfig;
use cato_runbook_core::engine::{EngineConfig, Mode, Policy};
use serde::{Deserialize, Serialize};

use super::error::ScenarioError;
use super::expect::Expectation;
use super::offset::Offset;
use crate::config::WorldConfig;
use crate::fault::Fault;
use crate::ops::OpMatch;
use crate::world::WorldChange;

fn default_tick() -> Duration {
    Duration::from_secs(30)
}

fn auto() -> Policy {
    Policy::with_mode(Mode::Auto)
}

/// A game-day scenario, usually read from a TOML file in `scenarios/`.
///
/// ```toml
/// name = "Shadow Self down: a restart brings it back"
/// duration = "40m"
/// runbooks = ["shadow-self-down"]
///
/// [[events]]                 # what goes wrong, and when
/// at = "T+0"
/// change = "endpoint_loses_instances"
/// endpoint = "cato-shadow-self"
///
/// [[expect]]                 # what must happen
/// expect = "incident_opened"
/// runbook = "shadow-self-down"
/// severity = "SEV1"
/// by = "T+2m"
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scenario {
    /// A one-line name.
    pub name: String,
    /// What it exercises.
    #[serde(default)]
    pub description: String,
    /// How much virtual time it runs.
    #[serde(with = "humantime_serde")]
    pub duration: Duration,
    /// The engine's tick interval.
    #[serde(default = "default_tick", with = "humantime_serde")]
    pub tick: Duration,
    /// The seed of every random draw; the world's own seed when absent. A runner's seed wins.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seed: Option<u64>,
    /// The runbooks the engine runs, by id.
    pub runbooks: Vec<String>,
    /// Automation policy; a game day runs in `auto` mode unless it says otherwise.
    #[serde(default = "auto")]
    pub policy: Policy,
    /// Engine settings (thresholds, escalation contacts and delays).
    #[serde(default)]
    pub engine: EngineConfig,
    /// The world at T+0.
    #[serde(default)]
    pub world: WorldConfig,
    /// What happens to the world, and when.
    #[serde(default)]
    pub events: Vec<ScheduledChange>,
    /// Faults injected into port operations.
    #[serde(default)]
    pub faults: Vec<ScheduledFault>,
    /// What people do, and when.
    #[serde(default)]
    pub operator: Vec<OperatorAction>,
    /// What must happen.
    #[serde(default)]
    pub expect: Vec<Expectation>,
    /// The catalog runbooks' settings for this scenario, as `[runbooks]` in `cato.toml`
    /// (`[catalog.failover]`, `[catalog.shadow-self-down]`, …); the runner's own when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub catalog: Option<CatalogConfig>,
    /// A recorded trace (JSON lines, relative to the scenario's file) to run on instead of the
    /// fake world: every port is answered from it ([`Replay`](crate::replay::Replay)) and the
    /// engine ticks when the recording did, so a real incident becomes a regression test. A
    /// call the trace does not hold fails, and the scenario with it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trace: Option<PathBuf>,
}

/// A change to the world at a virtual time. Read through [`EventTable`], so that a key the
/// change does not know is refused (a flattened enum would take any).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "EventTable")]
pub struct ScheduledChange {
    /// When.
    pub at: Offset,
    /// What (tagged by `change`).
    #[serde(flatten)]
    pub change: WorldChange,
}

/// An `[[events]]` entry as read: `at`, and the change's own keys.
#[derive(Deserialize)]
struct EventTable {
    at: Offset,
    #[serde(flatten)]
    change: toml::Table,
}

impl TryFrom<EventTable> for ScheduledChange {
    type Error = toml::de::Error;

    fn try_from(event: EventTable) -> Result<Self, Self::Error> {
        let change: WorldChange = toml::Value::Table(event.change.clone()).try_into()?;
        // A change without fields takes any (serde's tagged unit variants do not deny them):
        // every key written must be one the change has.
        if let Ok(toml::Value::Table(known)) = toml::Value::try_from(&change)
            && let Some(key) = event.change.keys().find(|k| !known.contains_key(*k))
        {
            return Err(serde::de::Error::custom(format!(
                "unknown field `{key}` for this change"
            )));
        }
        Ok(ScheduledChange {
            at: event.at,
            change,
        })
    }
}

/// A fault on port operations from a virtual time on.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScheduledFault {
    /// From when.
    #[serde(default)]
    pub at: Offset,
    /// Until when; to the end when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub until: Option<Offset>,
    /// Which operations: `endpoint.update_config`, `metrics.*`, `*`.
    pub op: OpMatch,
    /// What happens to them.
    pub fault: Fault,
    /// On how many calls; every call when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub times: Option<u32>,
    /// How many calls it lets through first.
    #[serde(default)]
    pub skip: u32,
}

/// Something a person does at a virtual time.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OperatorAction {
    /// When.
    pub at: Offset,
    /// The open incident of this runbook it acts on (not needed to halt or resume).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub runbook: Option<String>,
    /// Who.
    #[serde(default = "default_operator")]
    pub by: String,
    /// What (tagged by `action`).
    #[serde(flatten)]
    pub action: Action,
}

fn default_operator() -> String {
    "on-call".to_owned()
}

/// What a person does.
///
/// Every variant is a struct (`Acknowledge {}`, not `Acknowledge`): serde lets a unit variant
/// of a tagged enum take any key, so a typo (`resaon = "…"`) would pass unread; a struct
/// variant under `deny_unknown_fields` refuses it, naming it. The [`OperatorAction`] around it
/// flattens it, and hands it only the keys it does not know itself (`at`, `runbook`, `by`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "action", rename_all = "snake_case", deny_unknown_fields)]
pub enum Action {
    /// Acknowledges the incident (stops escalation).
    Acknowledge {},
    /// Approves a step waiting for approval.
    Approve {
        /// The step.
        step: String,
    },
    /// Denies a step waiting for approval.
    Deny {
        /// The step.
        step: String,
        /// Why.
        #[serde(default)]
        reason: String,
    },
    /// Adds a note.
    Note {
        /// The note.
        text: String,
    },
    /// Resolves the incident by hand.
    Resolve {
        /// Why.
        #[serde(default)]
        reason: String,
    },
    /// Halts all automation (the kill switch).
    Halt {
        /// Why.
        #[serde(default)]
        reason: String,
    },
    /// Resumes automation.
    Resume {},
    /// Calls in the AWS TAM.
    EscalateToAwsTam {
        /// Why.
        #[serde(default)]
        reason: String,
    },
}

impl Action {
    /// Whether the action needs an incident.
    pub fn needs_incident(&self) -> bool {
        !matches!(self, Action::Halt { .. } | Action::Resume {})
    }
}

impl Scenario {
    /// Parses a scenario from TOML text; `file` names it in errors.
    ///
    /// # Errors
    ///
    /// A [`ScenarioError`] naming the file, the line and the field: bad TOML, a missing or
    /// unknown field, an unknown change, fault or operation, a time before T+0, a world that
    /// cannot exist, an action without its incident, no `[[expect]]` at all.
    pub fn from_toml(file: impl AsRef<Path>, text: &str) -> Result<Scenario, ScenarioError> {
        let file = file.as_ref();
        let mut scenario: Scenario =
            toml::from_str(text).map_err(|e| ScenarioError::from_toml(file, text, &e))?;
        scenario.check(file, text)?;
        if let (Some(trace), Some(dir)) = (&mut scenario.trace, file.parent())
            && trace.is_relative()
        {
            *trace = dir.join(&*trace);
        }
        Ok(scenario)
    }

    /// Reads and parses a scenario file.
    ///
    /// # Errors
    ///
    /// As [`Scenario::from_toml`], or when the file cannot be read.
    pub fn load(path: impl AsRef<Path>) -> Result<Scenario, ScenarioError> {
        let path = path.as_ref();
        let text = std::fs::read_to_string(path)
            .map_err(|e| ScenarioError::new(path, format!("cannot read the scenario: {e}")))?;
        Scenario::from_toml(path, &text)
    }
}
