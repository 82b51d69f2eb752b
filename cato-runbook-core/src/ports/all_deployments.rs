//! [`AllDeployments`]: several sources of deployments as one.

use std::fmt;
use std::sync::Arc;

use async_trait::async_trait;

use super::changes::{Deployment, Deployments, DeploymentsRead, UnreadSource};
use crate::error::{Error, ErrorKind, Result};
use crate::time::Timestamp;

/// Several sources of deployments (SageMaker's endpoint configs, Kubernetes' rollouts, a
/// deployment history) read as one, concurrently, their deployments merged oldest first (a tie
/// keeps the sources' order).
///
/// [`read`](Deployments::read) answers with the deployments of every source that answered and
/// names each source that did not: one failing source hides no other's deployments. It fails
/// only when every source fails (with the first source's error kind and retry class, naming
/// them all). [`since`](Deployments::since) is the strict answer: it fails when any source
/// fails.
///
/// # Examples
///
/// ```
/// use std::sync::Arc;
/// use cato_runbook_core::ports::{AllDeployments, Deployments};
/// # #[derive(Debug)] struct History;
/// # impl std::fmt::Display for History { fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result { f.write_str("history") } }
/// # #[async_trait::async_trait] impl Deployments for History {
/// #     async fn since(&self, _: cato_runbook_core::Timestamp) -> cato_runbook_core::Result<Vec<cato_runbook_core::ports::Deployment>> { Ok(Vec::new()) }
/// # }
///
/// let all = AllDeployments::new().with(Arc::new(History)).with(Arc::new(History));
/// assert_eq!(all.to_string(), "history + history");
/// assert_eq!(all.len(), 2);
/// ```
#[derive(Debug, Clone, Default)]
pub struct AllDeployments {
    sources: Vec<Arc<dyn Deployments>>,
}

impl AllDeployments {
    /// No source yet.
    pub fn new() -> Self {
        AllDeployments::default()
    }

    /// With `source` after the others.
    #[must_use]
    pub fn with(mut self, source: Arc<dyn Deployments>) -> Self {
        self.sources.push(source);
        self
    }

    /// Adds `source` after the others.
    pub fn push(&mut self, source: Arc<dyn Deployments>) {
        self.sources.push(source);
    }

    /// How many sources.
    pub fn len(&self) -> usize {
        self.sources.len()
    }

    /// Whether there is no source.
    pub fn is_empty(&self) -> bool {
        self.sources.is_empty()
    }

    /// The sources, in order.
    pub fn sources(&self) -> &[Arc<dyn Deployments>] {
        &self.sources
    }
}

impl fmt::Display for AllDeployments {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.sources.is_empty() {
            return f.write_str("no deployment source");
        }
        for (i, source) in self.sources.iter().enumerate() {
            if i > 0 {
                f.write_str(" + ")?;
            }
            write!(f, "{source}")?;
        }
        Ok(())
    }
}

fn all_failed(unread: Vec<UnreadSource>) -> Error {
    let names: Vec<String> = unread
        .iter()
        .map(|u| format!("{} ({})", u.source, u.error))
        .collect();
    let (kind, retry) = unread.first().map_or(
        (
            ErrorKind::Unavailable,
            ErrorKind::Unavailable.default_retry(),
        ),
        |u| (u.error.kind(), u.error.retry()),
    );
    let mut err = Error::new(
        kind,
        "deployments.read",
        format!("no deployment source could be read: {}", names.join("; ")),
    )
    .with_retry(retry);
    if let Some(first) = unread.into_iter().next() {
        err = err.with_source(first.error);
    }
    err
}

#[async_trait]
impl Deployments for AllDeployments {
    async fn since(&self, since: Timestamp) -> Result<Vec<Deployment>> {
        let read = self.read(since).await?;
        match read.unread.into_iter().next() {
            None => Ok(read.deployments),
            Some(unread) => Err(Error::new(
                unread.error.kind(),
                "deployments.since",
                format!("deployment source {} could not be read", unread.source),
            )
            .with_retry(unread.error.retry())
            .with_source(unread.error)),
        }
    }

    async fn read(&self, since: Timestamp) -> Result<DeploymentsRead> {
        let reads = self
            .sources
            .iter()
            .map(|source| async move { (source.to_string(), source.read(since).await) });
        let mut out = DeploymentsRead::default();
        let mut answered = 0;
        for (source, result) in futures::future::join_all(reads).await {
            match result {
                Ok(read) => {
                    answered += 1;
                    out.deployments.extend(read.deployments);
                    out.unread.extend(read.unread);
                }
                Err(error) => out.unread.push(UnreadSource { source, error }),
            }
        }
        if answered == 0 && !self.sources.is_empty() {
            return Err(all_failed(out.unread));
        }
        out.deployments.sort_by_key(|d| d.at);
        Ok(out)
    }
}
