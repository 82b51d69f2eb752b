//! Each section of the postmortem, computed from the incident.

use std::time::Duration;

use super::{
    ActionItem, ImpactSection, Postmortem, PostmortemOptions, ResponseSection, RootCauseSection,
    TimelineLine,
};
use crate::incident::{Incident, Status};
use crate::time::{self, HumanDuration, Timestamp};
use crate::timeline::{Entry, EntryKind};

const FOR_PEOPLE: &str = "[to be filled in by a person]";

pub(super) fn draft(incident: &Incident, options: &PostmortemOptions) -> Postmortem {
    let detected = incident.detected_at();
    let end = incident.phases().resolved;
    Postmortem {
        incident_id: incident.id().to_string(),
        title: incident.title().to_owned(),
        date: detected.format("%Y-%m-%d").to_string(),
        duration: match end {
            Some(end) => hours_minutes(time::elapsed(detected, end)),
            None => format!("ongoing ({})", incident.status()),
        },
        severity: incident.severity().to_string(),
        due: due(incident),
        author: options
            .author
            .clone()
            .unwrap_or_else(|| "cato-runbook (automated draft)".to_owned()),
        draft: options.author.is_none(),
        summary: summary(incident),
        timeline: timeline(incident),
        root_cause: root_cause(incident),
        impact: impact(incident, options),
        response: response(incident),
        mitigation: mitigation(incident),
        prevention: prevention(incident, options),
        lessons: "[To be written by the team in the blameless review: what went well, what went \
                  badly, where we got lucky.]"
            .to_owned(),
    }
}

/// `YYYY-MM-DD HH:MM UTC` of the postmortem's deadline, or what it waits for.
fn due(incident: &Incident) -> String {
    match incident.postmortem_due() {
        Some(due) => due.format("%Y-%m-%d %H:%M UTC").to_string(),
        None => "48 hours after resolution".to_owned(),
    }
}

fn minutes(n: u64) -> String {
    if n == 1 {
        "1 minute".to_owned()
    } else {
        format!("{n} minutes")
    }
}

fn hours_minutes(span: Duration) -> String {
    let minutes = span.as_secs() / 60;
    format!("{} hours {} minutes", minutes / 60, minutes % 60)
}

fn clock(incident: &Incident, at: Timestamp) -> String {
    if at.date_naive() == incident.detected_at().date_naive() {
        at.format("%H:%M").to_string()
    } else {
        at.format("%Y-%m-%d %H:%M").to_string()
    }
}

fn first_line(text: &str) -> &str {
    text.lines().next().unwrap_or("")
}

fn with_detail(text: String, detail: &str) -> String {
    let detail = first_line(detail);
    if detail.is_empty() {
        text
    } else {
        format!("{text}: {detail}")
    }
}

/// The timeline line for an entry, or `None` for entries a reader does not need.
fn line(incident: &Incident, entry: &Entry) -> Option<String> {
    let actor = &entry.actor;
    let d = entry.detail.as_str();
    Some(match &entry.kind {
        EntryKind::SymptomObserved => with_detail(format!("Symptom seen by {actor}"), d),
        EntryKind::IncidentOpened { severity } => {
            format!("Event detected: {} opened as {severity}", incident.id())
        }
        EntryKind::SeverityChanged { from, to } => {
            with_detail(format!("Severity {from} → {to}"), d)
        }
        EntryKind::StatusChanged {
            to: Status::Mitigating,
            ..
        } if incident.phases().mitigating == Some(entry.at) => "Mitigation started".to_owned(),
        EntryKind::StatusChanged { .. } => return None,
        EntryKind::Notified { channel, target } if channel == "pager" => {
            format!("On-call paged ({target})")
        }
        EntryKind::Notified { channel, target } => format!("Notified {target} by {channel}"),
        EntryKind::NotificationFailed { channel, target } => {
            with_detail(format!("Notifying {target} by {channel} failed"), d)
        }
        EntryKind::Escalated { role, contact } => format!("Escalated to {role} ({contact})"),
        EntryKind::Acknowledged => format!("Acknowledged by {actor}"),
        EntryKind::FindingRecorded { .. } => return None,
        EntryKind::RootCausesRanked => with_detail("Root causes ranked".to_owned(), d),
        EntryKind::MitigationPlanned { step } => with_detail(format!("Planned {step}"), d),
        EntryKind::ApprovalRequested { step } => format!("Approval requested for {step}"),
        EntryKind::ApprovalGranted { step } => format!("{step} approved by {actor}"),
        EntryKind::ApprovalDenied { step } => with_detail(format!("{step} denied by {actor}"), d),
        EntryKind::ApprovalExpired { step } => format!("Approval for {step} expired"),
        EntryKind::MitigationApplied { step } => with_detail(format!("Applied {step}"), d),
        EntryKind::MitigationFailed { step } => with_detail(format!("{step} failed"), d),
        EntryKind::MitigationSkipped { step, reason } => format!("Skipped {step}: {reason}"),
        EntryKind::StepRetried {
            step,
            call,
            attempt,
        } => with_detail(
            format!("{call} of {step} failed (try {attempt}), retried"),
            d,
        ),
        EntryKind::MitigationUnknown { step } => {
            with_detail(format!("{step}: whether it applied is unknown"), d)
        }
        EntryKind::VerificationPassed { step } => with_detail(format!("{step} verified"), d),
        EntryKind::VerificationFailed { step } => with_detail(format!("{step} did not help"), d),
        EntryKind::MitigationReverted { step } => with_detail(format!("Reverted {step}"), d),
        EntryKind::SlaBreached => with_detail("Response time breached".to_owned(), d),
        EntryKind::Resolved => with_detail(format!("Service restored (resolved by {actor})"), d),
        EntryKind::Closed => "Incident closed".to_owned(),
        EntryKind::Note => with_detail(format!("Note from {actor}"), d),
        EntryKind::PostmortemReminder | EntryKind::PostmortemOverdue => return None,
    })
}

