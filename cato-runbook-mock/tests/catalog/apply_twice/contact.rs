//! The engine's contact step, applied twice. Notifications carry no idempotency key: each
//! apply reaches the notifier, and what the contact sees depends on the channel — a page joins
//! the alert its dedup key (the incident) already opened; an email is sent again.
//!
//! No catalog ladder holds a contact step; it is built over the world's notifiers as a host
//! would.

use std::sync::Arc;

use cato_runbook_core::engine::{ContactStep, Escalation, Notifiers};
use cato_runbook_core::runbook::Mitigation;
use cato_runbook_mock::world::{AlertStatus, PagerAction};
use cato_runbook_mock::{CallOutcome, Op, World, WorldConfig};

use super::{Seen, Twins, alike, apply_twice, minutes, record};

const RUNBOOK: &str = "bedrock-throttling";
const RESOURCE: &str = "anthropic.claude-3-5-sonnet-20241022-v2:0";

fn notifiers(world: &World) -> Notifiers {
    let ports = world.ports("replica-1");
    Notifiers::new(ports.pager, ports.chat).with_mail(ports.mail)
}

#[tokio::test(start_paused = true)]
async fn contact_aws_tam_applied_twice_mails_the_tam_twice() {
    let twins = Twins::new(WorldConfig::default()).unwrap();
    let tam = |w: &World| -> Arc<dyn Mitigation> {
        Arc::new(ContactStep::aws_tam(&Escalation::default(), notifiers(w)))
    };
    let (twice, once) = twins.plan_built(RUNBOOK, RESOURCE, tam).await.unwrap();
    assert!(!twice.plan.reversible);
    assert!(twice.plan.changes.is_empty());

    let line = apply_twice(&twice, &once, minutes(1)).await.unwrap();
    assert_eq!(line, "AWS TAM told by mail aws-support@company.com");
    alike(&twice, &once, minutes(1)).await;

    // NOT idempotent: the mail port takes no key and the step does not remember it wrote, so
    // the TAM gets the same email twice.
    let (mails, mail) = (twice.world.mails(), once.world.mails());
    assert_eq!((mails.len(), mail.len()), (2, 1), "{mails:#?}");
    assert_eq!(
        (&mails[1].to, &mails[1].subject, &mails[1].body),
        (&mails[0].to, &mails[0].subject, &mails[0].body)
    );
    let sent: Seen = (CallOutcome::Ok, None);
    assert_eq!(record(&twice, Op::MailSend), [sent.clone(), sent.clone()]);
    assert_eq!(record(&once, Op::MailSend), [sent]);
}

#[tokio::test(start_paused = true)]
async fn a_paging_contact_applied_twice_raises_one_alert() {
    let twins = Twins::new(WorldConfig::default()).unwrap();
    let page = |w: &World| -> Arc<dyn Mitigation> {
        Arc::new(ContactStep::new(
            "page-on-call",
            Escalation::default().on_call,
            notifiers(w),
        ))
    };
    let (twice, once) = twins.plan_built(RUNBOOK, RESOURCE, page).await.unwrap();

    apply_twice(&twice, &once, minutes(1)).await.unwrap();
    let world = alike(&twice, &once, minutes(1)).await;
    assert_eq!(world.open_alerts, 1);

    // One alert either way: the repeat joins it under the same dedup key, the incident's id.
    let (alerts, alert) = (twice.world.alerts(), once.world.alerts());
    assert_eq!((alerts.len(), alert.len()), (1, 1));
    assert_eq!(alerts[0].dedup_key, alert[0].dedup_key);
    assert_eq!(alerts[0].status, AlertStatus::Triggered);
    assert_eq!((alerts[0].triggers, alert[0].triggers), (2, 1));
    let actions: Vec<_> = twice
        .world
        .pager_events()
        .iter()
        .map(|e| e.action)
        .collect();
    assert_eq!(actions, [PagerAction::Opened, PagerAction::Deduplicated]);
    let sent: Seen = (CallOutcome::Ok, None);
    assert_eq!(
        record(&twice, Op::PagerTrigger),
        [sent.clone(), sent.clone()]
    );
    assert_eq!(record(&once, Op::PagerTrigger), [sent]);
}
