//! `cato-runbook severity`: the runbook's severity table.

use cato_runbook_core::Severity;
use cato_runbook_core::time::HumanDuration;
use serde_json::json;

use crate::exit::Failure;
use crate::output::Out;

pub(crate) fn run(out: &mut Out) -> Result<(), Failure> {
    if out.json {
        let rows: Vec<_> = Severity::ALL
            .iter()
            .map(|s| {
                json!({
                    "level": s.to_string(),
                    "description": s.description(),
                    "response_time_secs": s.response_time().as_secs(),
                    "response_time": HumanDuration(s.response_time()).to_string(),
                    "pages": s.pages(),
                    "example": s.example(),
                })
            })
            .collect();
        return out.json(&rows);
    }
    let rows = Severity::ALL
        .iter()
        .map(|s| {
            vec![
                s.to_string(),
                s.description().to_owned(),
                HumanDuration(s.response_time()).to_string(),
                if s.pages() { "pager + chat" } else { "chat" }.to_owned(),
                s.example().to_owned(),
            ]
        })
        .collect();
    out.table(
        &[
            "Level",
            "Description",
            "Response time",
            "Notifies",
            "Example",
        ],
        rows,
    )
}
