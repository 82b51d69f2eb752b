//! The runbook's post-incident template, filled from an incident's timeline.
//!
//! [`Postmortem::draft`] reads an [`Incident`] — its phases, timeline, findings and ranked root
//! causes — and fills every section of the runbook's template: date, duration, severity,
//! author, summary, a `HH:MM - …` timeline, root cause with its evidence, impact (users, SLA
//! minutes against the severity's response time, revenue when configured), each mitigation step
//! with its outcome, prevention action items as `- [ ] item - owner - due date`, and the lessons
//! left for people. It also shows the times to detect, acknowledge, mitigate and resolve, and
//! whether the response SLA was met. [`Postmortem::render`] writes Markdown; the same incident
//! and options always give the same bytes.
//!
//! ```
//! use cato_runbook_core::incident::{Incident, NewIncident, Status};
//! use cato_runbook_core::postmortem::{Postmortem, PostmortemOptions};
//! use cato_runbook_core::{Actor, Impact};
//! use chrono::{TimeZone, Utc};
//! use std::time::Duration;
//!
//! let t0 = Utc.with_ymd_and_hms(2026, 3, 10, 9, 0, 0).unwrap();
//! let mut inc = Incident::open(
//!     NewIncident {
//!         id: "INC-1".into(),
//!         runbook: "shadow-self-down".into(),
//!         resource: "cato-shadow-self".into(),
//!         title: "Shadow Self Endpoint Down".into(),
//!         impact: Impact::outage(),
//!         severity: None,
//!     },
//!     t0,
//!     Actor::Engine,
//! );
//! inc.acknowledge(t0 + Duration::from_secs(180), Actor::person("alice"))?;
//! inc.transition(Status::Resolved, t0 + Duration::from_secs(1500), Actor::Engine)?;
//!
//! let text = Postmortem::draft(&inc, &PostmortemOptions::default()).render()?;
//! assert!(text.starts_with("# Incident Post-Mortem: Shadow Self Endpoint Down\n"));
//! assert!(text.contains("**Duration:** 0 hours 25 minutes"));
//! assert!(text.contains("- 09:25 - Service restored"));
//! # Ok::<(), cato_runbook_core::Error>(())
//! ```

mod sections;

use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::error::{Error, ErrorKind, Result};
use crate::incident::Incident;

/// The runbook's template, as a minijinja template over a [`Postmortem`].
pub const TEMPLATE: &str = include_str!("template.md.j2");

/// How a draft is written.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PostmortemOptions {
    /// The author; when absent the draft names the automation and says it is a draft.
    pub author: Option<String>,
    /// Who owns the prevention action items until someone takes them.
    pub owner: String,
    /// How long after resolution the action items are due.
    #[serde(with = "humantime_serde")]
    pub action_items_due_after: Duration,
    /// The runbook's prevention items (see `Runbook::prevention`).
    pub prevention: Vec<String>,
    /// Revenue lost per minute of complete outage, in US dollars; left for a person when absent.
    pub revenue_per_minute_usd: Option<f64>,
}

impl Default for PostmortemOptions {
    fn default() -> Self {
        PostmortemOptions {
            author: None,
            owner: "unassigned".to_owned(),
            action_items_due_after: Duration::from_secs(14 * 24 * 3600),
            prevention: Vec::new(),
            revenue_per_minute_usd: None,
        }
    }
}

impl PostmortemOptions {
    /// Checks what types alone cannot: the revenue per minute is a finite amount, zero or more
    /// and at most $10 000 000; the action items fall due after more than 0s and at most 365
    /// days.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidInput`] naming the setting: `postmortem.<key>: <why>`.
    pub fn validate(&self) -> Result<()> {
        let invalid = |key: &str, why: String| {
            Error::invalid_input("postmortem.validate", format!("postmortem.{key}: {why}"))
        };
        match self.revenue_per_minute_usd {
            Some(usd) if !usd.is_finite() || usd < 0.0 => {
                return Err(invalid(
                    "revenue_per_minute_usd",
                    format!("{usd} must be a finite number of dollars, zero or more"),
                ));
            }
            Some(usd) => crate::bounds::real(usd, 0.0, false, MAX_REVENUE_PER_MINUTE_USD)
                .map_err(|why| invalid("revenue_per_minute_usd", why))?,
            None => {}
        }
        if self.action_items_due_after.is_zero() {
            return Err(invalid(
                "action_items_due_after",
                "must be above 0s".to_owned(),
            ));
        }
        crate::bounds::duration(
            self.action_items_due_after,
            Duration::ZERO,
            MAX_ACTION_ITEMS_DUE_AFTER,
        )
        .map_err(|why| invalid("action_items_due_after", why))
    }
}

