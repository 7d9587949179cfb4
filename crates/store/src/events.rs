//! The outbox: every observable change as an event, in commit order.

use crate::records::{EventRecord, Page};
use crate::time::from_millis;
use crate::{Result, Store, StoreError};
use wagate_core::{AccountId, EventKind, EventSeq, InstanceId};

/// An event to append in the same transaction as the change it reports.
#[derive(Clone, Debug, PartialEq)]
pub struct NewEvent {
    pub account_id: AccountId,
    pub instance_id: Option<InstanceId>,
    /// The instance's name at the time; `None` looks it up from `instance_id`.
    pub instance_name: Option<String>,
    pub kind: EventKind,
    pub data: serde_json::Value,
}

/// An outbox row as the append statements read it from a JSON array.
#[derive(serde::Serialize)]
struct NewEventRow<'a> {
    id: String,
    account_id: &'a str,
    instance_id: Option<&'a str>,
    instance_name: Option<&'a str>,
    kind: &'static str,
    data: String,
}

/// `events` as the JSON array `SQLITE_APPEND_EVENTS` and `POSTGRES_APPEND_EVENTS` bind as `$1`,
/// each with a new event id.
pub(crate) fn event_rows(events: &[NewEvent]) -> Result<String> {
    let rows: Vec<NewEventRow> = events
        .iter()
        .map(|event| NewEventRow {
            id: wagate_core::EventId::generate().to_string(),
            account_id: event.account_id.as_str(),
            instance_id: event.instance_id.as_ref().map(InstanceId::as_str),
            instance_name: event.instance_name.as_deref(),
            kind: event.kind.as_str(),
            data: event.data.to_string(),
        })
        .collect();
    serde_json::to_string(&rows)
        .map_err(|e| StoreError::Corrupt(format!("an event row does not serialise: {e}")))
}

/// Appends the rows of `$1` in the array's order (so in sequence order), created at `$2`; an
/// event without an instance name takes its instance's current one. `$elements` yields the
/// array's elements as `value`, ordered by `$order`.
macro_rules! append_events_from {
    ($elements:literal, $order:literal) => {
        concat!(
            "INSERT INTO events (id, account_id, instance_id, instance_name, kind, data, created_at)
             SELECT value ->> 'id', value ->> 'account_id', value ->> 'instance_id',
                 COALESCE(value ->> 'instance_name',
                     (SELECT name FROM instances WHERE id = value ->> 'instance_id')),
                 value ->> 'kind', value ->> 'data', $2
             FROM ",
            $elements,
            " ORDER BY ",
            $order
        )
    };
}

pub(crate) const SQLITE_APPEND_EVENTS: &str = append_events_from!("json_each($1)", "key");
pub(crate) const POSTGRES_APPEND_EVENTS: &str = append_events_from!(
    "jsonb_array_elements($1::jsonb) WITH ORDINALITY AS r(value, n)",
    "n"
);

/// Which events to read: one account's (optionally one instance's), after a sequence number.
#[derive(Clone, Debug)]
pub struct EventFilter {
    pub account_id: AccountId,
    pub instance_id: Option<InstanceId>,
    pub after: EventSeq,
    pub limit: i64,
}

#[derive(sqlx::FromRow)]
pub(crate) struct EventRow {
    seq: i64,
    id: String,
    account_id: String,
    instance_id: Option<String>,
    instance_name: Option<String>,
    kind: String,
    data: String,
    created_at: i64,
}

impl TryFrom<EventRow> for EventRecord {
    type Error = StoreError;

    fn try_from(row: EventRow) -> Result<Self> {
        Ok(Self {
            seq: EventSeq(row.seq),
            kind: row.kind.parse().map_err(StoreError::Corrupt)?,
            data: serde_json::from_str(&row.data)
                .map_err(|e| StoreError::Corrupt(format!("event {} data: {e}", row.id)))?,
            id: row.id,
            account_id: AccountId::from_trusted(row.account_id),
            instance_id: row.instance_id.map(InstanceId::from_trusted),
            instance_name: row.instance_name,
            created_at: from_millis(row.created_at),
        })
    }
}

