//! [`Lease`] on one DynamoDB item, written only with conditional writes.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use aws_sdk_dynamodb::Client;
use cato_runbook_core::ports::{Clock, Fence, Leadership, Lease};
use cato_runbook_core::time::{self, HumanDuration};
use cato_runbook_core::{ErrorKind, Result, Retry};

use super::PROVIDER;
use super::store_items::{self as items, Item};
use crate::sdk::{Call, Settings};

/// The holder's name (absent: released).
const HOLDER: &str = "holder";
/// When the holder's lease lapses, in epoch milliseconds.
const EXPIRES: &str = "expires";

/// Reads and writes of one `acquire`: the first, and more after a lost race.
const ATTEMPTS: usize = 3;

/// The lease item as read.
#[derive(Debug)]
struct Held {
    /// `None`: released.
    holder: Option<String>,
    /// Epoch milliseconds.
    expires: i64,
    fence: u64,
}

/// The [`Lease`] port on one Amazon DynamoDB item, as one replica: a leader lease with a
/// fencing token.
///
/// The item (partition key `pk`, [`DEFAULT_KEY`](Self::DEFAULT_KEY) unless
/// [`with_key`](Self::with_key)) has `holder` (S; absent once released), `expires` (N, epoch
/// milliseconds) and `fence` (N). It may share the incident store's table
/// ([`create_table`](super::create_table)). Every replica names the same table and key and its
/// own, unique `replica`.
///
/// [`acquire`](Lease::acquire) reads the item (strongly consistent), then:
///
/// | the item | the write | answer |
/// | --- | --- | --- |
/// | absent | `PutItem`, `attribute_not_exists(pk)`: fence 1 | leader |
/// | held by this replica, not lapsed | `UpdateItem` of `expires`, conditional on `holder` and `fence` as read | leader, same fence |
/// | held by another, not lapsed | none | follower: its holder, fence and expiry |
/// | released, or lapsed (`expires <= now`, even this replica's own) | `UpdateItem`: holder, expiry and fence + 1, conditional on `holder`, `expires` and `fence` as read | leader, new fence |
///
/// A condition that fails means another replica wrote first: the replica reads again (three
/// tries in all). [`release`](Lease::release) removes `holder`, conditional on this replica
/// holding it (when it does not, nothing happens).
///
/// Times come from the clock given at construction (a virtual clock in tests), stored as epoch
/// milliseconds: the replicas' clocks must agree to well within the ttl. The per-call timeout
/// ([`with_timeout`](Self::with_timeout), 30 s by default) runs on the wall clock unless
/// [`with_timeout_clock`](Self::with_timeout_clock).
///
/// | port call | operations (IAM actions) |
/// | --- | --- |
/// | `acquire` | `dynamodb:GetItem`, then `dynamodb:PutItem` or `dynamodb:UpdateItem` |
/// | `release` | `dynamodb:UpdateItem` |
///
/// | what happened | [`ErrorKind`] | retry |
/// | --- | --- | --- |
/// | a ttl of zero | `InvalidInput` | permanent |
/// | another replica won every race of one `acquire` | `Conflict` | transient |
/// | a lease item that is not readable | `MalformedResponse` | permanent |
/// | the fence is at its largest | `Internal` | permanent |
/// | any other failure of the SDK (throttling, timeouts, access) | as every AWS provider maps it ([the crate's documentation](crate)) | |
///
/// # Examples
///
/// ```no_run
/// # async fn example() -> Result<(), cato_runbook_core::Error> {
/// use std::sync::Arc;
/// use std::time::Duration;
/// use cato_runbook_aws::dynamodb::DynamoDbLease;
/// use cato_runbook_aws::ports::{Lease, SystemClock};
///
/// let sdk = aws_config::load_from_env().await;
/// let clock = Arc::new(SystemClock);
/// let lease = DynamoDbLease::new(&sdk, "cato-incidents", "cato-orchestrator-1", clock);
/// assert_eq!(
///     lease.to_string(),
///     "dynamodb lease cato-incidents/lease (cato-orchestrator-1)"
/// );
/// let leadership = lease.acquire(Duration::from_secs(15)).await?;
/// # let _ = leadership;
/// # Ok(())
/// # }
/// ```
pub struct DynamoDbLease {
    client: Client,
    table: String,
    key: String,
    replica: String,
    clock: Arc<dyn Clock>,
    settings: Settings,
}

impl DynamoDbLease {
    /// The partition key of the lease item unless [`with_key`](Self::with_key).
    pub const DEFAULT_KEY: &'static str = "lease";

