//! The incident store on moto: the store port's conformance suite, two replicas on one table
//! (dedup, compare-and-swap, fencing, guardrails), and a corrupt body.

use aws_sdk_dynamodb::types::AttributeValue;
use cato_runbook_aws::dynamodb::{DynamoDbIncidentStore, create_table};
use cato_runbook_core::incident::NewIncident;
use cato_runbook_core::ports::{Created, Fence, Guardrails, Halt, IncidentStore, Stored};
use cato_runbook_core::{Actor, ErrorKind, Impact, Incident, IncidentId, Retry, Status};
use cato_runbook_mock::{VirtualClock, World, conformance};

use crate::aws_support::Aws;

/// The operations the store calls.
const CALLED: &[&str] = &[
    "dynamodb:GetItem",
    "dynamodb:Query",
    "dynamodb:Scan",
    "dynamodb:TransactWriteItems",
];

/// The item actions IAM checks for each item of a `TransactWriteItems` (the store's
/// transactions put, update and delete items): granted, never called on their own.
const IN_TRANSACTIONS: &[&str] = &[
    "dynamodb:PutItem",
    "dynamodb:UpdateItem",
    "dynamodb:DeleteItem",
];

#[test]
fn the_iam_policy_grants_what_the_store_calls_and_no_more() {
    let granted: Vec<&str> = cato_runbook_aws::iam::STORE
        .iter()
        .map(|a| a.name)
        .collect();
    let expected: Vec<&str> = CALLED.iter().chain(IN_TRANSACTIONS).copied().collect();
    assert_eq!(granted, expected);
}

/// A new table of this test's own (the account is the test's, the name too).
pub async fn table(aws: &Aws, name: &str) -> String {
    let table = format!("{name}-{}", aws.account);
    create_table(&aws_sdk_dynamodb::Client::new(&aws.sdk), &table)
        .await
        .unwrap();
    table
}

fn incident(n: u32, resource: &str) -> Incident {
    Incident::open(
        NewIncident {
            id: IncidentId::new(format!("INC-DDB-{n:04}")),
            runbook: "shadow-self-down".into(),
            resource: resource.into(),
            title: "Shadow Self endpoint down".into(),
            impact: Impact::outage(),
            severity: None,
        },
        VirtualClock::default_start(),
        Actor::Engine,
    )
}

fn resolved(mut incident: Incident) -> Incident {
    incident
        .transition(
            Status::Resolved,
            VirtualClock::default_start(),
            Actor::Engine,
        )
        .unwrap();
    incident
}

#[tokio::test]
async fn conformance_on_moto() {
    let Some(aws) = Aws::start().await else {
        return;
    };
    let table = table(&aws, "cato-incidents").await;
    let store = DynamoDbIncidentStore::from_client(aws.dynamodb(), &table);
    assert_eq!(
        store.to_string(),
        format!("dynamodb incident store ({table})")
    );
    let f = World::default().conformance_fixtures().unwrap().store;
    conformance::store::run_all(&store, &f).await.unwrap();
    let called = aws.recorder.actions();
    assert!(
        called.iter().all(|a| CALLED.contains(&a.as_str())),
        "{called:?}"
    );
    assert!(
        CALLED.iter().all(|c| called.iter().any(|a| a == c)),
        "the policy grants only what is called: {called:?}"
    );
}