/// The most revenue a minute of outage may be said to lose.
const MAX_REVENUE_PER_MINUTE_USD: f64 = 10_000_000.0;

/// The latest the action items may fall due: a year after resolution.
const MAX_ACTION_ITEMS_DUE_AFTER: Duration = Duration::from_secs(365 * 24 * 3600);

/// One `HH:MM - …` line of the timeline.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TimelineLine {
    /// `HH:MM` (UTC), with the date in front when it is not the incident's day.
    pub time: String,
    /// What happened.
    pub text: String,
}

/// The root-cause section.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RootCauseSection {
    /// The top-ranked candidate, or a sentence saying none was found.
    pub text: String,
    /// Its evidence.
    pub evidence: Vec<String>,
    /// The other candidates, most likely first.
    pub others: Vec<String>,
}

/// The impact section.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ImpactSection {
    /// Users affected.
    pub users: String,
    /// Revenue impact.
    pub revenue: String,
    /// SLA impact in minutes against the severity's response time.
    pub sla: String,
    /// The spend added by the steps that added capacity, as estimated when each was planned;
    /// `None` when no applied step added any.
    #[serde(default)]
    pub added_spend: Option<String>,
}

/// The response measures.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ResponseSection {
    /// First symptom → detected.
    pub detect: String,
    /// Detected → acknowledged.
    pub acknowledge: String,
    /// Detected → first mitigation applied.
    pub mitigate: String,
    /// Detected → resolved.
    pub resolve: String,
    /// The severity's response time.
    pub target: String,
    /// `met`, `missed` or `pending`.
    pub sla: String,
}

/// A prevention action item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActionItem {
    /// What to do.
    pub text: String,
    /// Who.
    pub owner: String,
    /// By when (`YYYY-MM-DD`).
    pub due: String,
}

/// A postmortem, every section filled; render it with [`Postmortem::render`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Postmortem {
    /// The incident's id.
    pub incident_id: String,
    /// The incident's title.
    pub title: String,
    /// `YYYY-MM-DD` of detection.
    pub date: String,
    /// `X hours Y minutes`, detected → resolved.
    pub duration: String,
    /// `SEV1` …
    pub severity: String,
    /// When the postmortem is due (`YYYY-MM-DD HH:MM UTC`): resolution + the deadline.
    pub due: String,
    /// The author.
    pub author: String,
    /// Whether this is an automated draft.
    pub draft: bool,
    /// The summary paragraph.
    pub summary: String,
    /// The timeline.
    pub timeline: Vec<TimelineLine>,
    /// The root cause.
    pub root_cause: RootCauseSection,
    /// The impact.
    pub impact: ImpactSection,
    /// Times to detect, acknowledge, mitigate and resolve; the response SLA.
    pub response: ResponseSection,
    /// Each mitigation step with its outcome.
    pub mitigation: Vec<String>,
    /// Prevention action items.
    pub prevention: Vec<ActionItem>,
    /// Lessons learned (left for people).
    pub lessons: String,
}

impl Postmortem {
    /// Fills the template's sections from `incident`.
    pub fn draft(incident: &Incident, options: &PostmortemOptions) -> Postmortem {
        sections::draft(incident, options)
    }

    /// Renders the runbook's template as Markdown.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Internal`] if the built-in template fails to render (a bug).
    pub fn render(&self) -> Result<String> {
        self.render_with(TEMPLATE)
    }

    /// Renders a template of one's own (minijinja syntax; the fields of [`Postmortem`] are its
    /// variables).
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidInput`] when the template does not parse or refers to something
    /// that does not exist.
    pub fn render_with(&self, template: &str) -> Result<String> {
        let mut env = minijinja::Environment::new();
        env.set_undefined_behavior(minijinja::UndefinedBehavior::Strict);
        env.set_keep_trailing_newline(true);
        let kind = if template == TEMPLATE {
            ErrorKind::Internal
        } else {
            ErrorKind::InvalidInput
        };
        let fail = |e: minijinja::Error| {
            Error::new(kind, "postmortem.render", e.to_string())
                .with_resource(self.incident_id.clone())
        };
        env.add_template("postmortem", template).map_err(fail)?;
        let tmpl = env.get_template("postmortem").map_err(fail)?;
        tmpl.render(minijinja::Value::from_serialize(self))
            .map_err(fail)
    }
}
