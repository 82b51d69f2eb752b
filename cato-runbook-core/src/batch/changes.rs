//! [`CoalescedDeployments`] and [`CoalescedHealth`]: the first five minutes' reads of a round
//! as one call.

use std::fmt;
use std::sync::Arc;

use async_trait::async_trait;
use futures::future::FutureExt;

use super::round::{Round, answer_of, copy_of};
use crate::error::Result;
use crate::ports::{
    CloudHealth, Deployment, Deployments, DeploymentsRead, HealthEvent, UnreadSource,
};
use crate::time::Timestamp;

/// The earliest `since` of a round's requests.
fn earliest(sinces: &[Timestamp]) -> Timestamp {
    sinces.iter().copied().min().unwrap_or_default()
}

/// What one read answered, for every caller of its round.
struct Read {
    deployments: Vec<Deployment>,
    unread: Vec<UnreadSource>,
}

/// A deployments port whose concurrent reads are made together: the calls of a round (the
/// diagnoses of the incidents opened in one tick) go out as one call with the earliest
/// `since`, and each caller gets the deployments since its own `since` (a failing source is
/// named to every caller of [`read`](Deployments::read); a failed call fails every caller).
/// [`since`](Deployments::since) and [`read`](Deployments::read) keep their own rounds, so
/// each keeps its own answer to a failing source.
pub struct CoalescedDeployments {
    port: Arc<dyn Deployments>,
    reads: Arc<Round<Timestamp, Read>>,
    sinces: Arc<Round<Timestamp, Vec<Deployment>>>,
}

impl CoalescedDeployments {
    /// `port`, read in rounds.
    pub fn new(port: Arc<dyn Deployments>) -> Self {
        CoalescedDeployments {
            port,
            reads: Arc::new(Round::default()),
            sinces: Arc::new(Round::default()),
        }
    }
}

impl fmt::Debug for CoalescedDeployments {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CoalescedDeployments")
            .field("port", &format_args!("{}", self.port))
            .finish_non_exhaustive()
    }
}

impl fmt::Display for CoalescedDeployments {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.port, f)
    }
}

fn since_own(deployments: &[Deployment], since: Timestamp) -> Vec<Deployment> {
    deployments
        .iter()
        .filter(|d| d.at >= since)
        .cloned()
        .collect()
}

#[async_trait]
impl Deployments for CoalescedDeployments {
    async fn since(&self, since: Timestamp) -> Result<Vec<Deployment>> {
        let port = Arc::clone(&self.port);
        let (_, answer) = self.sinces.join(since, move |sinces| {
            async move { port.since(earliest(&sinces)).await }.boxed()
        });
        answer_of(&answer.await, |all| since_own(all, since))
    }

    async fn read(&self, since: Timestamp) -> Result<DeploymentsRead> {
        let port = Arc::clone(&self.port);
        let (_, answer) = self.reads.join(since, move |sinces| {
            async move {
                let read = port.read(earliest(&sinces)).await?;
                Ok(Read {
                    deployments: read.deployments,
                    unread: read.unread,
                })
            }
            .boxed()
        });
        answer_of(&answer.await, |read| DeploymentsRead {
            deployments: since_own(&read.deployments, since),
            unread: read
                .unread
                .iter()
                .map(|u| UnreadSource {
                    source: u.source.clone(),
                    error: copy_of(&u.error),
                })
                .collect(),
        })
    }
}

/// A cloud health port whose concurrent reads are made together: one call with the earliest
/// `since` serves a round, and each caller gets what its own `since` asks for: the events open
/// now, and those started since its `since`.
pub struct CoalescedHealth {
    port: Arc<dyn CloudHealth>,
    round: Arc<Round<Timestamp, Vec<HealthEvent>>>,
}

impl CoalescedHealth {
    /// `port`, read in rounds.
    pub fn new(port: Arc<dyn CloudHealth>) -> Self {
        CoalescedHealth {
            port,
            round: Arc::new(Round::default()),
        }
    }
}

impl fmt::Debug for CoalescedHealth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CoalescedHealth")
            .field("port", &format_args!("{}", self.port))
            .finish_non_exhaustive()
    }
}

impl fmt::Display for CoalescedHealth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.port, f)
    }
}

#[async_trait]
impl CloudHealth for CoalescedHealth {
    async fn events(&self, since: Timestamp) -> Result<Vec<HealthEvent>> {
        let port = Arc::clone(&self.port);
        let (_, answer) = self.round.join(since, move |sinces| {
            async move { port.events(earliest(&sinces)).await }.boxed()
        });
        answer_of(&answer.await, |events| {
            events
                .iter()
                .filter(|e| e.open || e.started_at >= since)
                .cloned()
                .collect()
        })
    }
}
