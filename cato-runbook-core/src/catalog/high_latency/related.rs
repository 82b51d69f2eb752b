//! The open incidents of the related runbooks: the likelier cause, which the scaling steps
//! stand back for.

use super::Config;
use crate::error::Result;
use crate::incident::IncidentId;
use crate::ports::IncidentStore;

/// An open incident of a related runbook.
pub(super) struct OpenRelated {
    pub(super) id: IncidentId,
    pub(super) runbook: String,
    pub(super) title: String,
}

/// The open incidents of the related runbooks, other than `own`, as `store` lists them; none
/// without a store.
pub(super) async fn open_related(
    store: Option<&dyn IncidentStore>,
    config: &Config,
    own: &IncidentId,
) -> Result<Vec<OpenRelated>> {
    let Some(store) = store else {
        return Ok(Vec::new());
    };
    let open = store.open().await?;
    Ok(open
        .into_iter()
        .map(|stored| stored.value)
        .filter(|i| i.id() != own)
        .filter(|i| {
            config
                .related
                .runbooks
                .iter()
                .any(|r| r == i.runbook().as_str())
        })
        .map(|i| OpenRelated {
            id: i.id().clone(),
            runbook: i.runbook().to_string(),
            title: i.title().to_owned(),
        })
        .collect())
}
