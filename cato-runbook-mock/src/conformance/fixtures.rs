//! Fixtures for a [`World`]: what its fakes hold, in the shape the checks take.

use std::time::Duration;

use cato_runbook_core::ports::{Dimension, MetricQuery, Statistic};
use cato_runbook_core::time;
use cato_runbook_core::{Error, ErrorKind, Result};

use super::Settle;
use super::budget::BudgetFixture;
use super::cache::{CacheClusterFixture, CacheStatsFixture};
use super::changes::{CloudHealthFixture, DeploymentsFixture, ExpectedHealthEvent};
use super::chat::ChatFixture;
use super::endpoint::EndpointFixture;
use super::lease::LeaseFixture;
use super::logs::LogsFixture;
use super::mail::MailFixture;
use super::metrics::MetricsFixture;
use super::pager::PagerFixture;
use super::quotas::QuotasFixture;
use super::store::StoreFixture;
use super::tables::TablesFixture;
use super::traffic::TrafficFixture;
use super::workloads::WorkloadsFixture;
use crate::world::{World, WorldChange};

/// The image of the workload's second revision, rolled out by the fixtures.
const CONFORMANCE_IMAGE: &str = "cato/orchestrator:conformance";

/// One fixture per port.
#[derive(Debug, Clone)]
pub struct Fixtures {
    /// The model endpoint.
    pub endpoint: EndpointFixture,
    /// Metrics.
    pub metrics: MetricsFixture,
    /// Logs.
    pub logs: LogsFixture,
    /// Cache counters.
    pub cache_stats: CacheStatsFixture,
    /// The cache cluster.
    pub cache_cluster: CacheClusterFixture,
    /// The budget.
    pub budget: BudgetFixture,
    /// Quotas.
    pub quotas: QuotasFixture,
    /// Tables.
    pub tables: TablesFixture,
    /// Workloads.
    pub workloads: WorkloadsFixture,
    /// Traffic controls.
    pub traffic: TrafficFixture,
    /// Deployments.
    pub deployments: DeploymentsFixture,
    /// Cloud health.
    pub cloud_health: CloudHealthFixture,
    /// The pager.
    pub pager: PagerFixture,
    /// Chat.
    pub chat: ChatFixture,
    /// Mail.
    pub mail: MailFixture,
    /// The incident store.
    pub store: StoreFixture,
    /// The leader lease.
    pub lease: LeaseFixture,
}

fn missing(what: &str) -> Error {
    Error::invalid_input(
        "conformance.fixtures",
        format!("the world has no {what} to check"),
    )
}