    /// The lease in `table`, as `replica`, on `clock`, through a client built from `config`.
    pub fn new(
        config: &aws_types::SdkConfig,
        table: impl Into<String>,
        replica: impl Into<String>,
        clock: Arc<dyn Clock>,
    ) -> Self {
        Self::from_client(Client::new(config), table, replica, clock)
    }

    /// The lease in `table`, as `replica`, on `clock`, through a ready client.
    pub fn from_client(
        client: Client,
        table: impl Into<String>,
        replica: impl Into<String>,
        clock: Arc<dyn Clock>,
    ) -> Self {
        DynamoDbLease {
            client,
            table: table.into(),
            key: Self::DEFAULT_KEY.to_owned(),
            replica: replica.into(),
            clock,
            settings: Settings::default(),
        }
    }

    /// Keeps the lease in the item `key` (several leases in one table).
    #[must_use]
    pub fn with_key(mut self, key: impl Into<String>) -> Self {
        self.key = key.into();
        self
    }

    /// Bounds every port call (its reads and writes) to `timeout`; an overrun is an
    /// [`ErrorKind::Timeout`] error. Keep it well under the ttl.
    #[must_use]
    pub fn with_timeout(mut self, timeout: Duration) -> Self {
        self.settings.timeout = timeout;
        self
    }

    /// Runs the per-call timeout on `clock` (the wall clock by default). The lease's own times
    /// stay on the clock given at construction.
    #[must_use]
    pub fn with_timeout_clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.settings.clock = clock;
        self
    }

    /// The table.
    pub fn table(&self) -> &str {
        &self.table
    }

    /// The lease item's partition key.
    pub fn key(&self) -> &str {
        &self.key
    }

    async fn read(&self, call: &Call<'_>) -> Result<Option<Held>> {
        let out = self
            .client
            .get_item()
            .table_name(&self.table)
            .key(items::PK, items::s(&self.key))
            .consistent_read(true)
            .send()
            .await
            .map_err(|e| call.sdk(e))?;
        out.item.map(|item| held(call, &item)).transpose()
    }

    /// Creates the item, held by this replica with fence 1.
    async fn create(&self, call: &Call<'_>, expires: i64) -> Result<bool> {
        let result = self
            .client
            .put_item()
            .table_name(&self.table)
            .item(items::PK, items::s(&self.key))
            .item(HOLDER, items::s(&self.replica))
            .item(EXPIRES, items::n(expires))
            .item(items::FENCE, items::n(1))
            .condition_expression("attribute_not_exists(#pk)")
            .expression_attribute_names("#pk", items::PK)
            .send()
            .await;
        items::written(call, result)
    }

    /// Moves this replica's expiry to `expires`, if it still holds `held`.
    async fn renew(&self, call: &Call<'_>, held: &Held, expires: i64) -> Result<bool> {
        let result = self
            .client
            .update_item()
            .table_name(&self.table)
            .key(items::PK, items::s(&self.key))
            .update_expression("SET #expires = :expires")
            .condition_expression("#holder = :me AND #fence = :fence")
            .expression_attribute_names("#expires", EXPIRES)
            .expression_attribute_names("#holder", HOLDER)
            .expression_attribute_names("#fence", items::FENCE)
            .expression_attribute_values(":expires", items::n(expires))
            .expression_attribute_values(":me", items::s(&self.replica))
            .expression_attribute_values(":fence", items::n(held.fence))
            .send()
            .await;
        items::written(call, result)
    }

    /// Takes the released or lapsed lease `held` with fence `next`, if it is still as read.
    async fn take(&self, call: &Call<'_>, held: &Held, next: u64, expires: i64) -> Result<bool> {
        let request = self
            .client
            .update_item()
            .table_name(&self.table)
            .key(items::PK, items::s(&self.key))
            .update_expression("SET #holder = :me, #expires = :expires, #fence = :next")
            .expression_attribute_names("#holder", HOLDER)
            .expression_attribute_names("#expires", EXPIRES)
            .expression_attribute_names("#fence", items::FENCE)
            .expression_attribute_values(":me", items::s(&self.replica))
            .expression_attribute_values(":expires", items::n(expires))
            .expression_attribute_values(":next", items::n(next))
            .expression_attribute_values(":fence", items::n(held.fence));
        let request = match &held.holder {
            None => {
                request.condition_expression("attribute_not_exists(#holder) AND #fence = :fence")
            }
            Some(holder) => request
                .condition_expression("#holder = :holder AND #expires = :was AND #fence = :fence")
                .expression_attribute_values(":holder", items::s(holder))
                .expression_attribute_values(":was", items::n(held.expires)),
        };
        items::written(call, request.send().await)
    }
}

