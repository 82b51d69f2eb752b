//! [`IncidentStore`] on one DynamoDB table: versioned items written in transactions, one
//! open-slot item per dedup key, and a fence item every write advances.

pub(super) mod retention;
mod writes;

use std::fmt;

use async_trait::async_trait;
use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::types::AttributeValue;
use cato_runbook_core::incident::IncidentId;
use cato_runbook_core::ports::{Created, Fence, Guardrails, IncidentStore, Stored};
use cato_runbook_core::{Incident, Result};

use super::PROVIDER;
use super::store_items::{self as items, Item};
use crate::sdk::{Call, Settings, settings_builders};

/// The [`IncidentStore`] port on one Amazon DynamoDB table, shared by every replica.
///
/// The table has a string partition key `pk` and nothing else
/// ([`create_table`](super::create_table) makes one, on-demand). Its items:
///
/// | `pk` | attributes | what |
/// | --- | --- | --- |
/// | `incident#<id>` | `id` (S), `version` (N), `open` (BOOL), `dedup` (S), `body` (S: the incident as JSON); once closed `closed_at` (N, epoch seconds) and, under a retention, `expires_at` (N: the time to live) | an incident |
/// | `open#<dedup key>` | `incident` (S: the id) | the one open incident of a dedup key |
/// | `fence` | `fence` (N) | the greatest [`Fence`] a write carried |
/// | `guardrails` | `version` (N), `body` (S: the [`Guardrails`] as JSON) | the shared guardrail state |
///
/// The [`DynamoDbLease`](super::DynamoDbLease) item may live in the same table.
///
/// Every write is one `TransactWriteItems`: the record's put, conditional on the version read
/// (`attribute_not_exists(pk)` for a create), the fence item's update, conditional on
/// `attribute_not_exists(fence) OR fence <= :fence`, and, when an incident opens or resolves,
/// the put (`attribute_not_exists(pk)`) or delete of its open slot. So create-if-absent,
/// compare-and-swap and fencing hold across replicas, and a write refused for one reason
/// writes nothing. When a transaction is cancelled the store reads why, in the order the
/// in-memory store checks: the fence, then the version (or the id), then the dedup key.
/// Every write goes through the one fence item: fine for one leader writing, not for many
/// concurrent writers.
///
/// Reads of an item are strongly consistent (`GetItem`). The open incidents are a sparse
/// global secondary index (`open-incidents`: only an open incident's item has its key,
/// `open_shard`), so the leader's read at every tick —
/// [`open_versions`](IncidentStore::open_versions), a `Query` of ids and versions — costs the
/// open incidents, not the table's history; it is eventually consistent, so a change a moment
/// old shows at the next tick. [`open`](IncidentStore::open) reads each open incident from
/// the index with `GetItem`; [`all`](IncidentStore::all) scans the whole table (every page,
/// `ConsistentRead`) and sorts by id: for the postmortem and the command, not for a tick. An
/// incident's item holds its whole timeline and must stay under DynamoDB's 400 KB.
///
/// | port call | operations (IAM actions) |
/// | --- | --- |
/// | `create`, `update`, `save_guardrails` | `TransactWriteItems` (`dynamodb:PutItem`, `dynamodb:UpdateItem`, `dynamodb:DeleteItem`), `GetItem` when refused |
/// | `get`, `guardrails` | `GetItem` |
/// | `open_versions` | `Query` of the index |
/// | `open` | `Query` of the index, `GetItem` per open incident |
/// | `all` | `Scan` |
/// | `delete_closed` | `Scan`, `TransactWriteItems` (`dynamodb:DeleteItem`, `dynamodb:UpdateItem`) per incident deleted |
///
/// | what happened | [`ErrorKind`] | retry |
/// | --- | --- | --- |
/// | a write whose fence is older than one the store has seen | `Fenced` | permanent |
/// | `create`: the id is taken | `Conflict` | permanent |
/// | `update`, `save_guardrails`: the stored version is another | `Conflict` | permanent |
/// | `update`: reopening onto a dedup key another open incident holds | `Conflict` | permanent |
/// | `update` of an incident never created | `NotFound` | permanent |
/// | another transaction on the same items (`TransactionConflict`), or the store changed under every try | `Conflict` | transient |
/// | a stored record that is not readable (names the incident) | `MalformedResponse` | permanent |
/// | an incident that cannot be written as JSON, an open slot another incident holds though this one is open | `Internal` | permanent |
/// | any other failure of the SDK (throttling, timeouts, access) | as every AWS provider maps it ([the crate's documentation](crate)) | |
///
/// A create that timed out may have been stored: trying it again answers `Conflict` (the id
/// is taken); read it back.
///
/// # Examples
///
/// ```no_run
/// # async fn example() -> Result<(), cato_runbook_core::Error> {
/// use cato_runbook_aws::dynamodb::{DynamoDbIncidentStore, create_table};
/// use cato_runbook_aws::ports::IncidentStore;
///
/// let sdk = aws_config::load_from_env().await;
/// create_table(&aws_sdk_dynamodb::Client::new(&sdk), "cato-incidents").await?;
/// let store = DynamoDbIncidentStore::new(&sdk, "cato-incidents");
/// assert_eq!(store.to_string(), "dynamodb incident store (cato-incidents)");
/// let open = store.open().await?;
/// # let _ = open;
/// # Ok(())
/// # }
/// ```
pub struct DynamoDbIncidentStore {
    client: Client,
    table: String,
    settings: Settings,
    /// How long a closed incident is kept: its item's time to live.
    retention: Option<std::time::Duration>,
}

