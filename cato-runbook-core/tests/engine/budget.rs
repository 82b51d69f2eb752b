//! Cost as a guardrail: the budget's mode, read once a tick, gates steps that add spend; the
//! added spend is priced on the plan, the timeline and the postmortem.

use std::sync::Arc;
use std::sync::atomic::Ordering;

use cato_runbook_core::engine::{BudgetReading, Mode, Policy, TickEvent};
use cato_runbook_core::ports::BudgetMode;
use cato_runbook_core::postmortem::{Postmortem, PostmortemOptions};
use cato_runbook_core::runbook::{Capacity, Runbook};

use crate::support::*;

fn g5(added: u32) -> Capacity {
    Capacity::EndpointInstances {
        instance_type: Some("ml.g5.xlarge".into()),
        added,
        source: None,
    }
}

/// A latency incident whose steps are `steps`, on an auto engine whose budget is `budget`.
fn latency(
    budget: Option<Arc<ScriptedBudget>>,
    steps: Vec<FakeStep>,
) -> (Harness, Arc<FakeDetector>) {
    let detector = FakeDetector::new("p99-latency", "cato-shadow-self");
    let mut builder = Runbook::builder("high-latency", "High latency").detector(detector.clone());
    for step in steps {
        builder = builder.step(step.arc());
    }
    let mut setup = Setup::new(builder.build().unwrap(), Policy::with_mode(Mode::Auto));
    setup.budget = budget.map(|b| b as Arc<dyn cato_runbook_core::ports::Budget>);
    let h = setup.build();
    detector.degraded(0.6);
    (h, detector)
}

#[tokio::test(start_paused = true)]
async fn in_emergency_a_step_that_adds_spend_waits_for_approval_even_in_auto() {
    let log = CallLog::default();
    let budget = ScriptedBudget::new(Some(BudgetMode::Emergency));
    let (h, _) = latency(
        Some(budget.clone()),
        vec![FakeStep::new("scale-shadow-self", &log).adds(g5(8))],
    );
    h.tick().await;
    let report = h.tick().await;
    assert!(report.events.iter().any(
        |e| matches!(e, TickEvent::ApprovalRequested { step, .. } if step == "scale-shadow-self")
    ));
    h.tick_after(mins(5)).await;
    assert_eq!(
        calls(&log),
        ["plan:scale-shadow-self"],
        "nothing scales on its own"
    );
    let incident = h.only().await;
    let planned = &details(&incident, "mitigation_planned")[0];
    assert!(planned.contains("adds ~$11.26/h (~$270/day)"), "{planned}");
    let asked = &details(&incident, "approval_requested")[0];
    assert!(
        asked.starts_with("needs approval: budget in EMERGENCY, step adds ~$11.26/h (~$270/day)"),
        "{asked}"
    );
    assert!(
        h.chat
            .texts()
            .iter()
            .any(|t| t.contains("budget in EMERGENCY"))
    );
    assert_eq!(budget.reads.load(Ordering::SeqCst), 3, "read once a tick");
    assert_eq!(
        h.engine.operator().standing().budget,
        BudgetReading::Mode(BudgetMode::Emergency)
    );

    // Approved, it applies, and its spend reaches the postmortem's impact.
    let id = incident.id().clone();
    h.engine
        .operator()
        .approve(&id, "scale-shadow-self", "carol")
        .await
        .unwrap();
    h.tick_after(mins(1)).await;
    assert_eq!(
        calls(&log),
        ["plan:scale-shadow-self", "apply:scale-shadow-self"]
    );
    let incident = h.only().await;
    let text = Postmortem::draft(&incident, &PostmortemOptions::default())
        .render()
        .unwrap();
    let line = text
        .lines()
        .find(|l| l.starts_with("- Added spend: "))
        .unwrap_or_else(|| panic!("no added spend in:\n{text}"));
    assert_eq!(
        line,
        "- Added spend: scale-shadow-self from 12:06: ~$11.26/h (~$270/day; 8 × ml.g5.xlarge at $1.408/h) (estimated at on-demand list prices)"
    );
}

#[tokio::test(start_paused = true)]
async fn in_normal_mode_the_step_applies_on_its_own_as_before() {
    let log = CallLog::default();
    for mode in [BudgetMode::Normal, BudgetMode::Warning] {
        let budget = ScriptedBudget::new(Some(mode));
        let (h, _) = latency(
            Some(budget),
            vec![FakeStep::new("scale-shadow-self", &log).adds(g5(8))],
        );
        h.tick().await;
        let report = h.tick().await;
        assert!(
            report.events.iter().any(
                |e| matches!(e, TickEvent::Applied { step, .. } if step == "scale-shadow-self")
            ),
            "{mode}: {report:?}"
        );
        let incident = h.only().await;
        assert!(details(&incident, "approval_requested").is_empty());
        assert_eq!(incident.automation().added_spend.len(), 1);
    }
}