/// The lease item `item`.
fn held(call: &Call<'_>, item: &Item) -> Result<Held> {
    let unreadable = |what: &str| {
        call.malformed(format!("the lease item has no {what}"))
            .with_retry(Retry::Permanent)
    };
    let fence = items::number::<u64>(item, items::FENCE).ok_or_else(|| unreadable("fence"))?;
    let holder = items::text(item, HOLDER).map(str::to_owned);
    let expires = match (&holder, items::number::<i64>(item, EXPIRES)) {
        (_, Some(expires)) => expires,
        (None, None) => i64::MIN,
        (Some(_), None) => return Err(unreadable("expiry")),
    };
    Ok(Held {
        holder,
        expires,
        fence,
    })
}

impl fmt::Debug for DynamoDbLease {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("DynamoDbLease")
            .field("table", &self.table)
            .field("key", &self.key)
            .field("replica", &self.replica)
            .field("clock", &self.clock)
            .field("settings", &self.settings)
            .finish_non_exhaustive()
    }
}

impl fmt::Display for DynamoDbLease {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{PROVIDER} lease {}/{} ({})",
            self.table, self.key, self.replica
        )
    }
}

#[async_trait]
impl Lease for DynamoDbLease {
    fn replica(&self) -> &str {
        &self.replica
    }

    async fn acquire(&self, ttl: Duration) -> Result<Leadership> {
        let call = Call::new(PROVIDER, "UpdateItem", &self.settings).on(&self.key);
        if ttl.is_zero() {
            return Err(call.invalid(format!(
                "a lease needs a positive ttl, not {}",
                HumanDuration(ttl)
            )));
        }
        let lease = format!("{}/{}", self.table, self.key);
        let replica = &self.replica;
        call.run(async {
            for _ in 0..ATTEMPTS {
                let current = self.read(&call.op("GetItem")).await?;
                let at = self.clock.now();
                let now = at.timestamp_millis();
                let until = time::add(at, ttl).timestamp_millis();
                let expires = items::instant(&call, until)?;
                let (won, fence, change) = match &current {
                    None => (
                        self.create(&call.op("PutItem"), until).await?,
                        1,
                        "created the lease and leads",
                    ),
                    Some(held) => match &held.holder {
                        Some(holder) if held.expires > now && *holder == self.replica => (
                            self.renew(&call, held, until).await?,
                            held.fence,
                            "renewed the lease",
                        ),
                        Some(holder) if held.expires > now => {
                            tracing::debug!(provider = PROVIDER, %lease, %replica, %holder, fence = held.fence, "another replica holds the lease");
                            return Ok(Leadership::Follower {
                                holder: holder.clone(),
                                fence: Fence(held.fence),
                                expires: items::instant(&call, held.expires)?,
                            });
                        }
                        _ => {
                            let next = held.fence.checked_add(1).ok_or_else(|| {
                                call.error(
                                    ErrorKind::Internal,
                                    "the fence is at its largest: there is no greater one to take",
                                )
                            })?;
                            (
                                self.take(&call, held, next, until).await?,
                                next,
                                "took the lease and leads",
                            )
                        }
                    },
                };
                if won {
                    if fence == current.as_ref().map_or(0, |held| held.fence) {
                        tracing::debug!(provider = PROVIDER, %lease, %replica, fence, "{change}");
                    } else {
                        let from = current.as_ref().and_then(|held| held.holder.as_deref());
                        tracing::info!(provider = PROVIDER, %lease, %replica, fence, from = from.unwrap_or("nobody"), "{change}");
                    }
                    return Ok(Leadership::Leader {
                        fence: Fence(fence),
                        expires,
                    });
                }
                tracing::info!(provider = PROVIDER, %lease, %replica, "another replica wrote the lease first; reading it again");
            }
            Err(call
                .error(
                    ErrorKind::Conflict,
                    "another replica wrote the lease first on every try",
                )
                .with_retry(Retry::Transient))
        })
        .await
    }

    async fn release(&self) -> Result<()> {
        let call = Call::new(PROVIDER, "UpdateItem", &self.settings).on(&self.key);
        call.run(async {
            let result = self
                .client
                .update_item()
                .table_name(&self.table)
                .key(items::PK, items::s(&self.key))
                .update_expression("REMOVE #holder")
                .condition_expression("#holder = :me")
                .expression_attribute_names("#holder", HOLDER)
                .expression_attribute_values(":me", items::s(&self.replica))
                .send()
                .await;
            let (lease, replica) = (format!("{}/{}", self.table, self.key), &self.replica);
            if items::written(&call, result)? {
                tracing::info!(provider = PROVIDER, %lease, %replica, "released the lease");
            } else {
                tracing::debug!(provider = PROVIDER, %lease, %replica, "not the holder: nothing to release");
            }
            Ok(())
        })
        .await
    }
}
