//! Budget Exceeded (Emergency Mode) on the fakes: SEV2, the raise behind approval (granted,
//! denied, lapsed, capped, not helping), the wait for the monthly reset across a month boundary.

use std::time::Duration;

use cato_runbook_core::catalog::{self, CatalogConfig, budget_exceeded, facts};
use cato_runbook_core::engine::{Engine, Mode, Operator, Policy};
use cato_runbook_core::ports::BudgetMode;
use cato_runbook_core::runbook::{Quantity, StepContext};
use cato_runbook_core::{Incident, Severity, Status};
use cato_runbook_mock::{FakePorts, Harness, Op, World, WorldChange, WorldConfig};
use chrono::{TimeZone, Utc};

const ID: &str = "budget-exceeded";
const RAISE: &str = "raise-monthly-limit";
const WAIT: &str = "wait-for-monthly-reset";
const MIN: Duration = Duration::from_secs(60);
const TICK: Duration = Duration::from_secs(30);

/// The mock crate's [`Harness`] on the budget runbook, with the shorthands these tests use.
struct Rig {
    world: World,
    ports: FakePorts,
    engine: Engine,
    harness: Harness,
}

impl Rig {
    fn new(config: WorldConfig, catalog: CatalogConfig, policy: Policy) -> Rig {
        let world = World::new(config).unwrap();
        let harness = Harness::on(&world)
            .catalog(&[ID], &catalog)
            .policy(policy)
            .tick(TICK)
            .build()
            .unwrap();
        Rig {
            world,
            ports: harness.ports().clone(),
            engine: harness.engine().clone(),
            harness,
        }
    }

    fn default() -> Rig {
        Rig::new(
            WorldConfig::default(),
            CatalogConfig::default(),
            Policy::with_mode(Mode::Auto),
        )
    }

    /// A world two hours before the monthly reset of 1 April 2026.
    fn near_month_end() -> Rig {
        let config = WorldConfig {
            start: Utc.with_ymd_and_hms(2026, 3, 31, 22, 0, 0).unwrap(),
            ..WorldConfig::default()
        };
        Rig::new(
            config,
            CatalogConfig::default(),
            Policy::with_mode(Mode::Auto),
        )
    }

    fn operator(&self) -> Operator {
        self.engine.operator()
    }

