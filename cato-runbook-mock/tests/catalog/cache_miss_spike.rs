//! Cache Miss Spike on the fakes: the hit-rate window, SEV3, root causes from the evidence, the
//! review rung, the node-type change behind approval (granted, denied, lapsed).

use std::time::Duration;

use cato_runbook_core::catalog::{self, CatalogConfig, PortName, Providers};
use cato_runbook_core::engine::{Engine, Mode, Operator, Policy};
use cato_runbook_core::ports::{Clock, SystemClock};
use cato_runbook_core::runbook::ObserveContext;
use cato_runbook_core::{EntryKind, Incident, Severity, Status};
use cato_runbook_mock::gameday::providers;
use cato_runbook_mock::{FakePorts, Op, World, WorldChange, WorldConfig};

const ID: &str = "cache-miss-spike";
const MIN: Duration = Duration::from_secs(60);
const TICK: Duration = Duration::from_secs(30);

struct Rig {
    world: World,
    ports: FakePorts,
    engine: Engine,
}

impl Rig {
    fn new(config: WorldConfig, catalog: CatalogConfig) -> Rig {
        let world = World::new(config).unwrap();
        let ports = world.ports("replica-1");
        let runbook = catalog::build(ID, &providers(&world, &ports), &catalog).unwrap();
        let engine = world
            .engine_builder(&ports)
            .runbook(runbook)
            .policy(Policy::with_mode(Mode::Auto))
            .build()
            .unwrap();
        Rig {
            world,
            ports,
            engine,
        }
    }

    fn default() -> Rig {
        Rig::new(WorldConfig::default(), CatalogConfig::default())
    }

    fn operator(&self) -> Operator {
        self.engine.operator()
    }

    /// Ticks every 30 s for `d`.
    async fn run_for(&self, d: Duration) {
        let end = self.world.now() + d;
        while self.world.now() < end {
            self.engine.tick().await.unwrap();
            self.world.clock().sleep(TICK).await;
        }
    }

    fn change(&self, change: WorldChange) {
        self.world.apply(change).unwrap();
    }

    async fn incident(&self) -> Incident {
        let all = self.ports.store.all().await.unwrap();
        let mut ours: Vec<_> = all
            .into_iter()
            .filter(|i| i.runbook().as_str() == ID)
            .collect();
        assert_eq!(ours.len(), 1, "one {ID} incident: {ours:?}");
        ours.remove(0)
    }

    async fn no_incident(&self) {
        let all = self.ports.store.all().await.unwrap();
        assert!(all.iter().all(|i| i.runbook().as_str() != ID), "{all:?}");
    }

    fn modifications(&self) -> usize {
        self.world
            .calls()
            .applied(Op::CacheClusterModifyNodeType)
            .len()
    }
}

fn steps(incident: &Incident, label: &str) -> Vec<String> {
    incident
        .timeline()
        .with_label(label)
        .filter_map(|e| e.kind.step().map(str::to_owned))
        .collect()
}

fn top_cause(incident: &Incident) -> String {
    incident.root_causes()[0].cause.clone()
}

fn undersized() -> WorldChange {
    WorldChange::CacheWorkingSet {
        cache: "cato-cache".into(),
        gib: 16.0,
    }
}

fn learning_update() -> WorldChange {
    WorldChange::Deploy {
        service: "cato-learning".into(),
        version: "v42".into(),
        author: Some("learning-pipeline".into()),
        description: "domain update: medicine, law".into(),
    }
}

fn invalidations(per_minute: f64) -> WorldChange {
    WorldChange::CacheInvalidations {
        cache: "cato-cache".into(),
        per_minute,
    }
}

fn hit_ratio(ratio: f64) -> WorldChange {
    WorldChange::CacheHitRatio {
        cache: "cato-cache".into(),
        ratio,
    }
}

