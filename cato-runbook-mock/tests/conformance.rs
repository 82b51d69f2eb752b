//! The conformance suite over every fake, over every fake wrapped in `FaultInjecting` (no rule:
//! it must change nothing), and with one transient fault, which a check must surface as a
//! retryable port error — after which the suite passes.

use cato_runbook_mock::conformance::{self, Fixtures};
use cato_runbook_mock::{FaultInjecting, Faults, OpMatch, World};

#[allow(clippy::expect_used)] // Test helper: no fixtures, no test.
fn world() -> (World, Fixtures) {
    let world = World::default();
    let fixtures = world.conformance_fixtures().expect("fixtures");
    (world, fixtures)
}

macro_rules! conforms {
    ($module:ident, $fake:ident, $fixture:ident, $run:path, $port:literal) => {
        mod $module {
            use super::*;

            #[tokio::test(start_paused = true)]
            async fn fake() {
                let (world, f) = world();
                $run(&world.$fake(), &f.$fixture).await.unwrap();
            }

            #[tokio::test(start_paused = true)]
            async fn fault_injecting_wrapper_without_rules() {
                let (world, f) = world();
                let port = FaultInjecting::new(world.$fake(), Faults::new(world.clock_handle()));
                $run(&port, &f.$fixture).await.unwrap();
                assert!(port.faults().injected().is_empty());
            }

            #[tokio::test(start_paused = true)]
            async fn transient_fault_surfaces_as_retryable() {
                let (world, f) = world();
                let faults = Faults::new(world.clock_handle());
                faults.on(OpMatch::port($port).unwrap()).once().transient();
                let port = FaultInjecting::new(world.$fake(), faults);
                let failure = $run(&port, &f.$fixture).await.unwrap_err();
                let error = failure.port_error().expect("a port error");
                assert!(error.is_retryable(), "{failure}");
                $run(&port, &f.$fixture).await.unwrap();
            }

            #[tokio::test(start_paused = true)]
            async fn world_throttling_surfaces_as_retryable() {
                let (world, f) = world();
                world
                    .faults()
                    .on(OpMatch::port($port).unwrap())
                    .once()
                    .throttled();
                let failure = $run(&world.$fake(), &f.$fixture).await.unwrap_err();
                let error = failure.port_error().expect("a port error");
                assert_eq!(
                    error.retry(),
                    cato_runbook_core::Retry::Throttled,
                    "{failure}"
                );
                $run(&world.$fake(), &f.$fixture).await.unwrap();
            }
        }
    };
}

conforms!(
    endpoint,
    model_endpoint,
    endpoint,
    conformance::endpoint::run_all,
    "endpoint"
);
conforms!(
    metrics,
    metrics,
    metrics,
    conformance::metrics::run_all,
    "metrics"
);
conforms!(logs, logs, logs, conformance::logs::run_all, "logs");
conforms!(
    cache_stats,
    cache_stats,
    cache_stats,
    conformance::cache::run_all_stats,
    "cache_stats"
);
conforms!(
    cache_cluster,
    cache_cluster,
    cache_cluster,
    conformance::cache::run_all_cluster,
    "cache_cluster"
);
conforms!(
    budget,
    budget,
    budget,
    conformance::budget::run_all,
    "budget"
);
conforms!(
    quotas,
    quotas,
    quotas,
    conformance::quotas::run_all,
    "quotas"
);
conforms!(
    tables,
    tables,
    tables,
    conformance::tables::run_all,
    "tables"
);
conforms!(
    workloads,
    workloads,
    workloads,
    conformance::workloads::run_all,
    "workloads"
);
conforms!(
    traffic,
    traffic,
    traffic,
    conformance::traffic::run_all,
    "traffic"
);
conforms!(
    deployments,
    deployments,
    deployments,
    conformance::changes::run_all_deployments,
    "deployments"
);
conforms!(
    cloud_health,
    cloud_health,
    cloud_health,
    conformance::changes::run_all_health,
    "cloud_health"
);
conforms!(pager, pager, pager, conformance::pager::run_all, "pager");
conforms!(chat, chat, chat, conformance::chat::run_all, "chat");
conforms!(mail, mail, mail, conformance::mail::run_all, "mail");
conforms!(
    store,
    incident_store,
    store,
    conformance::store::run_all,
    "incident_store"
);