#[tokio::test(start_paused = true)]
async fn a_step_that_adds_nothing_is_not_held_by_the_emergency() {
    let log = CallLog::default();
    let budget = ScriptedBudget::new(Some(BudgetMode::Emergency));
    let (h, _) = latency(Some(budget), vec![FakeStep::new("restart-endpoint", &log)]);
    h.tick().await;
    h.tick().await;
    assert_eq!(
        calls(&log),
        ["plan:restart-endpoint", "apply:restart-endpoint"]
    );
    let text = Postmortem::draft(&h.only().await, &PostmortemOptions::default())
        .render()
        .unwrap();
    assert!(!text.contains("Added spend"), "{text}");
}

#[tokio::test(start_paused = true)]
async fn an_unreadable_budget_holds_spend_for_approval_and_the_tick_goes_on() {
    let log = CallLog::default();
    let budget = ScriptedBudget::new(None);
    let (h, _) = latency(
        Some(budget.clone()),
        vec![FakeStep::new("scale-shadow-self", &log).adds(g5(4))],
    );
    let first = h.tick().await;
    assert!(first.events.iter().any(|e| matches!(
        e,
        TickEvent::BudgetUnreadable { error } if error.contains("503")
    )));
    let report = h.tick().await;
    assert!(report.events.iter().any(
        |e| matches!(e, TickEvent::ApprovalRequested { step, .. } if step == "scale-shadow-self")
    ));
    assert_eq!(calls(&log), ["plan:scale-shadow-self"]);
    let asked = &details(&h.only().await, "approval_requested")[0];
    assert!(
        asked.starts_with("needs approval: the budget cannot be read (")
            && asked.contains("step adds ~$5.63/h"),
        "{asked}"
    );
    assert!(matches!(
        h.engine.operator().standing().budget,
        BudgetReading::Unreadable(_)
    ));
    // Readable again: the reading follows at the next tick.
    budget.set(Some(BudgetMode::Normal));
    h.tick_after(mins(1)).await;
    assert_eq!(
        h.engine.operator().standing().budget,
        BudgetReading::Mode(BudgetMode::Normal)
    );
}

#[tokio::test(start_paused = true)]
async fn an_unknown_price_in_emergency_still_needs_approval() {
    let log = CallLog::default();
    let budget = ScriptedBudget::new(Some(BudgetMode::Emergency));
    let step = FakeStep::new("scale-shadow-self", &log).adds(Capacity::EndpointInstances {
        instance_type: Some("ml.x9.huge".into()),
        added: 2,
        source: None,
    });
    let (h, _) = latency(Some(budget), vec![step]);
    h.tick().await;
    h.tick().await;
    assert_eq!(calls(&log), ["plan:scale-shadow-self"]);
    let asked = &details(&h.only().await, "approval_requested")[0];
    assert!(
        asked.starts_with(
            "needs approval: budget in EMERGENCY, step adds unknown price (no price for ml.x9.huge in us-east-1)"
        ),
        "{asked}"
    );
}

#[tokio::test(start_paused = true)]
async fn without_a_budget_port_spend_is_not_gated() {
    let log = CallLog::default();
    let (h, _) = latency(
        None,
        vec![FakeStep::new("scale-shadow-self", &log).adds(g5(8))],
    );
    h.tick().await;
    h.tick().await;
    assert_eq!(
        calls(&log),
        ["plan:scale-shadow-self", "apply:scale-shadow-self"]
    );
    assert_eq!(
        h.engine.operator().standing().budget,
        BudgetReading::Unwatched
    );
}

#[test]
fn prices_the_policy_cannot_make_a_table_of_fail_the_build() {
    let detector = FakeDetector::new("p99-latency", "cato-shadow-self");
    let runbook = Runbook::builder("high-latency", "High latency")
        .detector(detector)
        .build()
        .unwrap();
    let policy: Policy = serde_json::from_str(r#"{"prices": {"region": "mars-north-1"}}"#).unwrap();
    let err = cato_runbook_core::engine::Engine::builder()
        .runbook(runbook)
        .pager(Arc::new(RecordingPager::default()))
        .chat(Arc::new(RecordingChat::default()))
        .policy(policy)
        .alone()
        .build()
        .unwrap_err();
    assert!(err.to_string().contains("policy.prices.region"), "{err}");
}