    async fn run_for(&self, d: Duration) {
        self.harness.run_for(d).await.unwrap();
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

    fn limits_set(&self) -> Vec<f64> {
        self.world
            .calls()
            .applied(Op::BudgetSetMonthlyLimit)
            .iter()
            .filter_map(|c| c.arg_f64("monthly_limit_usd"))
            .collect()
    }
}

fn steps(incident: &Incident, label: &str) -> Vec<String> {
    incident
        .timeline()
        .with_label(label)
        .filter_map(|e| e.kind.step().map(str::to_owned))
        .collect()
}

#[tokio::test(start_paused = true)]
async fn warning_is_not_an_incident() {
    let rig = Rig::default();
    rig.world.apply(WorldChange::Spend { usd: 900.0 }).unwrap();
    rig.run_for(10 * MIN).await;
    assert!(rig.ports.store.all().await.unwrap().is_empty());
}

#[tokio::test(start_paused = true)]
async fn emergency_is_sev2_and_the_raise_waits_for_approval() {
    let rig = Rig::default();
    rig.world.apply(WorldChange::SpendReachesLimit).unwrap();
    rig.run_for(2 * MIN).await;

    let inc = rig.incident().await;
    assert_eq!(inc.severity(), Severity::Sev2);
    assert_eq!(inc.resource(), "cato-llm-budget");
    assert!(inc.title().contains("Budget Exceeded"));
    assert_eq!(rig.world.pager_events().len(), 1, "SEV2 pages the on-call");
    let status = inc
        .findings()
        .iter()
        .find(|f| f.source == "budget-status")
        .unwrap();
    assert_eq!(
        status.facts[facts::BUDGET_MODE.name()].to_string(),
        "EMERGENCY"
    );
    assert_eq!(
        status.facts[facts::MONTHLY_LIMIT_USD.name()].as_f64(),
        Some(1000.0)
    );

    assert_eq!(steps(&inc, "approval_requested"), [RAISE]);
    let plan = &inc.automation().step.as_ref().unwrap().plan;
    assert_eq!(plan.quantities, [Quantity::MonthlySpendUsd(1500.0)]);
    assert_eq!(plan.changes[0].before, "$1000.00");
    assert_eq!(plan.changes[0].after, "$1500.00");
    assert!(rig.limits_set().is_empty(), "nothing before approval");

    rig.operator()
        .approve(inc.id(), RAISE, "lead")
        .await
        .unwrap();
    rig.run_for(5 * MIN).await;
    let inc = rig.incident().await;
    assert_eq!(inc.status(), Status::Resolved, "{:#?}", inc.timeline());
    assert_eq!(steps(&inc, "mitigation_applied"), [RAISE]);
    assert_eq!(steps(&inc, "verification_passed"), [RAISE]);
    assert_eq!(rig.limits_set(), [1500.0], "raised exactly once");
    let key = rig.world.calls().applied(Op::BudgetSetMonthlyLimit)[0]
        .key
        .clone()
        .unwrap();
    assert_eq!(key.as_str(), format!("{}:{RAISE}", inc.id()));
    assert_eq!(rig.world.snapshot().budget.mode, BudgetMode::Normal);
}

#[tokio::test(start_paused = true)]
async fn denied_raise_waits_for_the_monthly_reset_and_resolves_then() {
    let rig = Rig::near_month_end();
    rig.world.apply(WorldChange::SpendReachesLimit).unwrap();
    rig.run_for(2 * MIN).await;
    let inc = rig.incident().await;
    rig.operator()
        .deny(inc.id(), RAISE, "vp", "no more spend this month")
        .await
        .unwrap();
    rig.run_for(MIN).await;

    let inc = rig.incident().await;
    assert_eq!(steps(&inc, "approval_denied"), [RAISE]);
    assert_eq!(steps(&inc, "mitigation_applied"), [WAIT]);
    let applied = inc.timeline().first("mitigation_applied").unwrap();
    assert!(
        applied.detail.contains("2026-04-01 00:00 UTC"),
        "records when the reset comes: {}",
        applied.detail
    );

    // An hour on: still EMERGENCY, still open, nothing escalated to automation's end.
    rig.run_for(60 * MIN).await;
    let inc = rig.incident().await;
    assert!(inc.is_open());
    assert!(!inc.automation().exhausted, "waiting is the plan");

    // Past midnight: the reset comes, the mode returns to normal, the incident resolves.
    rig.run_for(70 * MIN).await;
    let inc = rig.incident().await;
    assert_eq!(inc.status(), Status::Resolved, "{:#?}", inc.timeline());
    let resolved = inc.phases().resolved.unwrap();
    assert!(resolved >= Utc.with_ymd_and_hms(2026, 4, 1, 0, 0, 0).unwrap());
    assert!(resolved <= Utc.with_ymd_and_hms(2026, 4, 1, 0, 10, 0).unwrap());
    let passed = inc.timeline().first("verification_passed").unwrap();
    assert!(
        passed.detail.contains("the monthly reset came"),
        "{}",
        passed.detail
    );
    assert!(rig.limits_set().is_empty(), "the limit never changed");
    assert_eq!(
        inc.timeline()
            .iter()
            .filter(|e| e.kind.label() == "mitigation_applied")
            .count(),
        1,
        "waited once"
    );
}

#[tokio::test(start_paused = true)]
async fn unanswered_raise_lapses_into_the_wait() {
    let rig = Rig::default();
    rig.world.apply(WorldChange::SpendReachesLimit).unwrap();
    rig.run_for(40 * MIN).await;
    let inc = rig.incident().await;
    assert_eq!(steps(&inc, "approval_expired"), [RAISE]);
    assert_eq!(steps(&inc, "mitigation_applied"), [WAIT]);
    assert!(inc.is_open());
    assert!(rig.limits_set().is_empty());
}

#[tokio::test(start_paused = true)]
async fn the_spend_cap_refuses_a_raise_above_it() {
    let mut policy = Policy::with_mode(Mode::Auto);
    policy.caps.max_monthly_spend_usd = Some(1200.0);
    let rig = Rig::new(WorldConfig::default(), CatalogConfig::default(), policy);
    rig.world.apply(WorldChange::SpendReachesLimit).unwrap();
    rig.run_for(2 * MIN).await;
    let inc = rig.incident().await;
    assert!(steps(&inc, "approval_requested").is_empty());
    let skipped = inc
        .timeline()
        .with_label("mitigation_skipped")
        .find(|e| e.kind.step() == Some(RAISE))
        .unwrap();
    assert!(format!("{:?}", skipped.kind).contains("cap"), "{skipped:?}");
    assert_eq!(steps(&inc, "mitigation_applied"), [WAIT]);
    assert!(rig.limits_set().is_empty());
}

#[tokio::test(start_paused = true)]
async fn a_raise_that_does_not_end_emergency_is_undone() {
    let rig = Rig::default();
    // Spent twice the limit: 1.5 × the limit is still not enough.
    rig.world.apply(WorldChange::Spend { usd: 2000.0 }).unwrap();
    rig.run_for(2 * MIN).await;
    let inc = rig.incident().await;
    rig.operator()
        .approve(inc.id(), RAISE, "lead")
        .await
        .unwrap();
    rig.run_for(5 * MIN).await;
    let inc = rig.incident().await;
    assert_eq!(steps(&inc, "verification_failed"), [RAISE]);
    assert_eq!(steps(&inc, "mitigation_reverted"), [RAISE]);
    assert_eq!(steps(&inc, "mitigation_applied"), [RAISE, WAIT]);
    assert_eq!(rig.limits_set(), [1500.0, 1000.0]);
    assert!(inc.is_open());
}

#[tokio::test(start_paused = true)]
async fn a_fixed_new_limit_is_configurable() {
    let catalog: CatalogConfig = toml::from_str(
        r#"
        [budget-exceeded]
        new_limit = { usd = 2500 }
        "#,
    )
    .unwrap();
    let rig = Rig::new(
        WorldConfig::default(),
        catalog,
        Policy::with_mode(Mode::Auto),
    );
    rig.world.apply(WorldChange::SpendReachesLimit).unwrap();
    rig.run_for(2 * MIN).await;
    let inc = rig.incident().await;
    rig.operator()
        .approve(inc.id(), RAISE, "lead")
        .await
        .unwrap();
    rig.run_for(5 * MIN).await;
    assert_eq!(rig.limits_set(), [2500.0]);
}

#[tokio::test(start_paused = true)]
async fn the_runbooks_example_amount_is_no_raise_over_the_same_limit() {
    // The runbook's example sets 1000, the limit the world already has: planning fails, and
    // the ladder goes on to the wait.
    let mut catalog = CatalogConfig::default();
    catalog.budget_exceeded.new_limit = budget_exceeded::NewLimit::Usd(1000.0);
    let rig = Rig::new(
        WorldConfig::default(),
        catalog,
        Policy::with_mode(Mode::Auto),
    );
    rig.world.apply(WorldChange::SpendReachesLimit).unwrap();
    rig.run_for(2 * MIN).await;
    let inc = rig.incident().await;
    assert_eq!(steps(&inc, "mitigation_failed"), [RAISE]);
    assert_eq!(steps(&inc, "mitigation_applied"), [WAIT]);
}

#[tokio::test(start_paused = true)]
async fn config_and_prevention() {
    let c = CatalogConfig::default().budget_exceeded;
    assert_eq!(c.new_limit, budget_exceeded::NewLimit::Factor(1.5));
    assert_eq!(c.affected_share, 1.0);
    assert!(
        toml::from_str::<CatalogConfig>("[budget-exceeded]\nnew_limit = { percent = 5 }").is_err()
    );
    let mut bad = CatalogConfig::default();
    bad.budget_exceeded.new_limit = budget_exceeded::NewLimit::Factor(0.5);
    let world = World::default();
    let ports = world.ports("r");
    let err = catalog::build(ID, &ports.providers(world.clock_handle()), &bad).unwrap_err();
    assert!(err.message().contains("new_limit.factor"), "{err}");

    let runbook = catalog::build(
        ID,
        &ports.providers(world.clock_handle()),
        &CatalogConfig::default(),
    )
    .unwrap();
    assert_eq!(
        runbook.prevention(),
        [
            "Set appropriate budget limits",
            "Monitor spend daily",
            "Enable budget alerts"
        ]
    );
    let ladder: Vec<_> = runbook.ladder().iter().map(|s| s.name()).collect();
    assert_eq!(ladder, [RAISE, WAIT]);
    let raise = &runbook.ladder()[0];
    let ctx = StepContext::new(
        raise.as_ref(),
        "INC-1".into(),
        ID.into(),
        "cato-budget",
        Severity::Sev2,
        std::sync::Arc::from(vec![]),
        world.now(),
    );
    let plan = raise.plan(&ctx).await.unwrap();
    assert!(plan.approval.is_some(), "the raise always asks: {plan:?}");
}
