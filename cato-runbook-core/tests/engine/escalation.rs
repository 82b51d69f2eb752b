//! Escalation and SLA, exactly as the runbook: lead at 15 min, VP at 30 min for SEV1 only.

use std::sync::Arc;
use std::time::Duration;

use cato_runbook_core::engine::{ContactStep, Escalation, Mode, Notifiers, Policy};
use cato_runbook_core::runbook::Runbook;
use cato_runbook_core::{EntryKind, Incident, Severity};

use crate::support::*;

fn escalations(incident: &Incident) -> Vec<(String, chrono::DateTime<chrono::Utc>)> {
    incident
        .timeline()
        .iter()
        .filter_map(|e| match &e.kind {
            EntryKind::Escalated { role, .. } => Some((role.clone(), e.at)),
            _ => None,
        })
        .collect()
}

/// Runs the engine's own loop for `minutes` of virtual time with an odd tick interval, so
/// that escalation lands on time only if the loop wakes for it.
#[allow(clippy::disallowed_methods)] // a test drives tokio's time itself
async fn run_for(h: &Harness, minutes: u64) {
    let engine = h.engine.clone();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let task = tokio::spawn(async move {
        engine
            .run(async {
                let _ = stopped.await;
            })
            .await
    });
    tokio::time::sleep(mins(minutes)).await;
    stop.send(()).unwrap();
    task.await.unwrap().unwrap();
}

fn setup(impact_share: Option<f64>) -> (Harness, Arc<FakeDetector>) {
    let detector = FakeDetector::new("endpoint-5xx", "cato-shadow-self");
    let runbook = Runbook::builder("shadow-self-down", "Shadow Self endpoint down")
        .detector(detector.clone())
        .build()
        .unwrap();
    let mut setup = Setup::new(runbook, Policy::with_mode(Mode::Auto));
    setup.config.tick_interval = Duration::from_secs(47);
    match impact_share {
        Some(share) => detector.degraded(share),
        None => detector.outage(),
    }
    (setup.build(), detector)
}

#[tokio::test(start_paused = true)]
async fn sev1_reaches_the_lead_at_15_00_and_the_vp_at_30_00() {
    let (h, _detector) = setup(None);
    run_for(&h, 45).await;
    let incident = h.only().await;
    assert_eq!(incident.severity(), Severity::Sev1);
    let detected = incident.detected_at();
    assert_eq!(detected, at(47), "opened on the second tick");
    assert_eq!(
        escalations(&incident),
        [
            (
                "Engineering Lead".to_owned(),
                detected + chrono::TimeDelta::minutes(15)
            ),
            (
                "VP Engineering".to_owned(),
                detected + chrono::TimeDelta::minutes(30)
            ),
        ]
    );
    // On-call paged at once, the VP by phone through the pager; the lead in Slack.
    let pages = h.pager.pages.lock().unwrap().clone();
    assert_eq!(pages.len(), 2);
    assert_eq!(pages[0].target, "on-call");
    assert_eq!(pages[1].target, "vp-engineering");
    assert_eq!(
        pages[1].details.get("reach").map(String::as_str),
        Some("phone")
    );
    let lead = h
        .chat
        .messages
        .lock()
        .unwrap()
        .iter()
        .find(|m| m.text.starts_with("@lead-eng"))
        .cloned()
        .unwrap();
    assert!(
        lead.text
            .starts_with("@lead-eng SEV1 Shadow Self endpoint down")
            && lead.text.contains("not acknowledged after 15m")
    );
    assert_eq!(
        (lead.channel.as_str(), lead.thread.as_deref()),
        ("#cato-incident", Some("T1")),
        "in the incident's thread"
    );
}

#[tokio::test(start_paused = true)]
async fn sev2_never_reaches_the_vp() {
    let (h, _detector) = setup(Some(0.7));
    run_for(&h, 120).await;
    let incident = h.only().await;
    assert_eq!(incident.severity(), Severity::Sev2);
    let roles: Vec<_> = escalations(&incident)
        .into_iter()
        .map(|(role, _)| role)
        .collect();
    assert_eq!(roles, ["Engineering Lead"]);
    assert_eq!(h.pager.targets(), ["on-call"]);
}