#[tokio::test(start_paused = true)]
async fn a_healthy_cache_opens_nothing() {
    let rig = Rig::default();
    rig.run_for(30 * MIN).await;
    rig.no_incident().await;
}

#[tokio::test(start_paused = true)]
async fn undersized_cache_is_sev3_and_scaled_up_once_approved() {
    let rig = Rig::default();
    rig.run_for(2 * MIN).await;
    rig.change(undersized());
    rig.run_for(2 * MIN).await;

    let inc = rig.incident().await;
    assert_eq!(inc.severity(), Severity::Sev3);
    assert!(inc.title().contains("Cache Miss Spike"));
    assert_eq!(top_cause(&inc), "Cache eviction due to size limits");
    assert!(inc.root_causes()[0].confidence > 0.8);
    // The seed's order: the review rung first (no spike: skipped), then the node type.
    assert_eq!(
        steps(&inc, "mitigation_skipped"),
        ["review-invalidations"],
        "{:#?}",
        inc.timeline()
    );
    assert_eq!(
        steps(&inc, "approval_requested"),
        ["modify-cache-node-type"]
    );
    let requested = inc.timeline().first("approval_requested").unwrap();
    assert!(
        requested
            .detail
            .contains("cato-cache cache node type: cache.r7g.large → cache.r7g.2xlarge"),
        "{}",
        requested.detail
    );
    assert_eq!(rig.modifications(), 0, "nothing changes before approval");
    assert!(rig.world.pager_events().is_empty(), "SEV3 does not page");

    rig.operator()
        .approve(inc.id(), "modify-cache-node-type", "lead")
        .await
        .unwrap();
    rig.run_for(10 * MIN).await;
    let calls = rig.world.calls().applied(Op::CacheClusterModifyNodeType);
    assert_eq!(calls.len(), 1);
    assert_eq!(calls[0].arg_str("node_type"), Some("cache.r7g.2xlarge"));
    assert_eq!(
        calls[0].key.as_ref().unwrap().as_str(),
        format!("{}:modify-cache-node-type", inc.id())
    );
    assert!(
        rig.incident().await.is_open(),
        "modifying: not yet verified"
    );

    rig.run_for(30 * MIN).await;
    let inc = rig.incident().await;
    assert_eq!(inc.status(), Status::Resolved, "{:#?}", inc.timeline());
    assert_eq!(
        steps(&inc, "mitigation_applied"),
        ["modify-cache-node-type"]
    );
    let passed = inc.timeline().first("verification_passed").unwrap();
    assert!(passed.detail.contains("recovered"), "{}", passed.detail);
    assert_eq!(rig.modifications(), 1, "modified exactly once");
    assert_eq!(
        rig.world.snapshot().caches[0].node_type,
        "cache.r7g.2xlarge"
    );
}

#[tokio::test(start_paused = true)]
async fn denied_node_type_change_leaves_the_cache_alone() {
    let rig = Rig::default();
    rig.change(undersized());
    rig.run_for(3 * MIN).await;
    let inc = rig.incident().await;
    rig.operator()
        .deny(
            inc.id(),
            "modify-cache-node-type",
            "lead",
            "not in business hours",
        )
        .await
        .unwrap();
    rig.run_for(40 * MIN).await;
    let inc = rig.incident().await;
    assert!(inc.is_open());
    assert_eq!(steps(&inc, "approval_denied"), ["modify-cache-node-type"]);
    assert!(steps(&inc, "mitigation_applied").is_empty());
    assert!(inc.automation().exhausted, "over to people");
    assert_eq!(rig.modifications(), 0);
    assert_eq!(rig.world.snapshot().caches[0].node_type, "cache.r7g.large");
}

#[tokio::test(start_paused = true)]
async fn unanswered_approval_lapses() {
    let rig = Rig::default();
    rig.change(undersized());
    rig.run_for(45 * MIN).await;
    let inc = rig.incident().await;
    assert!(inc.is_open());
    assert_eq!(steps(&inc, "approval_expired"), ["modify-cache-node-type"]);
    assert_eq!(rig.modifications(), 0);
    assert!(inc.automation().exhausted);
}