impl DynamoDbIncidentStore {
    /// The store in `table`, through a client built from `config`.
    pub fn new(config: &aws_types::SdkConfig, table: impl Into<String>) -> Self {
        Self::from_client(Client::new(config), table)
    }

    /// The store in `table`, through a ready client.
    pub fn from_client(client: Client, table: impl Into<String>) -> Self {
        DynamoDbIncidentStore {
            client,
            table: table.into(),
            settings: Settings::default(),
            retention: None,
        }
    }

    /// Keeps a closed incident `retention` after its close: its item gets the time to live
    /// attribute `expires_at` (epoch seconds), which [`create_table`](super::create_table)
    /// turns on. DynamoDB deletes an expired item within a few days, not at once:
    /// [`delete_closed`](IncidentStore::delete_closed), which the engine calls hourly,
    /// deletes what is due meanwhile.
    pub fn with_retention(mut self, retention: std::time::Duration) -> Self {
        self.retention = Some(retention);
        self
    }

    /// The table.
    pub fn table(&self) -> &str {
        &self.table
    }

    /// The item `pk`, read strongly consistent.
    async fn read(&self, call: &Call<'_>, pk: &str) -> Result<Option<Item>> {
        let out = self
            .client
            .get_item()
            .table_name(&self.table)
            .key(items::PK, items::s(pk))
            .consistent_read(true)
            .send()
            .await
            .map_err(|e| call.sdk(e))?;
        Ok(out.item)
    }

    /// Every item that passes `filter`, every page, strongly consistent.
    async fn scan(
        &self,
        call: &Call<'_>,
        filter: &str,
        names: &[(&str, &str)],
        values: &[(&str, AttributeValue)],
    ) -> Result<Vec<Item>> {
        let mut found = Vec::new();
        let mut start: Option<Item> = None;
        loop {
            let mut request = self
                .client
                .scan()
                .table_name(&self.table)
                .consistent_read(true)
                .filter_expression(filter)
                .set_exclusive_start_key(start.take());
            for (name, attribute) in names {
                request = request.expression_attribute_names(*name, *attribute);
            }
            for (name, value) in values {
                request = request.expression_attribute_values(*name, value.clone());
            }
            let out = request.send().await.map_err(|e| call.sdk(e))?;
            found.extend(out.items.unwrap_or_default());
            match out.last_evaluated_key {
                Some(key) if !key.is_empty() => start = Some(key),
                _ => return Ok(found),
            }
        }
    }
}

settings_builders!(DynamoDbIncidentStore);

impl fmt::Debug for DynamoDbIncidentStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DynamoDbIncidentStore")
            .field("table", &self.table)
            .field("settings", &self.settings)
            .finish_non_exhaustive()
    }
}

impl fmt::Display for DynamoDbIncidentStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{PROVIDER} incident store ({})", self.table)
    }
}