mod lease {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn fake() {
        let (world, f) = world();
        let (a, b) = (world.lease("a"), world.lease("b"));
        conformance::lease::run_all(&a, &b, &f.lease).await.unwrap();
    }

    #[tokio::test(start_paused = true)]
    async fn fault_injecting_wrapper() {
        let (world, f) = world();
        let faults = Faults::new(world.clock_handle());
        let a = FaultInjecting::new(world.lease("a"), faults.clone());
        let b = FaultInjecting::new(world.lease("b"), faults.clone());
        conformance::lease::run_all(&a, &b, &f.lease).await.unwrap();
        faults
            .on(OpMatch::port("lease").unwrap())
            .once()
            .transient();
        let failure = conformance::lease::run_all(&a, &b, &f.lease)
            .await
            .unwrap_err();
        assert!(failure.port_error().unwrap().is_retryable());
        conformance::lease::run_all(&a, &b, &f.lease).await.unwrap();
    }

    #[tokio::test(start_paused = true)]
    async fn alone_is_not_a_shared_lease() {
        // `Alone` leads whatever the other replica does: there is nobody to agree with. The
        // suite says so.
        let (_world, f) = world();
        let alone = cato_runbook_core::ports::Alone::default();
        let failure = conformance::lease::run_all(&alone, &alone, &f.lease)
            .await
            .unwrap_err();
        assert_eq!(failure.check(), "lease.one_holder");
        assert!(failure.port_error().is_none());
    }
}

mod clock {
    use std::time::Duration;

    use super::*;

    #[tokio::test(start_paused = true)]
    async fn virtual_clock() {
        let world = World::default();
        conformance::clock::run_all(&world.clock(), Duration::from_secs(3600))
            .await
            .unwrap();
    }

    #[tokio::test]
    async fn system_clock() {
        conformance::clock::run_all(
            &cato_runbook_core::ports::SystemClock,
            Duration::from_millis(5),
        )
        .await
        .unwrap();
    }
}

#[tokio::test(start_paused = true)]
async fn fixtures_need_what_they_describe() {
    let mut config = cato_runbook_mock::WorldConfig::default();
    config.endpoints[0].configs.remove(0);
    let world = World::new(config).unwrap();
    let err = world.conformance_fixtures().unwrap_err();
    assert!(err.message().contains("older"), "{err}");
}

/// A world with a second region (the failover's): its traffic controls split Shadow Self
/// traffic between the two, and the second region's endpoint is a fake of its own.
mod regions {
    use std::collections::BTreeMap;

    use cato_runbook_core::ErrorKind;
    use cato_runbook_core::ports::TrafficControl;
    use cato_runbook_mock::config::EndpointSpec;
    use cato_runbook_mock::{Op, WorldConfig};

    use super::*;

    #[allow(clippy::expect_used)] // Test helper: no world, no test.
    fn two_regions() -> (World, Fixtures) {
        let mut config = WorldConfig::default();
        config.endpoints.push(EndpointSpec {
            region: Some("us-west-2".into()),
            ..EndpointSpec::default()
        });
        let split = [("us-east-1", 1.0), ("us-west-2", 0.0)];
        config.traffic.regions = split.map(|(r, w)| (r.to_owned(), w)).into();
        let world = World::new(config).expect("a two-region world");
        let fixtures = world.conformance_fixtures().expect("fixtures");
        (world, fixtures)
    }

    #[tokio::test(start_paused = true)]
    async fn traffic_shifts_between_regions_and_back() {
        let (world, f) = two_regions();
        assert_eq!(f.traffic.state.regions.len(), 2);
        conformance::traffic::run_all(&world.traffic(), &f.traffic)
            .await
            .unwrap();
        // The failover and the fail-back; the bad splits were refused.
        let applied = world.calls().applied(Op::TrafficSetRegionWeights);
        assert_eq!(applied.len(), 2);
        let refused = world.calls().failed(Op::TrafficSetRegionWeights);
        assert_eq!(refused.len(), 4);
        assert_eq!(world.snapshot().traffic.regions, f.traffic.state.regions);
    }

