//! What the operator API's replies mean and how they print for a person: the incident list as
//! a table, an incident as `key: value` lines and its timeline, the status as lines; and the
//! failure a non-2xx reply stands for.

use reqwest::StatusCode;
use serde_json::Value;

use crate::exit::Failure;
use crate::output::{FAIL, HEADING, Out};

/// What a reply holds, hence how it prints.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Reply {
    /// `{"incidents": [Incident, …]}`.
    Incidents,
    /// One incident (`cato_runbook_core::Incident` as serde writes it).
    Incident,
    /// The service's status.
    Status,
}

/// Prints a 2xx reply for a person.
pub(super) fn reply(out: &mut Out, reply: Reply, value: &Value) -> Result<(), Failure> {
    match reply {
        Reply::Incidents => incidents(out, value),
        Reply::Incident => incident(out, value),
        Reply::Status => status(out, value),
    }
}

/// The open incidents as a table.
fn incidents(out: &mut Out, reply: &Value) -> Result<(), Failure> {
    let list = reply
        .get("incidents")
        .and_then(Value::as_array)
        .or_else(|| reply.as_array())
        .ok_or_else(|| Failure::runtime("the service's reply holds no list of incidents"))?;
    if list.is_empty() {
        return out.line("No open incidents.");
    }
    let rows = list
        .iter()
        .map(|i| {
            vec![
                text(i.get("id")),
                text(i.get("severity")),
                text(i.get("status")),
                text(i.get("runbook")),
                text(i.get("resource")),
                text(i.get("title")),
                time(i.pointer("/phases/detected")),
            ]
        })
        .collect();
    let header = [
        "Id", "Severity", "Status", "Runbook", "Resource", "Title", "Detected",
    ];
    out.table(&header, rows)
}

/// One incident: a heading, `key: value` lines, then its timeline one entry a line.
fn incident(out: &mut Out, incident: &Value) -> Result<(), Failure> {
    if !incident.is_object() {
        return Err(Failure::runtime("the service's reply is not an incident"));
    }
    let heading = format!(
        "{} {}",
        text(incident.get("id")),
        text(incident.get("title"))
    );
    out.line(Out::styled(HEADING, heading))?;
    for key in ["severity", "status", "runbook", "resource"] {
        out.line(format!("{key}: {}", text(incident.get(key))))?;
    }
    if let Some(by) = incident.get("acknowledged_by").and_then(Value::as_str) {
        out.line(format!("acknowledged by: {by}"))?;
    }
    let phases = [
        "detected",
        "acknowledged",
        "mitigating",
        "monitoring",
        "resolved",
        "closed",
    ];
    for phase in phases {
        let at = incident.get("phases").and_then(|p| p.get(phase));
        if at.is_some_and(|at| !at.is_null()) {
            out.line(format!("{phase}: {}", time(at)))?;
        }
    }
    if let Some(line) = postmortem_due(incident) {
        out.line(line)?;
    }
    let timeline = incident.get("timeline");
    let entries = timeline.and_then(Value::as_array).or_else(|| {
        timeline
            .and_then(|t| t.get("entries"))
            .and_then(Value::as_array)
    });
    let entries = entries.map(Vec::as_slice).unwrap_or_default();
    out.line("")?;
    out.line(Out::styled(
        HEADING,
        format!("Timeline ({} entries)", entries.len()),
    ))?;
    for e in entries {
        out.line(format!("  {}", entry(e)))?;
    }
    Ok(())
}

/// `postmortem due: …` once resolved (the engine sets the deadline at resolution), with
/// `(overdue)` past it or `(postmortem attached)` once closed.
fn postmortem_due(incident: &Value) -> Option<String> {
    let watch = incident.pointer("/automation/postmortem")?;
    let due = watch.get("due").filter(|due| !due.is_null())?;
    let note = match incident.get("status").and_then(Value::as_str) {
        Some("closed") => " (postmortem attached)",
        _ if watch.get("overdue") == Some(&Value::Bool(true)) => " (overdue)",
        _ => "",
    };
    Some(format!("postmortem due: {}{note}", time(Some(due))))
}

/// The fields of a status reply, in this order first; any others after them.
const STATUS_FIELDS: [&str; 5] = ["replica", "mode", "leader", "halted", "open"];