#[tokio::test(start_paused = true)]
async fn invalidation_spike_after_learning_update_goes_to_people_for_review() {
    let rig = Rig::default();
    rig.run_for(2 * MIN).await;
    rig.change(learning_update());
    rig.change(invalidations(80.0));
    rig.change(hit_ratio(0.5));
    rig.run_for(3 * MIN).await;

    let inc = rig.incident().await;
    assert_eq!(inc.severity(), Severity::Sev3);
    assert_eq!(
        top_cause(&inc),
        "Aggressive cache invalidation after learning"
    );
    assert_eq!(steps(&inc, "mitigation_applied"), ["review-invalidations"]);
    let applied = inc.timeline().first("mitigation_applied").unwrap();
    assert!(
        applied.detail.contains("cato-learning v42")
            && applied.detail.contains("review the recent domain updates"),
        "{}",
        applied.detail
    );
    let planned = inc.timeline().first("mitigation_planned").unwrap();
    assert!(
        planned.detail.contains("nothing is changed automatically"),
        "{}",
        planned.detail
    );
    assert!(
        rig.world
            .chat_messages()
            .iter()
            .any(|m| m.text.contains("for human review")),
        "people are told in the incident's channel"
    );

    // People review and roll the domain update back: the cache refills.
    rig.run_for(5 * MIN).await;
    rig.change(invalidations(2.0));
    rig.change(hit_ratio(0.85));
    rig.run_for(15 * MIN).await;
    let inc = rig.incident().await;
    assert_eq!(inc.status(), Status::Resolved, "{:#?}", inc.timeline());
    assert_eq!(steps(&inc, "verification_passed"), ["review-invalidations"]);
    assert_eq!(rig.modifications(), 0, "no automatic change");
    assert_eq!(rig.world.calls().applied(Op::CacheClusterDescribe).len(), 1);
}

#[tokio::test(start_paused = true)]
async fn review_that_does_not_help_moves_on_to_the_node_type() {
    let rig = Rig::default();
    rig.run_for(2 * MIN).await;
    rig.change(learning_update());
    rig.change(invalidations(80.0));
    rig.change(undersized());
    rig.run_for(3 * MIN).await;
    let inc = rig.incident().await;
    assert_eq!(
        steps(&inc, "mitigation_applied"),
        ["review-invalidations"],
        "{:#?}",
        inc.timeline()
    );
    assert!(steps(&inc, "approval_requested").is_empty());

    rig.run_for(16 * MIN).await;
    let inc = rig.incident().await;
    assert_eq!(
        steps(&inc, "verification_failed"),
        ["review-invalidations"],
        "{:#?}",
        inc.timeline()
    );
    assert_eq!(
        steps(&inc, "approval_requested"),
        ["modify-cache-node-type"],
        "{:#?}",
        inc.timeline()
    );
    assert_eq!(rig.modifications(), 0);
}

#[tokio::test(start_paused = true)]
async fn a_drop_without_evictions_or_invalidations_is_a_query_pattern_change() {
    let rig = Rig::default();
    rig.change(hit_ratio(0.55));
    rig.run_for(5 * MIN).await;
    let inc = rig.incident().await;
    assert_eq!(top_cause(&inc), "Query pattern change");
    assert_eq!(
        steps(&inc, "mitigation_skipped"),
        ["review-invalidations", "modify-cache-node-type"]
    );
    assert!(inc.automation().exhausted);
    assert_eq!(rig.modifications(), 0);
}