fn timeline(incident: &Incident) -> Vec<TimelineLine> {
    let mut entries: Vec<&Entry> = incident.timeline().iter().collect();
    // Stable: entries written at the same time keep the order they were written in.
    entries.sort_by_key(|e| e.at);
    entries
        .into_iter()
        .filter_map(|e| {
            line(incident, e).map(|text| TimelineLine {
                time: clock(incident, e.at),
                text,
            })
        })
        .collect()
}

fn root_cause(incident: &Incident) -> RootCauseSection {
    let causes = incident.root_causes();
    match causes.split_first() {
        Some((top, others)) => RootCauseSection {
            text: format!(
                "{} (confidence {:.0} %, ranked first of {} candidate(s) by the runbook's diagnosis)",
                top.cause,
                top.confidence * 100.0,
                causes.len()
            ),
            evidence: top.evidence.clone(),
            others: others
                .iter()
                .map(|c| format!("{} ({:.0} %)", c.cause, c.confidence * 100.0))
                .collect(),
        },
        None => RootCauseSection {
            text: format!("Not determined by the runbook's diagnosis. {FOR_PEOPLE}"),
            evidence: Vec::new(),
            others: Vec::new(),
        },
    }
}

/// How long the incident counts for: detected → resolved, or → its last entry while open.
fn span(incident: &Incident) -> Duration {
    let end = incident.phases().resolved.unwrap_or_else(|| {
        incident
            .timeline()
            .iter()
            .map(|e| e.at)
            .max()
            .unwrap_or_else(|| incident.detected_at())
    });
    time::elapsed(incident.detected_at(), end)
}

fn impact(incident: &Incident, options: &PostmortemOptions) -> ImpactSection {
    let impact = incident.impact();
    let users = if !impact.user_visible() {
        "none (no user-visible impact)".to_owned()
    } else {
        let mut text = format!("{:.0} % of users", impact.affected_share() * 100.0);
        if let Some(n) = impact.users_affected() {
            text.push_str(&format!(" (about {n})"));
        }
        if impact.complete_outage() {
            text.push_str(", complete outage");
        }
        text
    };
    let span_min = span(incident).as_secs_f64() / 60.0;
    let revenue = match options.revenue_per_minute_usd {
        Some(rate) if impact.user_visible() => {
            let lost = rate * span_min * impact.affected_share();
            format!(
                "${lost:.0} (estimated: {span_min:.0} min × ${rate:.2}/min × {:.0} % of users)",
                impact.affected_share() * 100.0
            )
        }
        Some(_) => "$0 (no user-visible impact)".to_owned(),
        None => FOR_PEOPLE.to_owned(),
    };
    let target = HumanDuration(incident.severity().response_time());
    let deadline = incident.response_deadline();
    let sla = match incident.phases().acknowledged {
        Some(ack) if ack <= deadline => format!(
            "0 minutes (acknowledged after {} against the {} response time of {})",
            HumanDuration(time::elapsed(incident.detected_at(), ack)),
            target,
            incident.severity()
        ),
        Some(ack) => format!(
            "{} over the {} response time of {}",
            minutes(time::elapsed(deadline, ack).as_secs().div_ceil(60)),
            target,
            incident.severity()
        ),
        None => {
            let end = time::add(incident.detected_at(), span(incident));
            format!(
                "never acknowledged; {} past the {} response time of {} when it ended",
                minutes(time::elapsed(deadline, end).as_secs().div_ceil(60)),
                target,
                incident.severity()
            )
        }
    };
    ImpactSection {
        users,
        revenue,
        sla,
        added_spend: added_spend(incident),
    }
}

