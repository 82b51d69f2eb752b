//! The operator service's status page: one server-rendered HTML page (no JavaScript, refreshed
//! every 30 seconds) showing this replica, whether it leads, whether automation is halted, the
//! policy mode and every open incident with its SLA clock, ladder position and timeline.
//!
//! [`view`] turns core types into a [`PageView`] of pre-formatted values, so the template
//! (`page.html`) holds nothing but loops and ifs; [`render`] renders it with HTML
//! auto-escaping on every value.

use cato_runbook_core::incident::{StepPhase, StepRun};
use cato_runbook_core::time::{self, HumanDuration};
use cato_runbook_core::{Entry, Incident, RunbookId, Timestamp};
use serde::Serialize;

/// The template, embedded in the binary.
const TEMPLATE: &str = include_str!("page.html");
/// Its name; the `.html` suffix also selects HTML auto-escaping.
const TEMPLATE_NAME: &str = "page.html";

/// Everything the status page shows, pre-formatted.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct PageView {
    /// This replica's name.
    pub(crate) replica: String,
    /// Whether this replica holds the leader lease.
    pub(crate) leader: bool,
    /// Whether automation is halted (kill switch).
    pub(crate) halted: bool,
    /// The policy mode, e.g. `auto` or `observe`.
    pub(crate) mode: String,
    /// When the page was generated (UTC).
    pub(crate) generated_at: String,
    /// The open incidents, most severe first, then oldest first.
    pub(crate) incidents: Vec<IncidentView>,
}

/// One open incident, pre-formatted.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct IncidentView {
    /// The incident's identifier.
    pub(crate) id: String,
    /// Its one-line title.
    pub(crate) title: String,
    /// `SEV1` … `SEV4`.
    pub(crate) severity: String,
    /// The CSS class of the severity: `sev1` … `sev4`.
    pub(crate) severity_class: String,
    /// The runbook table's description of the severity.
    pub(crate) severity_description: String,
    /// The lifecycle status, lower case.
    pub(crate) status: String,
    /// The runbook handling it.
    pub(crate) runbook: String,
    /// The affected resource.
    pub(crate) resource: String,
    /// When it was detected (UTC).
    pub(crate) detected_at: String,
    /// The severity's response time, e.g. `5m`.
    pub(crate) response_time: String,
    /// Detected + response time (UTC).
    pub(crate) response_deadline: String,
    /// How long since detection, e.g. `2m30s`.
    pub(crate) since_detected: String,
    /// Whether the response SLA is breached (no acknowledgement in time).
    pub(crate) sla_breached: bool,
    /// Whether someone acknowledged it.
    pub(crate) acknowledged: bool,
    /// Who acknowledged it and when, or `not acknowledged`.
    pub(crate) acknowledged_by: String,
    /// Where the mitigation ladder stands, e.g. `rung 2 of 4: scale-endpoint (awaiting approval)`.
    pub(crate) ladder: String,
    /// How many roles were escalated to so far.
    pub(crate) escalation_count: usize,
    /// The roles escalated to, in order, comma-separated, or `none`.
    pub(crate) escalations: String,
    /// The incident log, oldest first.
    pub(crate) timeline: Vec<EntryView>,
}

/// One timeline row, pre-formatted.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct EntryView {
    /// When (UTC, `YYYY-MM-DD HH:MM:SS`).
    pub(crate) at: String,
    /// Who.
    pub(crate) actor: String,
    /// What: the entry's label, its step if any, and its detail.
    pub(crate) entry: String,
}

/// Renders the status page as HTML, every value HTML-escaped.
///
/// # Errors
///
/// A [`minijinja::Error`] if the template fails to parse or to render (a bug, not bad input).
pub(crate) fn render(view: &PageView) -> Result<String, minijinja::Error> {
    let mut env = minijinja::Environment::new();
    env.set_auto_escape_callback(|_| minijinja::AutoEscape::Html);
    env.set_undefined_behavior(minijinja::UndefinedBehavior::Strict);
    env.set_trim_blocks(true);
    env.set_lstrip_blocks(true);
    env.add_template(TEMPLATE_NAME, TEMPLATE)?;
    env.get_template(TEMPLATE_NAME)?.render(view)
}