#[async_trait]
impl IncidentStore for DynamoDbIncidentStore {
    async fn create(&self, incident: &Incident, fence: Fence) -> Result<Created> {
        self.create_incident(incident, fence).await
    }

    async fn update(&self, incident: &Incident, version: u64, fence: Fence) -> Result<u64> {
        self.update_incident(incident, version, fence).await
    }

    async fn get(&self, id: &IncidentId) -> Result<Option<Stored<Incident>>> {
        const OP: &str = "store.get";
        let call = Call::new(PROVIDER, "GetItem", &self.settings).on(id.as_str());
        call.run(async {
            let item = self.read(&call, &items::incident_pk(id)).await?;
            item.map(|item| items::incident(OP, &item)).transpose()
        })
        .await
    }

    /// The open incidents' ids from the index, each then read consistently (one that was
    /// resolved since is left out).
    async fn open(&self) -> Result<Vec<Stored<Incident>>> {
        let mut open = Vec::new();
        for (id, _) in self.open_versions().await? {
            if let Some(stored) = self.get(&id).await?
                && stored.value.is_open()
            {
                open.push(stored);
            }
        }
        Ok(open)
    }

    /// A query of the sparse index of open incidents (eventually consistent, as every
    /// secondary index: a change a moment old may show at the next tick).
    async fn open_versions(&self) -> Result<Vec<(IncidentId, u64)>> {
        const OP: &str = "store.open_versions";
        let call = Call::new(PROVIDER, "Query", &self.settings).on(&self.table);
        call.run(async {
            let mut found = Vec::new();
            let mut start: Option<Item> = None;
            loop {
                let out = self
                    .client
                    .query()
                    .table_name(&self.table)
                    .index_name(items::OPEN_INDEX)
                    .key_condition_expression("#shard = :open")
                    .expression_attribute_names("#shard", items::OPEN_SHARD)
                    .expression_attribute_values(":open", items::s(items::OPEN))
                    .set_exclusive_start_key(start.take())
                    .send()
                    .await
                    .map_err(|e| call.sdk(e))?;
                for item in out.items.unwrap_or_default() {
                    let id = items::text(&item, items::ID)
                        .ok_or_else(|| items::corrupt(OP, "an open incident", "no id"))?;
                    let version = items::number::<u64>(&item, items::VERSION)
                        .ok_or_else(|| items::corrupt(OP, id, "no version"))?;
                    found.push((IncidentId::new(id), version));
                }
                match out.last_evaluated_key {
                    Some(key) if !key.is_empty() => start = Some(key),
                    _ => break,
                }
            }
            found.sort();
            Ok(found)
        })
        .await
    }

    async fn all(&self) -> Result<Vec<Incident>> {
        const OP: &str = "store.all";
        let call = Call::new(PROVIDER, "Scan", &self.settings).on(&self.table);
        call.run(async {
            let found = self
                .scan(
                    &call,
                    "begins_with(#pk, :prefix)",
                    &[("#pk", items::PK)],
                    &[(":prefix", items::s(items::INCIDENT_PREFIX))],
                )
                .await?;
            let mut all = found
                .iter()
                .map(|item| items::incident(OP, item).map(|stored| stored.value))
                .collect::<Result<Vec<_>>>()?;
            all.sort_by(|a, b| a.id().cmp(b.id()));
            Ok(all)
        })
        .await
    }

    async fn delete_closed(
        &self,
        closed_before: cato_runbook_core::Timestamp,
        fence: Fence,
    ) -> Result<u64> {
        self.delete_closed_items(closed_before, fence).await
    }

    async fn guardrails(&self) -> Result<Stored<Guardrails>> {
        const OP: &str = "store.guardrails";
        let call = Call::new(PROVIDER, "GetItem", &self.settings).on(items::GUARDRAILS_ITEM);
        call.run(async {
            match self.read(&call, items::GUARDRAILS_ITEM).await? {
                Some(item) => items::guardrails(OP, &item),
                None => Ok(Stored {
                    value: Guardrails::default(),
                    version: 0,
                }),
            }
        })
        .await
    }

    async fn save_guardrails(
        &self,
        guardrails: &Guardrails,
        version: u64,
        fence: Fence,
    ) -> Result<u64> {
        self.write_guardrails(guardrails, version, fence).await
    }
}