/// `scale-shadow-self from 09:02: ~$11.26/h (~$270/day; 8 × ml.g5.xlarge at $1.408/h)`, one
/// per applied step that added capacity, and their total when there are several.
fn added_spend(incident: &Incident) -> Option<String> {
    let spends = &incident.automation().added_spend;
    if spends.is_empty() {
        return None;
    }
    let mut parts: Vec<String> = spends
        .iter()
        .map(|s| {
            let at = clock(incident, s.at);
            match s.estimate.usd_per_hour {
                Some(hour) => format!(
                    "{} from {at}: ~${hour:.2}/h (~${:.0}/day; {})",
                    s.step,
                    hour * 24.0,
                    s.estimate.basis
                ),
                None => format!("{} from {at}: {}", s.step, s.estimate),
            }
        })
        .collect();
    if spends.len() > 1 {
        let known: Option<f64> = spends.iter().map(|s| s.estimate.usd_per_hour).sum();
        parts.push(match known {
            Some(hour) => format!("total ~${hour:.2}/h (~${:.0}/day)", hour * 24.0),
            None => "total unknown (a price is missing)".to_owned(),
        });
    }
    let priced = spends.iter().any(|s| s.estimate.usd_per_hour.is_some());
    let mut line = parts.join("; ");
    if priced {
        line.push_str(" (estimated at on-demand list prices)");
    }
    Some(line)
}

fn or_dash(span: Option<Duration>) -> String {
    span.map_or_else(|| "—".to_owned(), |s| HumanDuration(s).to_string())
}

fn response(incident: &Incident) -> ResponseSection {
    let end = time::add(incident.detected_at(), span(incident));
    ResponseSection {
        detect: HumanDuration(incident.time_to_detect()).to_string(),
        acknowledge: or_dash(incident.time_to_acknowledge()),
        mitigate: or_dash(incident.time_to_mitigate()),
        resolve: or_dash(incident.time_to_resolve()),
        target: HumanDuration(incident.severity().response_time()).to_string(),
        sla: match incident.response_sla_met(end) {
            Some(true) => "met".to_owned(),
            Some(false) => "missed".to_owned(),
            None => "pending".to_owned(),
        },
    }
}

fn mitigation(incident: &Incident) -> Vec<String> {
    let mut steps: Vec<(String, Vec<String>)> = Vec::new();
    for entry in incident.timeline().iter() {
        let Some(step) = entry.kind.step() else {
            continue;
        };
        let outcome = match &entry.kind {
            EntryKind::MitigationPlanned { .. } => continue,
            EntryKind::MitigationSkipped { reason, .. } => format!("skipped ({reason})"),
            EntryKind::StepRetried { call, .. } => format!("{call} retried"),
            other => other.label().replace("mitigation_", "").replace('_', " "),
        };
        let outcome = format!("{outcome} at {}", clock(incident, entry.at));
        match steps.iter_mut().find(|(s, _)| s == step) {
            Some((_, outcomes)) => outcomes.push(outcome),
            None => steps.push((step.to_owned(), vec![outcome])),
        }
    }
    steps
        .into_iter()
        .map(|(step, outcomes)| format!("{step}: {}", outcomes.join(", ")))
        .collect()
}

fn prevention(incident: &Incident, options: &PostmortemOptions) -> Vec<ActionItem> {
    let base = incident
        .phases()
        .resolved
        .unwrap_or_else(|| incident.detected_at());
    let due = time::add(base, options.action_items_due_after)
        .format("%Y-%m-%d")
        .to_string();
    let mut items: Vec<ActionItem> = options
        .prevention
        .iter()
        .map(|text| ActionItem {
            text: text.clone(),
            owner: options.owner.clone(),
            due: due.clone(),
        })
        .collect();
    items.push(ActionItem {
        text: "Update the runbook with the learnings of this incident".to_owned(),
        owner: options.owner.clone(),
        due,
    });
    items
}

fn summary(incident: &Incident) -> String {
    let mut text = format!(
        "{} on {}: a {} incident, detected at {} UTC.",
        incident.title(),
        incident.resource(),
        incident.severity(),
        incident.detected_at().format("%H:%M")
    );
    if let Some(top) = incident.root_causes().first() {
        text.push_str(&format!(" The likeliest cause was {}.", top.cause));
    }
    let verified: Vec<&str> = incident
        .timeline()
        .iter()
        .filter_map(|e| match &e.kind {
            EntryKind::VerificationPassed { step } => Some(step.as_str()),
            _ => None,
        })
        .collect();
    if let Some(step) = verified.last() {
        text.push_str(&format!(" Automation mitigated it with {step}."));
    } else if incident.automation().exhausted {
        text.push_str(
            " Automation tried every step of its runbook and handed the incident to people.",
        );
    } else {
        text.push_str(" No automated step mitigated it.");
    }
    match incident.phases().resolved {
        Some(at) => text.push_str(&format!(
            " The service was restored at {} UTC, {} after detection.",
            at.format("%H:%M"),
            HumanDuration(time::elapsed(incident.detected_at(), at))
        )),
        None => text.push_str(&format!(" The incident is still {}.", incident.status())),
    }
    text
}