/// The service's status as `key: value` lines; a halted service says so in red.
fn status(out: &mut Out, status: &Value) -> Result<(), Failure> {
    let Some(fields) = status.as_object() else {
        return out.line(text(Some(status)));
    };
    let known = STATUS_FIELDS
        .iter()
        .filter_map(|k| fields.get(*k).map(|v| (*k, v)));
    let others = fields
        .iter()
        .map(|(k, v)| (k.as_str(), v))
        .filter(|(k, _)| !STATUS_FIELDS.contains(k));
    for (key, value) in known.chain(others) {
        let mut shown = text(Some(value));
        if key == "halted" && value.as_bool() == Some(true) {
            shown = Out::styled(FAIL, shown);
        }
        out.line(format!("{key}: {shown}"))?;
    }
    Ok(())
}

/// A timeline entry as the core library's `Entry` displays: `at [actor] kind step: detail`.
fn entry(entry: &Value) -> String {
    let mut line = format!(
        "{} [{}] {}",
        time(entry.get("at")),
        actor(entry.get("actor")),
        text(entry.get("kind"))
    );
    if let Some(step) = entry.get("step").and_then(Value::as_str) {
        line.push(' ');
        line.push_str(step);
    }
    if let Some(detail) = entry
        .get("detail")
        .and_then(Value::as_str)
        .filter(|d| !d.is_empty())
    {
        line.push_str(": ");
        line.push_str(detail);
    }
    line
}

/// An actor, `{"type": "engine"}` or `{"type": "detector" | "person", "name": …}`, as text.
fn actor(actor: Option<&Value>) -> String {
    let field = |key: &str| actor.and_then(|a| a.get(key)).and_then(Value::as_str);
    match (field("type"), field("name")) {
        (Some("detector"), Some(name)) => format!("detector {name}"),
        (Some(_), Some(name)) => name.to_owned(),
        (Some(kind), None) => kind.to_owned(),
        (None, _) => text(actor),
    }
}

/// A JSON field as text: strings without quotes, booleans as yes/no, missing or null as `-`.
fn text(value: Option<&Value>) -> String {
    match value {
        None | Some(Value::Null) => "-".to_owned(),
        Some(Value::String(s)) => s.clone(),
        Some(Value::Bool(b)) => String::from(if *b { "yes" } else { "no" }),
        Some(other) => other.to_string(),
    }
}

/// An RFC 3339 time as `YYYY-MM-DD HH:MM:SS` in UTC; anything else as [`text`].
fn time(value: Option<&Value>) -> String {
    value
        .and_then(Value::as_str)
        .and_then(|s| chrono::DateTime::parse_from_rfc3339(s).ok())
        .map(|t| {
            t.with_timezone(&chrono::Utc)
                .format("%Y-%m-%d %H:%M:%S")
                .to_string()
        })
        .unwrap_or_else(|| text(value))
}

/// The failure a non-2xx reply means: bad usage for the caller's mistakes (400, 401, 403, 404,
/// 409, 422), a provider credential the service holds that was refused (`provider_unauthenticated`,
/// exit 4), a runtime failure otherwise. The body should be `{"error": {"kind", "message"}}`;
/// another body is quoted (its first 200 characters).
pub(super) fn failure(status: StatusCode, body: &str) -> Failure {
    let parsed = serde_json::from_str::<Value>(body).ok().and_then(|v| {
        let error = v.get("error")?;
        let kind = error.get("kind")?.as_str()?.to_owned();
        let message = error
            .get("message")
            .and_then(Value::as_str)
            .unwrap_or_default();
        Some((kind, message.trim().to_owned()))
    });
    let (kind, message) = parsed.unwrap_or_else(|| {
        let reason = status.canonical_reason().unwrap_or("error").to_lowercase();
        let body = body.trim();
        let mut quoted: String = body.chars().take(200).collect();
        if quoted.len() < body.len() {
            quoted.push('…');
        }
        (reason, quoted)
    });
    let head = format!("{} {}", status.as_u16(), kind.replace('_', " "));
    let text = if message.is_empty() {
        head
    } else {
        format!("{head}: {message}")
    };
    match status.as_u16() {
        // The service's own credential for a provider: a person must renew it there.
        _ if kind == "provider_unauthenticated" => Failure {
            code: crate::exit::UNAUTHENTICATED,
            message: text,
        },
        400 | 401 | 403 | 404 | 409 | 422 => Failure::usage(text),
        _ => Failure::runtime(text),
    }
}