impl Store {
    /// Appends events that report no stored change of their own (for example a reaction to a
    /// message this gateway never saw).
    pub async fn append_events(&self, events: Vec<NewEvent>) -> Result<()> {
        in_tx!(self, tx, backend => {
            append_events!(tx, backend, events);
            Ok(())
        })
    }

    /// The sequence number of the newest event: where a reader that wants only what comes
    /// next starts. Sequence order is commit order, so nothing committed later sorts before it.
    pub async fn latest_event_seq(&self) -> Result<EventSeq> {
        let latest: Option<i64> = on_pool!(self, pool => {
            sqlx::query_scalar("SELECT MAX(seq) FROM events").fetch_one(pool).await?
        });
        Ok(EventSeq(latest.unwrap_or(0)))
    }

    /// Events after `filter.after`, oldest first, without counting the rest: what a live
    /// reader polls.
    pub async fn account_events_after(&self, filter: &EventFilter) -> Result<Vec<EventRecord>> {
        let instance = filter.instance_id.as_ref().map(|id| id.as_str().to_owned());
        let rows = on_pool!(self, pool => {
            sqlx::query_as::<_, EventRow>(
                "SELECT seq, id, account_id, instance_id, instance_name, kind, data, created_at
                 FROM events
                 WHERE account_id = $1 AND seq > $2 AND ($3 IS NULL OR instance_id = $3)
                 ORDER BY seq LIMIT $4",
            )
            .bind(filter.account_id.as_str())
            .bind(filter.after.0)
            .bind(instance)
            .bind(filter.limit)
            .fetch_all(pool)
            .await?
        });
        rows.into_iter().map(TryInto::try_into).collect()
    }

    /// Events after `filter.after`, oldest first, and how many there are after it in all.
    pub async fn list_events(&self, filter: &EventFilter) -> Result<Page<EventRecord>> {
        let instance = filter.instance_id.as_ref().map(|id| id.as_str().to_owned());
        let (rows, total) = on_pool!(self, pool => {
            let rows = sqlx::query_as::<_, EventRow>(
                "SELECT seq, id, account_id, instance_id, instance_name, kind, data, created_at
                 FROM events
                 WHERE account_id = $1 AND seq > $2 AND ($3 IS NULL OR instance_id = $3)
                 ORDER BY seq LIMIT $4",
            )
            .bind(filter.account_id.as_str())
            .bind(filter.after.0)
            .bind(instance.clone())
            .bind(filter.limit)
            .fetch_all(pool)
            .await?;
            let total: i64 = sqlx::query_scalar(
                "SELECT COUNT(*) FROM events
                 WHERE account_id = $1 AND seq > $2 AND ($3 IS NULL OR instance_id = $3)",
            )
            .bind(filter.account_id.as_str())
            .bind(filter.after.0)
            .bind(instance)
            .fetch_one(pool)
            .await?;
            (rows, total)
        });
        Ok(Page {
            items: rows
                .into_iter()
                .map(TryInto::try_into)
                .collect::<Result<_>>()?,
            total,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::instances::tests::account_with_instance;
    use crate::testing::on_both_backends;

    #[tokio::test]
    async fn events_come_back_in_order_for_their_account_only() {
        on_both_backends(|store| async move {
            let first = account_with_instance(&store, "one").await;
            let second = account_with_instance(&store, "two").await;
            let filter = |account: &AccountId, after: i64| EventFilter {
                account_id: account.clone(),
                instance_id: None,
                after: EventSeq(after),
                limit: 100,
            };
            let mine = store
                .list_events(&filter(&first.account_id, 0))
                .await
                .unwrap();
            assert_eq!(mine.items.len(), 1);
            assert_eq!(mine.items[0].instance_id.as_ref(), Some(&first.id));
            let theirs = store
                .list_events(&filter(&second.account_id, 0))
                .await
                .unwrap();
            assert!(theirs.items[0].seq > mine.items[0].seq);
            let after = store
                .list_events(&filter(&first.account_id, mine.items[0].seq.0))
                .await
                .unwrap();
            assert!(after.items.is_empty());
            assert_eq!(after.total, 0);
        })
        .await;
    }
}
