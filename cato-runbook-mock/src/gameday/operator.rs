//! What a person does in a game day: a scenario's `[[operator]]` entry done through the
//! operator handle, and said in words on the timeline.

use cato_runbook_core::engine::Operator;

use super::scenario::{Action, OperatorAction};

/// What the entry does, as the timeline says it.
pub(super) fn action_label(action: &Action) -> String {
    match action {
        Action::Acknowledge {} => "acknowledge".into(),
        Action::Approve { step } => format!("approve {step}"),
        Action::Deny { step, .. } => format!("deny {step}"),
        Action::Note { .. } => "note".into(),
        Action::Resolve { .. } => "resolve".into(),
        Action::Halt { .. } => "halt automation".into(),
        Action::Resume {} => "resume automation".into(),
        Action::EscalateToAwsTam { .. } => "escalate to the AWS TAM".into(),
    }
}

/// Does what a person would; returns what happened, in words.
pub(super) async fn perform(operator: &Operator, action: &OperatorAction) -> String {
    let by = action.by.as_str();
    let incident = match (&action.runbook, action.action.needs_incident()) {
        (Some(runbook), true) => match operator.open_incidents().await {
            Ok(open) => match open.into_iter().find(|i| i.runbook().as_str() == runbook) {
                Some(inc) => Some(inc.id().clone()),
                None => return format!("no open {runbook} incident; nothing done"),
            },
            Err(e) => return format!("failed: {e}"),
        },
        _ => None,
    };
    let result = match (&action.action, incident) {
        (Action::Halt { reason }, _) => operator.halt(by, reason).await,
        (Action::Resume {}, _) => operator.resume(by).await,
        (_, None) => return "no incident named; nothing done".into(),
        (Action::Acknowledge {}, Some(id)) => operator.acknowledge(&id, by).await.map(|_| ()),
        (Action::Approve { step }, Some(id)) => operator.approve(&id, step, by).await,
        (Action::Deny { step, reason }, Some(id)) => operator.deny(&id, step, by, reason).await,
        (Action::Note { text }, Some(id)) => operator.note(&id, by, text).await,
        (Action::Resolve { reason }, Some(id)) => operator.resolve(&id, by, reason).await,
        (Action::EscalateToAwsTam { reason }, Some(id)) => {
            operator.escalate_to_aws_tam(&id, by, reason).await
        }
    };
    match result {
        Ok(()) => "done".into(),
        Err(e) => format!("failed: {e}"),
    }
}