/// An error with its causes: `a: b: c` (a cause already in the text is not repeated).
pub(super) fn chain(err: &dyn std::error::Error) -> String {
    let mut text = err.to_string();
    let mut source = err.source();
    while let Some(cause) = source {
        let cause_text = cause.to_string();
        if !text.contains(&cause_text) {
            text.push_str(": ");
            text.push_str(&cause_text);
        }
        source = cause.source();
    }
    text
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::exit::{RUNTIME, USAGE};

    /// The failure for a status code and a body.
    fn failed(code: u16, body: &str) -> Result<(u8, String), Failure> {
        let status = StatusCode::from_u16(code).map_err(|e| Failure::usage(e.to_string()))?;
        let failure = failure(status, body);
        Ok((failure.code, failure.message))
    }

    #[test]
    fn error_bodies_become_failures() -> Result<(), Failure> {
        let body = r#"{"error": {"kind": "forbidden", "message": "viewer cannot ack"}}"#;
        assert_eq!(
            failed(403, body)?,
            (USAGE, "403 forbidden: viewer cannot ack".into())
        );
        let body = r#"{"error": {"kind": "illegal_transition", "message": "not resolved"}}"#;
        let expected = "409 illegal transition: not resolved";
        assert_eq!(failed(409, body)?, (USAGE, expected.into()));
        let body = r#"{"error": {"kind": "unauthorized", "message": ""}}"#;
        assert_eq!(failed(401, body)?, (USAGE, "401 unauthorized".into()));
        for code in [400, 404, 422] {
            assert_eq!(failed(code, "{}")?.0, USAGE);
        }
        let body = r#"{"error": {"kind": "unavailable", "message": "not the leader"}}"#;
        let expected = "503 unavailable: not the leader";
        assert_eq!(failed(503, body)?, (RUNTIME, expected.into()));
        let expected = "502 bad gateway: upstream down";
        assert_eq!(failed(502, "upstream down\n")?, (RUNTIME, expected.into()));
        let body = r#"{"error": {"kind": "provider_unauthenticated", "message": "slack: token"}}"#;
        assert_eq!(failed(502, body)?.0, crate::exit::UNAUTHENTICATED);
        assert_eq!(
            failed(500, "")?,
            (RUNTIME, "500 internal server error".into())
        );
        let (_, long) = failed(500, &"x".repeat(500))?;
        assert!(long.ends_with('…') && long.len() < 300, "{long}");
        Ok(())
    }

    #[test]
    fn entries_print_as_the_core_displays_them() {
        let note = json!({"at": "2026-03-01T12:00:00Z", "kind": "note",
            "actor": {"type": "person", "name": "alice"}, "detail": "looking at the deploy"});
        assert_eq!(
            entry(&note),
            "2026-03-01 12:00:00 [alice] note: looking at the deploy"
        );
        let applied = json!({"at": "2026-03-01T12:05:30Z", "actor": {"type": "engine"},
            "kind": "mitigation_applied", "step": "scale-up", "detail": ""});
        assert_eq!(
            entry(&applied),
            "2026-03-01 12:05:30 [engine] mitigation_applied scale-up"
        );
        let seen = json!({"type": "detector", "name": "p99"});
        assert_eq!(actor(Some(&seen)), "detector p99");
        let resolved = json!({"status": "resolved",
            "automation": {"postmortem": {"due": "2026-03-03T12:02:00Z", "overdue": true}}});
        assert_eq!(
            postmortem_due(&resolved).as_deref(),
            Some("postmortem due: 2026-03-03 12:02:00 (overdue)")
        );
        let closed = json!({"status": "closed", "automation": {"postmortem": {"due": "2026-03-03T12:02:00Z"}}});
        assert_eq!(
            postmortem_due(&closed).as_deref(),
            Some("postmortem due: 2026-03-03 12:02:00 (postmortem attached)")
        );
        assert_eq!(
            postmortem_due(&json!({"status": "detected", "automation": {}})),
            None
        );
        assert_eq!(time(Some(&json!("yesterday"))), "yesterday");
        assert_eq!(text(None), "-");
    }
}