    #[tokio::test(start_paused = true)]
    async fn an_unknown_region_is_refused() {
        let (world, _) = two_regions();
        let pairs = [("us-east-1", 0.5), ("eu-west-1", 0.5)];
        let split: BTreeMap<String, f64> = pairs.map(|(r, w)| (r.to_owned(), w)).into();
        let key = cato_runbook_core::IdempotencyKey::new("INC-1:failover-region");
        let err = world
            .traffic()
            .set_region_weights(&split, &key)
            .await
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidInput, "{err}");
        assert!(err.message().contains("eu-west-1"), "{err}");
    }

    #[tokio::test(start_paused = true)]
    async fn the_other_regions_endpoint_conforms_and_leaves_the_home_one_alone() {
        let (world, f) = two_regions();
        let home = world.snapshot().endpoints[0].clone();
        let west = world.model_endpoint_in("us-west-2");
        assert_eq!(west.to_string(), "fake sagemaker us-west-2");
        conformance::endpoint::run_all(&west, &f.endpoint)
            .await
            .unwrap();
        let after = world.snapshot();
        assert_eq!(after.endpoints[0].config, home.config);
        assert_eq!(after.endpoints[0].region, None);
        assert_eq!(after.endpoints[1].region.as_deref(), Some("us-west-2"));
        // Every call of the other region's fake names its region.
        let calls = world.calls().of(OpMatch::port("endpoint").unwrap());
        assert!(!calls.is_empty());
        assert!(
            calls
                .iter()
                .all(|c| c.arg_str("region") == Some("us-west-2")),
            "{calls:?}"
        );
    }
}

/// Alarms: a world with three alarms of one prefix and one outside it.
mod alarms {
    use std::time::Duration;

    use cato_runbook_core::ports::AlarmValue;
    use cato_runbook_mock::WorldConfig;
    use cato_runbook_mock::config::AlarmSpec;
    use cato_runbook_mock::conformance::Settle;
    use cato_runbook_mock::conformance::alarms::{AlarmsFixture, run_all};

    use super::*;

    #[allow(clippy::expect_used)] // Test helper: no world, no test.
    fn alarms() -> (World, AlarmsFixture) {
        let alarm = |name: &str, state| AlarmSpec {
            name: name.into(),
            state,
            reason: "seeded".into(),
            metric: None,
        };
        let config = WorldConfig {
            alarms: vec![
                alarm("cato-conformance-a", AlarmValue::Alarm),
                alarm("cato-conformance-b", AlarmValue::Ok),
                alarm("cato-conformance-c", AlarmValue::InsufficientData),
                alarm("other-alarm", AlarmValue::Ok),
            ],
            ..WorldConfig::default()
        };
        let world = World::new(config).expect("a world with alarms");
        let fixture = AlarmsFixture {
            prefix: "cato-conformance-".into(),
            alarms: vec![
                ("cato-conformance-a".into(), AlarmValue::Alarm),
                ("cato-conformance-b".into(), AlarmValue::Ok),
                ("cato-conformance-c".into(), AlarmValue::InsufficientData),
            ],
            outsider: "other-alarm".into(),
            settle: Settle::new(
                world.clock_handle(),
                Duration::from_secs(60),
                Duration::from_secs(1),
            ),
        };
        (world, fixture)
    }

    #[tokio::test(start_paused = true)]
    async fn fake() {
        let (world, f) = alarms();
        run_all(&world.alarms(), &f).await.unwrap();
    }

    #[tokio::test(start_paused = true)]
    async fn fault_injecting_wrapper_and_a_transient_fault() {
        let (world, f) = alarms();
        let faults = Faults::new(world.clock_handle());
        let port = FaultInjecting::new(world.alarms(), faults.clone());
        run_all(&port, &f).await.unwrap();
        faults
            .on(OpMatch::port("alarms").unwrap())
            .once()
            .transient();
        let failure = run_all(&port, &f).await.unwrap_err();
        assert!(failure.port_error().expect("a port error").is_retryable());
        run_all(&port, &f).await.unwrap();
    }
}

/// A world whose deployments come from two sources, read as one by `AllDeployments`.
#[path = "conformance/deployment_sources.rs"]
mod deployment_sources;