#[tokio::test(start_paused = true)]
async fn already_at_the_target_node_type_nothing_to_scale_to() {
    let mut config = WorldConfig::default();
    config.caches[0].node_type = "cache.r7g.2xlarge".into();
    config.caches[0].working_set_gib = 8.0;
    let rig = Rig::new(config, CatalogConfig::default());
    rig.change(WorldChange::CacheWorkingSet {
        cache: "cato-cache".into(),
        gib: 70.0,
    });
    rig.run_for(5 * MIN).await;
    let inc = rig.incident().await;
    assert_eq!(top_cause(&inc), "Cache eviction due to size limits");
    assert!(steps(&inc, "approval_requested").is_empty());
    assert_eq!(
        steps(&inc, "mitigation_skipped"),
        ["review-invalidations", "modify-cache-node-type"]
    );
}

#[tokio::test(start_paused = true)]
async fn the_window_is_counter_deltas_not_lifetime_counters() {
    // Weeks of good hits in the lifetime counters do not hide a spike.
    let mut config = WorldConfig::default();
    config.metrics.history = Duration::from_secs(14 * 24 * 3600);
    let rig = Rig::new(config, CatalogConfig::default());
    rig.run_for(MIN).await;
    rig.change(hit_ratio(0.4));
    rig.run_for(90 * Duration::from_secs(1)).await;
    let inc = rig.incident().await;
    let c = rig.ports.cache_stats.counters("cato-cache").await.unwrap();
    let lifetime = c.hits as f64 / (c.hits + c.misses) as f64;
    assert!(
        lifetime > 0.84,
        "lifetime counters still look fine: {lifetime}"
    );
    assert!(
        inc.timeline()
            .iter()
            .any(|e| e.detail.contains("cache hit rate 40 % < 70 %")),
        "{:#?}",
        inc.timeline()
    );
}

#[tokio::test(start_paused = true)]
async fn no_data_is_neither_healthy_nor_sick() {
    let world = World::default();
    let ports = world.ports("r");
    let runbook =
        catalog::build(ID, &providers(&world, &ports), &CatalogConfig::default()).unwrap();
    let detector = runbook.detectors()[0].clone();
    let look = || {
        let detector = detector.clone();
        let now = world.now();
        async move { detector.observe(&ObserveContext::new(now)).await }
    };

    // One sample is no window.
    assert!(look().await.is_err());
    world.clock().sleep(TICK).await;
    assert!(look().await.unwrap().is_healthy());

    // The hit rate falls; then traffic stops: the last verdict stands for the grace period.
    world.apply(hit_ratio(0.3)).unwrap();
    world.clock().sleep(TICK).await;
    assert!(!look().await.unwrap().is_healthy());
    world
        .apply(WorldChange::RequestRate {
            requests_per_minute: 0.0,
        })
        .unwrap();
    world.clock().sleep(TICK).await;
    assert!(
        !look().await.unwrap().is_healthy(),
        "no traffic is not healthy"
    );
    world.clock().sleep(14 * MIN).await;
    assert!(!look().await.unwrap().is_healthy());
    world.clock().sleep(2 * MIN).await;
    let err = look().await.unwrap_err();
    assert!(err.message().contains("cannot tell"), "{err}");

    // Traffic comes back to a good cache: the window that spans the lull judges it.
    world.apply(hit_ratio(0.85)).unwrap();
    world
        .apply(WorldChange::RequestRate {
            requests_per_minute: 2000.0,
        })
        .unwrap();
    world.clock().sleep(TICK).await;
    assert!(look().await.unwrap().is_healthy());
}

#[tokio::test(start_paused = true)]
async fn a_restart_starts_the_window_again() {
    let world = World::default();
    let ports = world.ports("r");
    let runbook =
        catalog::build(ID, &providers(&world, &ports), &CatalogConfig::default()).unwrap();
    let detector = runbook.detectors()[0].clone();
    let look = || {
        let detector = detector.clone();
        let now = world.now();
        async move { detector.observe(&ObserveContext::new(now)).await }
    };
    assert!(look().await.is_err());
    world.clock().sleep(TICK).await;
    assert!(look().await.unwrap().is_healthy());
    world.clock().sleep(TICK).await;
    world
        .apply(WorldChange::CacheRestart {
            cache: "cato-cache".into(),
        })
        .unwrap();
    world.clock().sleep(TICK).await;
    assert!(look().await.unwrap().is_healthy(), "no false alarm");
}