#[tokio::test(start_paused = true)]
async fn acknowledging_stops_escalation() {
    let (h, _detector) = setup(None);
    run_for(&h, 10).await;
    let id = h.only().await.id().clone();
    assert!(h.engine.operator().acknowledge(&id, "alice").await.unwrap());
    assert!(
        !h.engine.operator().acknowledge(&id, "bob").await.unwrap(),
        "once"
    );
    run_for(&h, 60).await;
    let incident = h.only().await;
    assert!(escalations(&incident).is_empty());
    assert_eq!(incident.acknowledged_by(), Some("alice"));
    assert_eq!(
        h.pager.acks.lock().unwrap().clone(),
        [("on-call".to_owned(), id.to_string())]
    );
    assert_eq!(h.pager.targets(), ["on-call"]);
}

#[tokio::test(start_paused = true)]
async fn a_missed_response_deadline_is_recorded_once() {
    let (h, _detector) = setup(Some(0.7)); // SEV2: respond within 15 min
    run_for(&h, 14).await;
    assert!(h.only().await.timeline().first("sla_breached").is_none());
    run_for(&h, 30).await;
    let incident = h.only().await;
    let breaches: Vec<_> = incident.timeline().with_label("sla_breached").collect();
    assert_eq!(breaches.len(), 1);
    let deadline = incident.response_deadline();
    assert!(
        breaches[0].at > deadline && breaches[0].at <= deadline + chrono::TimeDelta::seconds(1)
    );
    assert_eq!(breaches[0].detail, "no acknowledgement within 15m (SEV2)");
    assert_eq!(incident.response_sla_met(h.now()), Some(false));
}

#[tokio::test(start_paused = true)]
async fn an_acknowledgement_in_time_means_no_breach() {
    let (h, _detector) = setup(None); // SEV1: 5 min
    run_for(&h, 3).await;
    let id = h.only().await.id().clone();
    h.engine.operator().acknowledge(&id, "alice").await.unwrap();
    run_for(&h, 30).await;
    let incident = h.only().await;
    assert!(incident.timeline().first("sla_breached").is_none());
    assert_eq!(incident.response_sla_met(h.now()), Some(true));
}

#[tokio::test(start_paused = true)]
async fn the_aws_tam_is_reached_on_demand_by_an_operator() {
    let (h, _detector) = setup(None);
    h.tick().await;
    h.tick().await;
    let id = h.only().await.id().clone();
    h.engine
        .operator()
        .escalate_to_aws_tam(&id, "alice", "quota increase stuck")
        .await
        .unwrap();
    let sent = h.mail.sent.lock().unwrap().clone();
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0].to, "aws-support@company.com");
    assert!(
        sent[0]
            .body
            .contains("alice asks for the AWS TAM: quota increase stuck")
    );
    assert_eq!(escalations(&h.only().await)[0].0, "AWS TAM");
}

#[tokio::test(start_paused = true)]
async fn without_a_mail_port_the_tam_escalation_fails_visibly() {
    let detector = FakeDetector::new("endpoint-5xx", "cato-shadow-self");
    let runbook = Runbook::builder("shadow-self-down", "down")
        .detector(detector.clone())
        .build()
        .unwrap();
    let mut setup = Setup::new(runbook, Policy::with_mode(Mode::Auto));
    setup.mail = false;
    let h = setup.build();
    detector.outage();
    h.tick().await;
    h.tick().await;
    let id = h.only().await.id().clone();
    let err = h
        .engine
        .operator()
        .escalate_to_aws_tam(&id, "alice", "help")
        .await
        .unwrap_err();
    assert_eq!(err.kind(), cato_runbook_core::ErrorKind::Unsupported);
    let failed = details(&h.only().await, "notification_failed");
    assert!(failed[0].contains("no mail port is configured"));
}

#[tokio::test(start_paused = true)]
async fn a_runbook_step_can_call_in_the_aws_tam() {
    let detector = FakeDetector::new("bedrock-throttles", "bedrock");
    let pager = Arc::new(RecordingPager::default());
    let chat = Arc::new(RecordingChat::default());
    let mail = Arc::new(RecordingMail::default());
    let notifiers = Notifiers::new(pager, chat).with_mail(mail.clone());
    let runbook = Runbook::builder("bedrock-throttling", "Bedrock throttling")
        .detector(detector.clone())
        .step(Arc::new(ContactStep::aws_tam(
            &Escalation::default(),
            notifiers,
        )))
        .build()
        .unwrap();
    let h = Setup::new(runbook, Policy::with_mode(Mode::Auto)).build();
    detector.degraded(0.6);
    h.tick().await;
    h.tick().await;
    assert_eq!(mail.sent.lock().unwrap()[0].to, "aws-support@company.com");
    let applied = details(&h.only().await, "mitigation_applied");
    assert_eq!(applied, ["AWS TAM told by mail aws-support@company.com"]);
}