/// Builds the page's view from core types at `now`.
///
/// Only open incidents (not resolved, not closed) are shown, most severe first, then oldest
/// first. `ladders` gives the step names of a runbook's ladder, in order (empty when unknown).
pub(crate) fn view(
    replica: &str,
    leader: bool,
    halted: bool,
    mode: &str,
    now: Timestamp,
    incidents: &[Incident],
    ladders: &dyn Fn(&RunbookId) -> Vec<String>,
) -> PageView {
    let mut open: Vec<&Incident> = incidents.iter().filter(|i| i.is_open()).collect();
    open.sort_by(|a, b| {
        b.severity()
            .cmp(&a.severity())
            .then_with(|| a.detected_at().cmp(&b.detected_at()))
            .then_with(|| a.id().cmp(b.id()))
    });
    PageView {
        replica: replica.to_owned(),
        leader,
        halted,
        mode: mode.to_owned(),
        generated_at: utc(now),
        incidents: open
            .into_iter()
            .map(|incident| incident_view(incident, now, &ladders(incident.runbook())))
            .collect(),
    }
}

fn incident_view(incident: &Incident, now: Timestamp, ladder: &[String]) -> IncidentView {
    let severity = incident.severity();
    let automation = incident.automation();
    let acknowledged_by = match (incident.acknowledged_by(), incident.phases().acknowledged) {
        (Some(who), Some(at)) => format!("{who} at {}", utc(at)),
        (Some(who), None) => who.to_owned(),
        (None, Some(at)) => format!("someone at {}", utc(at)),
        (None, None) => "not acknowledged".to_owned(),
    };
    let escalations = if automation.escalated.is_empty() {
        "none".to_owned()
    } else {
        automation.escalated.join(", ")
    };
    IncidentView {
        id: incident.id().to_string(),
        title: incident.title().to_owned(),
        severity: severity.to_string(),
        severity_class: format!("sev{}", severity.level()),
        severity_description: severity.description().to_owned(),
        status: incident.status().as_str().to_owned(),
        runbook: incident.runbook().to_string(),
        resource: incident.resource().to_owned(),
        detected_at: utc(incident.detected_at()),
        response_time: HumanDuration(severity.response_time()).to_string(),
        response_deadline: utc(incident.response_deadline()),
        since_detected: HumanDuration(time::elapsed(incident.detected_at(), now)).to_string(),
        sla_breached: automation.sla_breached || incident.response_sla_met(now) == Some(false),
        acknowledged: incident.phases().acknowledged.is_some()
            || incident.acknowledged_by().is_some(),
        acknowledged_by,
        ladder: ladder_text(
            automation.rung,
            automation.step.as_ref(),
            automation.exhausted,
            ladder,
        ),
        escalation_count: automation.escalated.len(),
        escalations,
        timeline: incident.timeline().iter().map(entry_view).collect(),
    }
}

/// `rung N of M: name (phase)`, from the step in flight or else the next rung to consider.
fn ladder_text(rung: usize, step: Option<&StepRun>, exhausted: bool, ladder: &[String]) -> String {
    let total = ladder.len();
    let position = |index: usize| {
        if total > 0 {
            format!("rung {} of {total}", index.saturating_add(1))
        } else {
            format!("rung {}", index.saturating_add(1))
        }
    };
    if let Some(step) = step {
        return format!(
            "{}: {} ({})",
            position(step.rung),
            step.plan.step,
            phase_text(&step.phase)
        );
    }
    if exhausted {
        return if total > 0 {
            format!("ladder exhausted: all {total} rungs tried, handed to people")
        } else {
            "ladder exhausted: handed to people".to_owned()
        };
    }
    match ladder.get(rung) {
        Some(name) => format!("{}: {name} (not started)", position(rung)),
        None if total > 0 => format!("all {total} rungs tried"),
        None if rung == 0 => "no step started".to_owned(),
        None => format!("{} (not started)", position(rung)),
    }
}