#[tokio::test(start_paused = true)]
async fn a_failing_counter_read_is_unknown_never_healthy() {
    let world = World::default();
    let ports = world.ports("r");
    let runbook =
        catalog::build(ID, &providers(&world, &ports), &CatalogConfig::default()).unwrap();
    let detector = runbook.detectors()[0].clone();
    let ctx = ObserveContext::new(world.now());
    let _ = detector.observe(&ctx).await;
    world.faults().on(Op::CacheStatsCounters).once().transient();
    assert!(detector.observe(&ctx).await.is_err());
}

#[test]
fn config_defaults_to_the_runbook_and_reads_toml() {
    let c = CatalogConfig::default().cache_miss_spike;
    assert_eq!(c.cache, "cato-cache");
    assert_eq!(c.hit_rate_below, 0.70);
    assert_eq!(c.node_type, "cache.r7g.2xlarge");
    assert_eq!(c.invalidations_namespace, "Custom/Cato");
    assert_eq!(c.invalidations_metric, "CacheInvalidations");

    let c: CatalogConfig = toml::from_str(
        r#"
        [cache-miss-spike]
        hit_rate_below = 0.8
        node_type = "cache.r7g.4xlarge"
        node_type_verify_after = "45m"
        "#,
    )
    .unwrap();
    assert_eq!(c.cache_miss_spike.hit_rate_below, 0.8);
    assert_eq!(c.cache_miss_spike.node_type, "cache.r7g.4xlarge");
    assert_eq!(
        c.cache_miss_spike.node_type_verify_after,
        Duration::from_secs(45 * 60)
    );
    assert_eq!(c.cache_miss_spike.min_lookups, 100);
    assert!(toml::from_str::<CatalogConfig>("[cache-miss-spike]\nhit_rate = 0.8").is_err());

    let mut bad = CatalogConfig::default();
    bad.cache_miss_spike.hit_rate_below = 1.5;
    let world = World::default();
    let ports = world.ports("r");
    let err = catalog::build(ID, &providers(&world, &ports), &bad).unwrap_err();
    assert!(err.message().contains("hit_rate_below"), "{err}");
}

#[test]
fn entry_names_its_ports() {
    let entry = catalog::entry(ID).unwrap();
    assert_eq!(entry.title, "Cache Miss Spike");
    assert!(entry.needs.contains(&PortName::CacheStats));
    let providers = Providers::new(std::sync::Arc::new(SystemClock));
    let err = catalog::build(ID, &providers, &CatalogConfig::default()).unwrap_err();
    assert!(err.message().contains("cache_stats"), "{err}");
}

#[tokio::test(start_paused = true)]
async fn dry_run_plans_without_changing() {
    let world = World::default();
    let ports = world.ports("r");
    let runbook =
        catalog::build(ID, &providers(&world, &ports), &CatalogConfig::default()).unwrap();
    let engine = world
        .engine_builder(&ports)
        .runbook(runbook)
        .policy(Policy::with_mode(Mode::DryRun))
        .build()
        .unwrap();
    world.apply(undersized()).unwrap();
    for _ in 0..10 {
        engine.tick().await.unwrap();
        world.clock().sleep(TICK).await;
    }
    let all = ports.store.all().await.unwrap();
    let inc = &all[0];
    let dry = inc
        .timeline()
        .iter()
        .find(|e| matches!(&e.kind, EntryKind::MitigationSkipped { reason, .. } if reason == "dry-run"))
        .unwrap();
    assert!(
        dry.detail.contains("would ask for approval"),
        "{}",
        dry.detail
    );
    assert_eq!(
        world.calls().applied(Op::CacheClusterModifyNodeType).len(),
        0
    );
}
