//! The exact events the PagerDuty provider sends.

use std::collections::BTreeMap;

use cato_runbook_core::ports::{Page, PageSeverity, Pager};
use cato_runbook_core::{ErrorKind, Severity};
use serde_json::json;

use super::fake::{Alert, FakePagerDuty, ON_CALL_KEY, VP_KEY};
use crate::common::{bodies, calls};

fn page(target: &str, severity: Severity) -> Page {
    Page {
        target: target.into(),
        dedup_key: "INC-20260310-001".into(),
        summary: "Shadow Self endpoint down: 5XX on /api/admin/cato/shadow-self/*".into(),
        source: "cato-shadow-self".into(),
        component: "shadow-self-down".into(),
        severity: severity.into(),
        details: BTreeMap::from([
            ("runbook".to_owned(), "shadow-self-down".to_owned()),
            ("error_rate".to_owned(), "0.42".to_owned()),
        ]),
    }
}

#[tokio::test]
async fn a_trigger_carries_the_payload_and_the_routing_key_of_its_target() {
    let pd = FakePagerDuty::start().await;
    pd.pager()
        .trigger(&page("on-call", Severity::Sev1))
        .await
        .unwrap();
    assert_eq!(
        calls(&pd.server).await,
        [("POST".into(), "/v2/enqueue".into())]
    );
    assert_eq!(
        bodies(&pd.server).await,
        [json!({
            "routing_key": ON_CALL_KEY,
            "event_action": "trigger",
            "dedup_key": "INC-20260310-001",
            "payload": {
                "summary": "Shadow Self endpoint down: 5XX on /api/admin/cato/shadow-self/*",
                "source": "cato-shadow-self",
                "severity": "critical",
                "component": "shadow-self-down",
                "custom_details": {"runbook": "shadow-self-down", "error_rate": "0.42"},
            },
        })]
    );
    assert_eq!(
        pd.alert(ON_CALL_KEY, "INC-20260310-001"),
        Some(Alert::Triggered)
    );
}

#[tokio::test]
async fn severity_follows_the_sev_level() {
    let pd = FakePagerDuty::start().await;
    let pager = pd.pager();
    for sev in [
        Severity::Sev1,
        Severity::Sev2,
        Severity::Sev3,
        Severity::Sev4,
    ] {
        pager.trigger(&page("vp-engineering", sev)).await.unwrap();
    }
    let severities: Vec<_> = bodies(&pd.server)
        .await
        .iter()
        .map(|b| b["payload"]["severity"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(severities, ["critical", "error", "warning", "info"]);
    assert_eq!(PageSeverity::from(Severity::Sev1), PageSeverity::Critical);
    assert!(
        bodies(&pd.server)
            .await
            .iter()
            .all(|b| b["routing_key"] == VP_KEY)
    );
}

#[tokio::test]
async fn acknowledge_and_resolve_send_only_the_dedup_key() {
    let pd = FakePagerDuty::start().await;
    let pager = pd.pager();
    pager
        .trigger(&page("on-call", Severity::Sev2))
        .await
        .unwrap();
    pager
        .acknowledge("on-call", "INC-20260310-001")
        .await
        .unwrap();
    assert_eq!(
        pd.alert(ON_CALL_KEY, "INC-20260310-001"),
        Some(Alert::Acknowledged)
    );
    pager.resolve("on-call", "INC-20260310-001").await.unwrap();
    assert_eq!(
        pd.alert(ON_CALL_KEY, "INC-20260310-001"),
        Some(Alert::Resolved)
    );
    let sent = bodies(&pd.server).await;
    assert_eq!(
        sent[1..],
        [
            json!({"routing_key": ON_CALL_KEY, "event_action": "acknowledge", "dedup_key": "INC-20260310-001"}),
            json!({"routing_key": ON_CALL_KEY, "event_action": "resolve", "dedup_key": "INC-20260310-001"}),
        ]
    );
}

#[tokio::test]
async fn a_long_summary_is_cut_to_what_pagerduty_takes() {
    let pd = FakePagerDuty::start().await;
    let mut p = page("on-call", Severity::Sev3);
    p.summary = "latency ".repeat(300);
    pd.pager().trigger(&p).await.unwrap();
    let summary = bodies(&pd.server).await[0]["payload"]["summary"]
        .as_str()
        .unwrap()
        .chars()
        .count();
    assert_eq!(summary, 1024);
}

#[tokio::test]
async fn an_unknown_target_or_an_empty_page_sends_nothing() {
    let pd = FakePagerDuty::start().await;
    let pager = pd.pager();
    let err = pager
        .trigger(&page("nobody", Severity::Sev1))
        .await
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::NotFound);
    assert_eq!(err.resource(), Some("nobody"));
    let err = pager.resolve("nobody", "x").await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::NotFound);
    let mut p = page("on-call", Severity::Sev1);
    p.source = " ".into();
    let err = pager.trigger(&p).await.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidInput);
    assert!(calls(&pd.server).await.is_empty());
}