fn phase_text(phase: &StepPhase) -> String {
    match phase {
        StepPhase::DryRun => "dry run".to_owned(),
        StepPhase::AwaitingApproval { .. } => "awaiting approval".to_owned(),
        StepPhase::Approved { by, .. } => format!("approved by {by}"),
        StepPhase::Ready { .. } => "ready to apply".to_owned(),
        StepPhase::Applying { .. } => "applying".to_owned(),
        StepPhase::Applied {
            verify_at, unknown, ..
        } => {
            let outcome = if *unknown {
                "apply timed out"
            } else {
                "applied"
            };
            format!("{outcome}, verifying at {}", utc(*verify_at))
        }
        StepPhase::Reverting { .. } => "reverting".to_owned(),
        StepPhase::Verified { .. } => "verified".to_owned(),
    }
}

fn entry_view(entry: &Entry) -> EntryView {
    let mut text = entry.kind.label().to_owned();
    if let Some(step) = entry.kind.step() {
        text.push(' ');
        text.push_str(step);
    }
    if !entry.detail.is_empty() {
        text.push_str(": ");
        text.push_str(&entry.detail);
    }
    EntryView {
        at: entry.at.format("%Y-%m-%d %H:%M:%S").to_string(),
        actor: entry.actor.to_string(),
        entry: text,
    }
}

fn utc(at: Timestamp) -> String {
    at.format("%Y-%m-%d %H:%M:%S UTC").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use cato_runbook_core::{Actor, Impact, NewIncident};
    use std::time::Duration;

    type TestResult = Result<(), Box<dyn std::error::Error>>;

    fn t0() -> Result<Timestamp, Box<dyn std::error::Error>> {
        // 2026-03-01 12:00:00 UTC
        Timestamp::from_timestamp(1_772_366_400, 0).ok_or_else(|| "bad timestamp".into())
    }

    fn incident(title: &str, at: Timestamp) -> Incident {
        Incident::open(
            NewIncident {
                id: "INC-1".into(),
                runbook: "shadow-self-down".into(),
                resource: "cato-shadow-self".into(),
                title: title.into(),
                impact: Impact::outage(),
                severity: None,
            },
            at,
            Actor::Engine,
        )
    }

    fn ladders(_: &RunbookId) -> Vec<String> {
        vec!["restart-endpoint".to_owned(), "scale-endpoint".to_owned()]
    }

    #[test]
    fn no_incidents_says_so() -> TestResult {
        let page = view("replica-a", true, true, "auto", t0()?, &[], &ladders);
        let html = render(&page)?;
        assert!(html.contains("Cato incident status"));
        assert!(html.contains("No open incidents"));
        assert!(html.contains("replica-a"));
        assert!(html.contains("HALTED"));
        assert!(html.contains(r#"content="30""#));
        Ok(())
    }

    #[test]
    fn one_incident_shows_id_severity_title_and_sla() -> TestResult {
        let t0 = t0()?;
        let incidents = [incident("Shadow Self endpoint down", t0)];
        let now = time::add(t0, Duration::from_secs(600));
        let page = view("replica-a", false, false, "auto", now, &incidents, &ladders);
        let html = render(&page)?;
        assert!(html.contains("INC-1"));
        assert!(html.contains("SEV1"));
        assert!(html.contains("Shadow Self endpoint down"));
        assert!(html.contains("not acknowledged"));
        assert!(html.contains(r#"<span class="badge breached">breached</span>"#));
        assert!(html.contains("rung 1 of 2: restart-endpoint (not started)"));
        assert!(html.contains("2026-03-01 12:00:00 UTC"));
        assert!(!html.contains("No open incidents"));
        assert!(!html.contains("HALTED"));
        Ok(())
    }

    #[test]
    fn title_is_escaped() -> TestResult {
        let t0 = t0()?;
        let incidents = [incident("<script>alert(1)</script>", t0)];
        let page = view("replica-a", true, false, "auto", t0, &incidents, &ladders);
        let html = render(&page)?;
        assert!(!html.contains("<script>"));
        assert!(html.contains("&lt;script&gt;"));
        assert!(html.contains("within SLA"));
        Ok(())
    }
}
