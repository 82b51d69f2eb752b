//! The diagnoses: cache stats, recent invalidations (and the learning update behind them), the
//! replication group's node type.

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;

use super::Config;
use super::window::HitRateMonitor;
use crate::catalog::facts;
use crate::catalog::kit;
use crate::error::Result;
use crate::ports::{
    CacheCluster, CacheStats, Datapoint, Deployment, Deployments, MetricQuery, Metrics, Statistic,
};
use crate::runbook::{DiagnoseContext, Diagnosis, DiagnosisReport, Finding, RootCause};
use crate::time::{self, HumanDuration};

/// The runbook's root causes, as it names them.
pub(crate) const CAUSE_INVALIDATION: &str = "Aggressive cache invalidation after learning";
pub(crate) const CAUSE_EVICTION: &str = "Cache eviction due to size limits";
pub(crate) const CAUSE_QUERY_PATTERN: &str = "Query pattern change";

/// `redis-cli INFO stats`: hits, misses and evictions in the window that showed the symptom.
#[derive(Debug)]
pub(crate) struct CacheStatsDiagnosis {
    pub(crate) monitor: Arc<HitRateMonitor>,
    pub(crate) stats: Arc<dyn CacheStats>,
    pub(crate) cache: String,
    pub(crate) undersized_eviction_share: f64,
}

#[async_trait]
impl Diagnosis for CacheStatsDiagnosis {
    fn name(&self) -> &str {
        "cache-stats"
    }

    async fn diagnose(&self, _ctx: &DiagnoseContext) -> Result<DiagnosisReport> {
        let counters = self.stats.counters(&self.cache).await?;
        let Some(m) = self.monitor.latest() else {
            // Diagnosed before the detector measured a window (e.g. by hand): the lifetime
            // counters are all there is, and they rank nothing.
            let lookups = counters.lookups();
            let summary = format!(
                "no hit-rate window measured yet; since the server started: {} hits, {} misses, {} evictions",
                counters.hits, counters.misses, counters.evictions
            );
            let mut finding = Finding::new(self.name(), summary)
                .with(facts::LIFETIME_HITS, kit::count(counters.hits))
                .with(facts::LIFETIME_MISSES, kit::count(counters.misses))
                .with(facts::LIFETIME_EVICTIONS, kit::count(counters.evictions))
                .with_evidence(format!(
                    "INFO stats: keyspace_hits:{} keyspace_misses:{} evicted_keys:{} expired_keys:{}",
                    counters.hits, counters.misses, counters.evictions, counters.expirations
                ));
            if lookups > 0 {
                finding = finding.with(
                    facts::LIFETIME_HIT_RATE,
                    counters.hits as f64 / lookups as f64,
                );
            }
            return Ok(DiagnosisReport::finding(finding));
        };
        let rate = m.hit_rate();
        let share = m.eviction_share();
        let undersized = share >= self.undersized_eviction_share;
        let finding = Finding::new(
            self.name(),
            format!(
                "hit rate {:.0} % over the last window; {:.1} evictions per 100 lookups",
                rate * 100.0,
                share * 100.0
            ),
        )
        .with(facts::HIT_RATE, rate)
        .with(facts::WINDOW_HITS, kit::count(m.window.hits))
        .with(facts::WINDOW_MISSES, kit::count(m.window.misses))
        .with(facts::WINDOW_EVICTIONS, kit::count(m.window.evictions))
        .with(facts::WINDOW_SECONDS, kit::count(m.span().as_secs()))
        .with(facts::EVICTION_SHARE, share)
        .with(facts::CACHE_UNDERSIZED, undersized)
        .with_evidence(m.describe())
        .with_evidence(format!(
            "INFO stats: keyspace_hits:{} keyspace_misses:{} evicted_keys:{} expired_keys:{}",
            counters.hits, counters.misses, counters.evictions, counters.expirations
        ));
        let evidence = format!(
            "{} evictions for {} lookups ({:.1} %; undersized from {:.1} %)",
            m.window.evictions,
            m.window.lookups(),
            share * 100.0,
            self.undersized_eviction_share * 100.0
        );
        let (eviction, pattern) = if undersized {
            (0.85, 0.15)
        } else if m.window.evictions > 0 {
            (0.3, 0.45)
        } else {
            (0.05, 0.5)
        };
        Ok(DiagnosisReport::finding(finding)
            .with_cause(RootCause::new(CAUSE_EVICTION, eviction).with_evidence(evidence.clone()))
            .with_cause(RootCause::new(CAUSE_QUERY_PATTERN, pattern).with_evidence(
                if undersized {
                    "evictions explain the misses".to_owned()
                } else {
                    format!(
                        "the hit rate fell to {:.0} % without evictions",
                        rate * 100.0
                    )
                },
            )))
    }
}

