//! The review rung and the root causes: an invalidation spike after a learning update goes to
//! people, a review that does not help moves on, a drop without either is a query pattern change.

use cato_runbook_core::{Severity, Status};
use cato_runbook_mock::Op;

use super::{MIN, Rig, hit_ratio, invalidations, learning_update, steps, top_cause, undersized};

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
async fn a_learning_update_is_found_while_another_deployment_source_is_down() {
    let config = cato_runbook_mock::WorldConfig {
        deployment_sources: vec!["sagemaker".into(), "kubernetes".into()],
        ..cato_runbook_mock::WorldConfig::default()
    };
    let rig = Rig::new(config, cato_runbook_core::catalog::CatalogConfig::default());
    rig.run_for(2 * MIN).await;
    rig.change(cato_runbook_mock::WorldChange::DeploymentSourceDown {
        source: "sagemaker".into(),
    });
    let mut update = learning_update();
    if let cato_runbook_mock::WorldChange::Deploy { source, .. } = &mut update {
        *source = Some("kubernetes".into());
    }
    rig.change(update);
    rig.change(invalidations(80.0));
    rig.change(hit_ratio(0.5));
    rig.run_for(3 * MIN).await;

    let inc = rig.incident().await;
    assert_eq!(
        top_cause(&inc),
        "Aggressive cache invalidation after learning"
    );
    let finding = inc
        .findings()
        .iter()
        .find(|f| f.source == "cache-invalidations")
        .unwrap();
    assert!(
        finding
            .evidence
            .iter()
            .any(|e| e.contains("cato-learning v42")),
        "{finding:?}"
    );
    assert!(
        finding
            .evidence
            .iter()
            .any(|e| e.contains("sagemaker") && e.contains("not read")),
        "{finding:?}"
    );
}
