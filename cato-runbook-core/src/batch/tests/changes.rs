//! The deployments and health reads of a round.

use super::*;

/// A deployments and health port counting its calls.
#[derive(Debug, Default)]
struct History {
    calls: Mutex<Vec<Timestamp>>,
}

impl std::fmt::Display for History {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("history")
    }
}

fn deployment(secs: i64) -> Deployment {
    Deployment {
        service: "cato-orchestrator".into(),
        version: format!("v{secs}"),
        at: at(secs),
        author: None,
        description: String::new(),
    }
}

#[async_trait]
impl Deployments for History {
    async fn since(&self, since: Timestamp) -> Result<Vec<Deployment>> {
        self.calls.lock().unwrap().push(since);
        Ok([NOW - 7_200, NOW - 600, NOW - 60]
            .into_iter()
            .filter(|s| at(*s) >= since)
            .map(deployment)
            .collect())
    }

    async fn read(&self, since: Timestamp) -> Result<DeploymentsRead> {
        let deployments = self.since(since).await?;
        Ok(DeploymentsRead {
            deployments,
            unread: vec![crate::ports::UnreadSource {
                source: "kubernetes rollouts".into(),
                error: Error::new(ErrorKind::Unavailable, "rollouts", "down"),
            }],
        })
    }
}

#[async_trait]
impl CloudHealth for History {
    async fn events(&self, since: Timestamp) -> Result<Vec<HealthEvent>> {
        self.calls.lock().unwrap().push(since);
        let event = |started: i64, open: bool| HealthEvent {
            service: "SAGEMAKER".into(),
            region: "us-east-1".into(),
            started_at: at(started),
            open,
            description: format!("{started}"),
        };
        Ok(vec![
            event(NOW - 86_400, true),
            event(NOW - 7_200, false),
            event(NOW - 300, false),
        ]
        .into_iter()
        .filter(|e| e.open || e.started_at >= since)
        .collect())
    }
}

#[tokio::test(start_paused = true)]
async fn deployment_reads_of_a_round_are_one_call_from_the_earliest_since() {
    let port = Arc::new(History::default());
    let coalesced = CoalescedDeployments::new(port.clone());
    let (hour, day, minutes) = (at(NOW - 3_600), at(NOW - 86_400), at(NOW - 120));
    let (a, b, c) = futures::join!(
        coalesced.read(hour),
        coalesced.read(day),
        coalesced.read(minutes)
    );
    assert_eq!(*port.calls.lock().unwrap(), [day]);
    let versions = |read: &DeploymentsRead| {
        read.deployments
            .iter()
            .map(|d| d.version.clone())
            .collect::<Vec<_>>()
    };
    let (a, b, c) = (a.unwrap(), b.unwrap(), c.unwrap());
    assert_eq!(
        versions(&a),
        [format!("v{}", NOW - 600), format!("v{}", NOW - 60)]
    );
    assert_eq!(versions(&b).len(), 3);
    assert_eq!(versions(&c), [format!("v{}", NOW - 60)]);
    for read in [&a, &b, &c] {
        assert_eq!(read.unread.len(), 1);
        assert_eq!(read.unread[0].error.kind(), ErrorKind::Unavailable);
    }
    let (x, y) = futures::join!(coalesced.since(minutes), coalesced.since(hour));
    assert_eq!(x.unwrap().len(), 1);
    assert_eq!(y.unwrap().len(), 2);
    assert_eq!(*port.calls.lock().unwrap(), [day, hour]);
}

#[tokio::test(start_paused = true)]
async fn health_reads_of_a_round_are_one_call_and_each_keeps_its_own_since() {
    let port = Arc::new(History::default());
    let coalesced = CoalescedHealth::new(port.clone());
    let (hour, day) = (at(NOW - 3_600), at(NOW - 2 * 86_400));
    let (a, b) = futures::join!(coalesced.events(hour), coalesced.events(day));
    assert_eq!(*port.calls.lock().unwrap(), [day]);
    let started = |events: Vec<HealthEvent>| {
        events
            .iter()
            .map(|e| e.started_at.timestamp())
            .collect::<Vec<_>>()
    };
    // Open now, or started since its own `since`.
    assert_eq!(started(a.unwrap()), [NOW - 86_400, NOW - 300]);
    assert_eq!(started(b.unwrap()), [NOW - 86_400, NOW - 7_200, NOW - 300]);
}