/// `aws cloudwatch get-metric-statistics --namespace Custom/Cato --metric-name
/// CacheInvalidations`, and the recent deployments that could be the learning update behind a
/// spike ("check if learning update invalidated too much; review recent domain updates").
#[derive(Debug)]
pub(crate) struct InvalidationsDiagnosis {
    pub(crate) metrics: Arc<dyn Metrics>,
    pub(crate) deployments: Option<Arc<dyn Deployments>>,
    pub(crate) config: Config,
}

const MINUTE: Duration = Duration::from_secs(60);

impl InvalidationsDiagnosis {
    /// The learning updates among the deployments of the sources that answered (a source that
    /// did not hides no other's), and the unread sources' descriptions.
    async fn learning_updates(
        &self,
        ctx: &DiagnoseContext,
    ) -> Option<Result<(Vec<Deployment>, Vec<String>)>> {
        let deployments = self.deployments.as_ref()?;
        let since = time::sub(ctx.detected_at, self.config.learning_update_within);
        let markers: Vec<String> = self
            .config
            .learning_update_markers
            .iter()
            .map(|m| m.to_lowercase())
            .collect();
        Some(deployments.read(since).await.map(|read| {
            let updates = read
                .deployments
                .into_iter()
                .filter(|d| {
                    let text =
                        format!("{} {} {}", d.service, d.version, d.description).to_lowercase();
                    markers.iter().any(|m| text.contains(m.as_str()))
                })
                .collect();
            let unread = read
                .unread
                .iter()
                .map(|u| format!("{}: {}", u.source, u.error))
                .collect();
            (updates, unread)
        }))
    }
}

#[async_trait]
impl Diagnosis for InvalidationsDiagnosis {
    fn name(&self) -> &str {
        "cache-invalidations"
    }