impl World {
    /// Fixtures describing this world's first endpoint, cache, table, workload and quota, its
    /// budget, traffic settings and deployments, a log group `/cato/conformance` it writes the
    /// standard lines into now, and its health events with two it opens now (an open
    /// `SAGEMAKER` one and a `BEDROCK` one it closes at once). Waits run on the world's clock.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidInput`](cato_runbook_core::ErrorKind::InvalidInput) when the world
    /// lacks something a fixture needs (an endpoint with two configs, a cache, a table, a
    /// workload, a quota).
    pub fn conformance_fixtures(&self) -> Result<Fixtures> {
        let config = self.config();
        let now = self.now();
        let settle = Settle::new(
            self.clock_handle(),
            Duration::from_secs(2 * 3600),
            Duration::from_secs(30),
        );
        let prefix = "conformance".to_owned();

        let e = config
            .endpoints
            .first()
            .ok_or_else(|| missing("endpoint"))?;
        let mut configs = e.configs.clone();
        configs.sort_by_key(|c| std::cmp::Reverse(c.created_ago));
        let current = configs
            .iter()
            .position(|c| c.name == e.current_config)
            .ok_or_else(|| missing("current endpoint config"))?;
        let previous = current
            .checked_sub(1)
            .and_then(|i| configs.get(i))
            .ok_or_else(|| missing("endpoint config older than the current one"))?;
        let filter = e.name.clone();
        if !previous.name.contains(&filter) || !e.current_config.contains(&filter) {
            return Err(missing("pair of configs named after the endpoint"));
        }
        let endpoint = EndpointFixture {
            endpoint: e.name.clone(),
            variant: e.variant.clone(),
            instances: e.instances,
            instance_type: e.instance_type.clone(),
            current_config: e.current_config.clone(),
            previous_config: previous.name.clone(),
            config_filter: filter,
            missing: "no-such-endpoint".into(),
            unknown_config: ErrorKind::NotFound,
            key_prefix: prefix.clone(),
            settle: settle.clone(),
        };

        let metrics = MetricsFixture {
            namespace: "Custom/CatoConformance".into(),
            metric: "ConformanceProbe".into(),
            dimensions: vec![Dimension::new("Check", "conformance")],
            percentiles: true,
            published: Some(MetricQuery {
                id: "model_latency".into(),
                namespace: "AWS/SageMaker".into(),
                metric: "ModelLatency".into(),
                dimensions: vec![Dimension::new("EndpointName", e.name.clone())],
                statistic: Statistic::Percentile(99.0),
                period: Duration::from_secs(60),
            }),
            lookback: Duration::from_secs(10 * 60).min(config.metrics.history),
            settle: settle.clone(),
        };

        let group = "/cato/conformance".to_owned();
        let events = LogsFixture::standard_events();
        for message in &events {
            self.apply(WorldChange::Log {
                group: group.clone(),
                stream: "conformance".into(),
                message: message.clone(),
            })?;
        }
        let logs = LogsFixture {
            group,
            events,
            since: time::sub(now, Duration::from_secs(60)),
            missing_group: "/cato/no-such-group".into(),
            settle: settle.clone(),
        };

        let c = config.caches.first().ok_or_else(|| missing("cache"))?;
        let larger = if c.node_type == "cache.r7g.2xlarge" {
            "cache.r7g.4xlarge"
        } else {
            "cache.r7g.2xlarge"
        };
        let snapshot = self.snapshot();
        let hit_rate = snapshot
            .caches
            .iter()
            .find(|s| s.id == c.id)
            .map(|s| s.hit_ratio)
            .filter(|_| config.traffic.requests_per_minute > 0.0);
        let cache_stats = CacheStatsFixture {
            cache: c.id.clone(),
            missing: "no-such-cache".into(),
            hit_rate,
            settle: settle.clone(),
        };
        let cache_cluster = CacheClusterFixture {
            id: c.id.clone(),
            node_type: c.node_type.clone(),
            larger_node_type: larger.into(),
            missing: "no-such-cache".into(),
            key_prefix: prefix.clone(),
            settle: settle.clone(),
        };

        let q = config
            .quotas
            .quotas
            .first()
            .ok_or_else(|| missing("quota"))?;
        let t = config.tables.first().ok_or_else(|| missing("table"))?;
        let w = config
            .workloads
            .first()
            .ok_or_else(|| missing("workload"))?;

        // A second revision of the workload, for the rollback checks.
        self.apply(WorldChange::Rollout {
            namespace: w.namespace.clone(),
            name: w.name.clone(),
            image: CONFORMANCE_IMAGE.into(),
            change_cause: Some("conformance: a second revision".into()),
            author: None,
            overhead_ms: None,
        })?;

        let deployments_since = time::sub(config.start, Duration::from_secs(7 * 24 * 3600));
        let mut deployed: Vec<_> = config
            .deployments
            .iter()
            .filter(|d| time::sub(config.start, d.ago) >= deployments_since)
            .collect();
        deployed.sort_by_key(|d| std::cmp::Reverse(d.ago));
        let health_since = time::sub(config.start, Duration::from_secs(24 * 3600));
        let mut health: Vec<ExpectedHealthEvent> = config
            .health_events
            .iter()
            .filter(|h| h.open || time::sub(config.start, h.ago) >= health_since)
            .map(|h| ExpectedHealthEvent {
                service: h.service.clone(),
                region: h.region.clone(),
                open: h.open,
            })
            .collect();
        // Events of its own, so that the check never runs on an empty dashboard: one open, one
        // that started and ended now (closed, yet since `since`), each in a region where the
        // world has no event of that service (closing it closes every open one there).
        for (service, open) in [("SAGEMAKER", true), ("BEDROCK", false)] {
            let region = ["us-east-1", "us-west-2", "eu-west-1", "ap-southeast-2"]
                .into_iter()
                .find(|r| {
                    !config
                        .health_events
                        .iter()
                        .any(|h| h.service == service && h.region == *r)
                })
                .unwrap_or("conformance-1")
                .to_owned();
            self.apply(WorldChange::HealthEvent {
                service: service.into(),
                region: region.clone(),
                description: format!("conformance: {service} elevated error rates"),
            })?;
            if !open {
                self.apply(WorldChange::HealthEventResolved {
                    service: service.into(),
                    region: region.clone(),
                })?;
            }
            health.push(ExpectedHealthEvent {
                service: service.into(),
                region,
                open,
            });
        }

        Ok(Fixtures {
            endpoint,
            metrics,
            logs,
            cache_stats,
            cache_cluster,
            budget: BudgetFixture {
                monthly_limit_usd: snapshot.budget.limit_usd,
                mode: snapshot.budget.mode,
                key_prefix: prefix.clone(),
                settle: settle.clone(),
            },
            quotas: QuotasFixture {
                service: q.service.clone(),
                code: q.code.clone(),
                value: q.value,
                missing_code: "L-NOSUCHQUOTA".into(),
                key_prefix: prefix.clone(),
            },
            tables: TablesFixture {
                table: t.name.clone(),
                missing: "no-such-table".into(),
                key_prefix: prefix.clone(),
                settle: settle.clone(),
            },
            workloads: WorkloadsFixture {
                namespace: w.namespace.clone(),
                name: w.name.clone(),
                replicas: w.replicas,
                missing: "no-such-workload".into(),
                key_prefix: prefix.clone(),
                settle: settle.clone(),
                images: vec![w.image.clone(), CONFORMANCE_IMAGE.into()],
            },
            traffic: TrafficFixture {
                state: snapshot.traffic.clone(),
                key_prefix: prefix.clone(),
                settle: settle.clone(),
            },
            deployments: DeploymentsFixture {
                since: deployments_since,
                services: deployed.iter().map(|d| d.service.clone()).collect(),
                settle: settle.clone(),
            },
            cloud_health: CloudHealthFixture {
                since: health_since,
                events: health,
            },
            pager: PagerFixture {
                target: config
                    .pager
                    .targets
                    .first()
                    .cloned()
                    .unwrap_or_else(|| "on-call".into()),
                key_prefix: prefix.clone(),
            },
            chat: ChatFixture {
                channel: config
                    .chat
                    .channels
                    .first()
                    .cloned()
                    .unwrap_or_else(|| "#cato-incident".into()),
                missing_channel: "#no-such-channel".into(),
            },
            mail: MailFixture {
                to: "aws-support@company.com".into(),
            },
            store: StoreFixture {
                id_prefix: "INC-CONFORMANCE".into(),
                at: now,
                fence: cato_runbook_core::ports::Fence(0),
            },
            lease: LeaseFixture {
                ttl: Duration::from_secs(30),
                settle,
            },
        })
    }
}