#[tokio::test]
async fn two_replicas_share_dedup_versions_fences_and_guardrails() {
    let Some(aws) = Aws::start().await else {
        return;
    };
    let table = table(&aws, "cato-incidents").await;
    let a = DynamoDbIncidentStore::from_client(aws.dynamodb(), &table);
    let b = DynamoDbIncidentStore::from_client(aws.dynamodb(), &table);
    let first = incident(1, "cato-shadow-self");
    let twin = incident(2, "cato-shadow-self");
    assert_eq!(first.dedup_key(), twin.dedup_key());

    assert_eq!(a.create(&first, Fence(2)).await.unwrap(), Created::Created);
    let exists = b.create(&twin, Fence(2)).await.unwrap();
    assert_eq!(
        exists,
        Created::Exists(Box::new(Stored {
            value: first.clone(),
            version: 1
        })),
        "the open incident of the dedup key is answered, and nothing written"
    );
    assert_eq!(b.get(twin.id()).await.unwrap(), None);
    let taken = b.create(&first, Fence(2)).await.unwrap_err();
    assert_eq!(taken.kind(), ErrorKind::Conflict, "{taken}");

    let stale = b.update(&first, 7, Fence(2)).await.unwrap_err();
    assert_eq!(
        (stale.kind(), stale.retry()),
        (ErrorKind::Conflict, Retry::Permanent),
        "{stale}"
    );
    let fenced = b.update(&first, 1, Fence(1)).await.unwrap_err();
    assert_eq!(fenced.kind(), ErrorKind::Fenced, "{fenced}");
    let never = b.update(&twin, 1, Fence(2)).await.unwrap_err();
    assert_eq!(never.kind(), ErrorKind::NotFound, "{never}");
    let fenced = b.create(&twin, Fence(1)).await.unwrap_err();
    assert_eq!(fenced.kind(), ErrorKind::Fenced, "{fenced}");

    // Resolving frees the dedup key; reopening onto a key another open incident holds is a
    // conflict.
    let done = resolved(first.clone());
    assert_eq!(a.update(&done, 1, Fence(3)).await.unwrap(), 2);
    assert_eq!(b.create(&twin, Fence(3)).await.unwrap(), Created::Created);
    let reopen = a.update(&first, 2, Fence(3)).await.unwrap_err();
    assert_eq!(reopen.kind(), ErrorKind::Conflict, "{reopen}");
    assert!(reopen.message().contains(twin.id().as_str()), "{reopen}");
    let open: Vec<IncidentId> = a
        .open()
        .await
        .unwrap()
        .into_iter()
        .map(|s| s.value.id().clone())
        .collect();
    assert_eq!(open, [twin.id().clone()]);
    assert_eq!(a.all().await.unwrap(), [done, twin.clone()]);

    // The guardrails, under the same rules.
    assert_eq!(
        b.guardrails().await.unwrap(),
        Stored {
            value: Guardrails::default(),
            version: 0
        }
    );
    let halted = Guardrails {
        halted: Some(Halt {
            by: "alice".into(),
            at: VirtualClock::default_start(),
        }),
        ..Guardrails::default()
    };
    assert_eq!(a.save_guardrails(&halted, 0, Fence(3)).await.unwrap(), 1);
    let stale = b.save_guardrails(&halted, 0, Fence(3)).await.unwrap_err();
    assert_eq!(stale.kind(), ErrorKind::Conflict, "{stale}");
    let fenced = b.save_guardrails(&halted, 1, Fence(2)).await.unwrap_err();
    assert_eq!(fenced.kind(), ErrorKind::Fenced, "{fenced}");
    assert_eq!(
        b.guardrails().await.unwrap(),
        Stored {
            value: halted,
            version: 1
        }
    );
}

#[tokio::test]
async fn a_corrupt_body_is_a_permanent_error_naming_the_incident() {
    let Some(aws) = Aws::start().await else {
        return;
    };
    let table = table(&aws, "cato-incidents").await;
    let store = DynamoDbIncidentStore::from_client(aws.dynamodb(), &table);
    let good = incident(1, "cato-shadow-self");
    store.create(&good, Fence(1)).await.unwrap();
    aws_sdk_dynamodb::Client::new(&aws.sdk)
        .put_item()
        .table_name(&table)
        .item("pk", AttributeValue::S("incident#INC-BAD".into()))
        .item("id", AttributeValue::S("INC-BAD".into()))
        .item("version", AttributeValue::N("1".into()))
        .item("open", AttributeValue::Bool(true))
        .item("open_shard", AttributeValue::S("open".into()))
        .item("dedup", AttributeValue::S("shadow-self-down/other".into()))
        .item("body", AttributeValue::S("{not json".into()))
        .send()
        .await
        .unwrap();
    let bad = IncidentId::new("INC-BAD");
    for err in [
        store.get(&bad).await.unwrap_err(),
        store.open().await.unwrap_err(),
        store.all().await.unwrap_err(),
    ] {
        assert_eq!(
            (err.kind(), err.retry(), err.resource()),
            (
                ErrorKind::MalformedResponse,
                Retry::Permanent,
                Some("INC-BAD")
            ),
            "{err}"
        );
    }
    assert_eq!(
        store.get(good.id()).await.unwrap().map(|s| s.value),
        Some(good)
    );
}

#[tokio::test]
async fn a_closed_incident_carries_its_close_time_and_time_to_live() {
    let Some(aws) = Aws::start().await else {
        return;
    };
    let table = table(&aws, "cato-incidents").await;
    let retention = std::time::Duration::from_secs(7 * 24 * 3600);
    let store =
        DynamoDbIncidentStore::from_client(aws.dynamodb(), &table).with_retention(retention);
    let mut closed = resolved(incident(7, "cato-shadow-self"));
    store.create(&closed, Fence(1)).await.unwrap();
    let at = VirtualClock::default_start();
    closed
        .transition(Status::Closed, at, Actor::person("alice"))
        .unwrap();
    store.update(&closed, 1, Fence(1)).await.unwrap();
    let item = aws_sdk_dynamodb::Client::new(&aws.sdk)
        .get_item()
        .table_name(&table)
        .key("pk", AttributeValue::S("incident#INC-DDB-0007".into()))
        .send()
        .await
        .unwrap()
        .item
        .unwrap();
    let number = |name: &str| match item.get(name) {
        Some(AttributeValue::N(n)) => n.parse::<i64>().unwrap(),
        other => panic!("{name}: {other:?}"),
    };
    assert_eq!(number("closed_at"), at.timestamp());
    assert_eq!(number("expires_at"), at.timestamp() + 7 * 24 * 3600);
    // Not yet past the retention: kept; past it: deleted.
    assert_eq!(store.delete_closed(at, Fence(1)).await.unwrap(), 0);
    let later = at + chrono::Duration::seconds(1);
    assert_eq!(store.delete_closed(later, Fence(1)).await.unwrap(), 1);
    assert!(store.get(closed.id()).await.unwrap().is_none());
}