    async fn diagnose(&self, ctx: &DiagnoseContext) -> Result<DiagnosisReport> {
        let c = &self.config;
        let recent_from = time::sub(ctx.now, c.invalidations_window);
        let start = time::sub(recent_from, c.invalidations_baseline);
        let query = MetricQuery {
            id: "invalidations".into(),
            namespace: c.invalidations_namespace.as_str().into(),
            metric: c.invalidations_metric.as_str().into(),
            dimensions: Vec::new(),
            statistic: Statistic::Sum,
            period: MINUTE,
        };
        let (series, learning) = futures::future::join(
            self.metrics
                .query(std::slice::from_ref(&query), start, ctx.now),
            self.learning_updates(ctx),
        )
        .await;
        let series = series?;
        // A minute without a datapoint is no reading: the peak is of the minutes read, the
        // baseline their mean, and a window with none is unknown, never 0 invalidations.
        let points = series.first().map(|s| s.points.as_slice()).unwrap_or(&[]);
        let (recent, before): (Vec<&Datapoint>, Vec<&Datapoint>) =
            points.iter().partition(|p| p.at >= recent_from);
        let peak = recent.iter().map(|p| p.value).reduce(f64::max);
        let baseline = (!before.is_empty())
            .then(|| before.iter().map(|p| p.value).sum::<f64>() / before.len() as f64);
        let spike = match (peak, baseline) {
            (Some(peak), _) if peak < c.invalidation_spike_min_per_minute => Some(false),
            (Some(peak), Some(baseline)) => Some(peak >= c.invalidation_spike_factor * baseline),
            _ => None,
        };
        let metric = &c.invalidations_metric;
        let recent_window = HumanDuration(c.invalidations_window);
        let baseline_window = HumanDuration(c.invalidations_baseline);
        let shown = |v: Option<f64>, digits: usize| {
            v.map_or("unknown".to_owned(), |v| format!("{v:.digits$}/min"))
        };
        let summary = match (peak, baseline) {
            (None, _) => format!(
                "{metric}: no data in the last {recent_window}: invalidations unknown, no spike concluded"
            ),
            (Some(_), None) => format!(
                "{metric}: peak {} in the last {recent_window}; no data in the {baseline_window} before{}",
                shown(peak, 0),
                if spike.is_none() {
                    ": cannot tell whether it is a spike"
                } else {
                    ""
                }
            ),
            (Some(_), Some(_)) => format!(
                "{metric}: peak {} in the last {recent_window} against {} in the {baseline_window} before{}",
                shown(peak, 0),
                shown(baseline, 1),
                if spike == Some(true) {
                    " — a spike"
                } else {
                    ""
                }
            ),
        };
        let mut finding = Finding::new(self.name(), summary);
        if let Some(peak) = peak {
            finding = finding.with(facts::INVALIDATIONS_PEAK_PER_MINUTE, peak);
        }
        if let Some(baseline) = baseline {
            finding = finding.with(facts::INVALIDATIONS_BASELINE_PER_MINUTE, baseline);
        }
        match spike {
            Some(spike) => finding = finding.with(facts::INVALIDATION_SPIKE, spike),
            None => {
                finding = finding.with_evidence(format!(
                    "{metric} unavailable for the {}: review-invalidations is not planned on a guess",
                    if peak.is_none() {
                        format!("last {recent_window}")
                    } else {
                        format!("baseline ({baseline_window} before)")
                    }
                ));
            }
        }
        let updates = match learning {
            None => {
                finding =
                    finding.with_evidence("recent deployments not checked: no deployments port");
                Vec::new()
            }
            Some(Err(err)) => {
                finding = finding.with_evidence(format!("recent deployments unavailable: {err}"));
                Vec::new()
            }
            Some(Ok((list, unread))) => {
                for source in unread {
                    finding = finding.with_evidence(format!("deployments of {source} not read"));
                }
                list
            }
        };
        finding = finding.with(facts::LEARNING_UPDATE, !updates.is_empty());
        for d in &updates {
            finding = finding.with_evidence(format!(
                "learning update {} {} at {}: {}",
                d.service,
                d.version,
                d.at.format("%Y-%m-%d %H:%M"),
                d.description
            ));
        }
        if let Some(last) = updates.last() {
            finding = finding.with(
                facts::LEARNING_UPDATE_NAME,
                format!(
                    "{} {} at {}",
                    last.service,
                    last.version,
                    last.at.format("%H:%M")
                ),
            );
        }
        let confidence = match (spike, !updates.is_empty()) {
            (Some(true), true) => 0.9,
            (Some(true), false) => 0.65,
            (Some(false) | None, true) => 0.2,
            (Some(false), false) => 0.05,
            // Nothing read and no learning update: no evidence either way.
            (None, false) => return Ok(DiagnosisReport::finding(finding)),
        };
        let mut cause = RootCause::new(CAUSE_INVALIDATION, confidence).with_evidence(match spike {
            Some(_) => format!(
                "invalidations peaked at {} (baseline {})",
                shown(peak, 0),
                shown(baseline, 1)
            ),
            None => format!("invalidations unknown: {metric} has no data to compare"),
        });
        if let Some(last) = updates.last() {
            cause = cause.with_evidence(format!(
                "after learning update {} {}",
                last.service, last.version
            ));
        }
        Ok(DiagnosisReport::finding(finding).with_cause(cause))
    }
}

/// `aws elasticache describe-replication-groups`: the node type the ladder may change.
#[derive(Debug)]
pub(crate) struct ReplicationGroupDiagnosis {
    pub(crate) cluster: Arc<dyn CacheCluster>,
    pub(crate) cache: String,
}

#[async_trait]
impl Diagnosis for ReplicationGroupDiagnosis {
    fn name(&self) -> &str {
        "replication-group"
    }

    async fn diagnose(&self, _ctx: &DiagnoseContext) -> Result<DiagnosisReport> {
        let group = self.cluster.describe(&self.cache).await?;
        Ok(DiagnosisReport::finding(
            Finding::new(
                self.name(),
                format!(
                    "{} is {} with {} × {}",
                    group.id, group.status, group.nodes, group.node_type
                ),
            )
            .with(facts::NODE_TYPE, group.node_type.clone())
            .with(facts::CLUSTER_STATUS, group.status.clone())
            .with(facts::NODES, group.nodes),
        ))
    }
}
