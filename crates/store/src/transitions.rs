//! Moving messages forward through their statuses: sent, delivered, read, failed, retrying.
//!
//! The dispatcher records its sends in batches of a few hundred, so a batch costs a fixed
//! number of statements whatever its size: one read of every message it names (locked on
//! PostgreSQL), one update of every changed row from a JSON array, multi-row inserts for the
//! timeline and the events. A message named twice in a batch (a receipt that overtook the
//! answer to its send) is decided on as the earlier item left it and written once.

use crate::events::NewEvent;
use crate::messages::MessageRow;
use crate::messages::MessageTransition;
use crate::records::MessageRecord;
use crate::row_chunks::row_chunks;
use crate::time::{from_millis, now_millis, to_millis};
use crate::{Backend, Result, Store};
use serde_json::json;
use std::collections::{HashMap, HashSet};
use wagate_core::{InstanceId, MessageStatus};

const POSTGRES_BY_IDS: &str = concat!(
    "SELECT ",
    message_columns!(),
    " FROM messages WHERE id IN (SELECT jsonb_array_elements_text($1::jsonb)) ORDER BY id FOR UPDATE"
);
const SQLITE_BY_IDS: &str = concat!(
    "SELECT ",
    message_columns!(),
    " FROM messages WHERE id IN (SELECT value FROM json_each($1))"
);
const POSTGRES_BY_PROVIDER_ID: &str = concat!(
    "SELECT ",
    message_columns!(),
    " FROM messages WHERE instance_id = $1 AND provider_message_id = $2 LIMIT 1 FOR UPDATE"
);
const SQLITE_BY_PROVIDER_ID: &str = concat!(
    "SELECT ",
    message_columns!(),
    " FROM messages WHERE instance_id = $1 AND provider_message_id = $2 LIMIT 1"
);

/// The columns a transition changes, as the update's JSON rows carry them.
macro_rules! set_changed_columns {
    ($target:literal) => {
        concat!(
            "status = u.status, provider_message_id = u.provider_message_id,
             error_code = u.error_code, error_message = u.error_message, run_at = u.run_at,
             updated_at = $2, sent_at = u.sent_at, delivered_at = u.delivered_at,
             read_at = u.read_at, failed_at = u.failed_at,
             locked_until = CASE WHEN u.status = 'processing' THEN ",
            $target,
            ".locked_until ELSE NULL END"
        )
    };
}

const POSTGRES_UPDATE: &str = concat!(
    "UPDATE messages AS m SET ",
    set_changed_columns!("m"),
    " FROM jsonb_to_recordset($1::jsonb) AS u(id TEXT, status TEXT, provider_message_id TEXT,
        error_code TEXT, error_message TEXT, run_at BIGINT, sent_at BIGINT,
        delivered_at BIGINT, read_at BIGINT, failed_at BIGINT)
      WHERE m.id = u.id"
);
const SQLITE_UPDATE: &str = concat!(
    "UPDATE messages SET ",
    set_changed_columns!("messages"),
    " FROM (SELECT value ->> 'id' AS id, value ->> 'status' AS status,
        value ->> 'provider_message_id' AS provider_message_id,
        value ->> 'error_code' AS error_code, value ->> 'error_message' AS error_message,
        value ->> 'run_at' AS run_at, value ->> 'sent_at' AS sent_at,
        value ->> 'delivered_at' AS delivered_at, value ->> 'read_at' AS read_at,
        value ->> 'failed_at' AS failed_at
        FROM json_each($1)) AS u
      WHERE messages.id = u.id"
);

/// The rows one update statement takes.
const UPDATE_CHUNK: usize = 500;

impl Store {
    /// Reads a message inside a transaction, lets `decide` compute its transition, writes it,
    /// and appends the events `events` derives from the transition and the updated message.
    /// The message is found by our id or by the engine's id for it. `decide` returning `None`
    /// changes nothing.
    pub async fn transition_message<D, E>(
        &self,
        instance_id: &InstanceId,
        id_or_provider_id: &str,
        decide: D,
        events: E,
    ) -> Result<Option<MessageRecord>>
    where
        D: FnOnce(&MessageRecord) -> Option<MessageTransition>,
        E: FnOnce(&MessageTransition, &MessageRecord) -> Vec<NewEvent>,
    {
        let mut events = Some(events);
        let results = self
            .transition_messages(
                vec![(instance_id.clone(), id_or_provider_id.to_owned(), decide)],
                |transition, record| {
                    events
                        .take()
                        .map_or_else(Vec::new, |events| events(transition, record))
                },
            )
            .await?;
        Ok(results.into_iter().next().flatten())
    }

    /// Several messages' transitions in one transaction (all or none), each decided on the
    /// message as it is then; answers each message as written, `None` where there was nothing
    /// to do. The dispatcher records its sends this way: one transaction per send capped a
    /// node at a few hundred sends a second, as transactions that append events are serialised.
    pub async fn transition_messages<D, E>(
        &self,
        items: Vec<(InstanceId, String, D)>,
        mut events: E,
    ) -> Result<Vec<Option<MessageRecord>>>
    where
        D: FnOnce(&MessageRecord) -> Option<MessageTransition>,
        E: FnMut(&MessageTransition, &MessageRecord) -> Vec<NewEvent>,
    {
        let named = serde_json::Value::from(
            items
                .iter()
                .map(|(_, id, _)| id.as_str())
                .collect::<Vec<_>>(),
        )
        .to_string();
        in_tx!(self, tx, backend => {
            let select = match backend {
                Backend::Postgres => POSTGRES_BY_IDS,
                Backend::Sqlite => SQLITE_BY_IDS,
            };
            let rows = sqlx::query_as::<_, MessageRow>(select)
                .bind(named.clone())
                .fetch_all(&mut *tx)
                .await?;
            let mut messages = HashMap::with_capacity(rows.len());
            for row in rows {
                let record = MessageRecord::try_from(row)?;
                messages.insert(record.id.to_string(), record);
            }
            // WhatsApp's ids met in this batch, to our ids.
            let mut by_provider_id: HashMap<(InstanceId, String), String> = HashMap::new();
            let mut changed: Vec<String> = Vec::new();
            let mut seen: HashSet<String> = HashSet::new();
            let mut timeline: Vec<(String, MessageStatus, i64)> = Vec::new();
            let mut batch_events = Vec::new();
            let mut results = Vec::with_capacity(items.len());
            let now = now_millis();
            for (instance_id, id_or_provider_id, decide) in items {
                let ours = messages
                    .get(&id_or_provider_id)
                    .is_some_and(|record| record.instance_id == instance_id);
                let id = if ours {
                    Some(id_or_provider_id)
                } else if let Some(id) =
                    by_provider_id.get(&(instance_id.clone(), id_or_provider_id.clone()))
                {
                    Some(id.clone())
                } else {
                    let select = match backend {
                        Backend::Postgres => POSTGRES_BY_PROVIDER_ID,
                        Backend::Sqlite => SQLITE_BY_PROVIDER_ID,
                    };
                    let row = sqlx::query_as::<_, MessageRow>(select)
                        .bind(instance_id.as_str())
                        .bind(id_or_provider_id.as_str())
                        .fetch_optional(&mut *tx)
                        .await?;
                    match row {
                        Some(row) => {
                            let record = MessageRecord::try_from(row)?;
                            let id = record.id.to_string();
                            // An earlier item of this batch may have changed it already.
                            messages.entry(id.clone()).or_insert(record);
                            Some(id)
                        }
                        None => None,
                    }
                };
                let Some(record) = id.as_ref().and_then(|id| messages.get_mut(id)) else {
                    results.push(None);
                    continue;
                };
                let Some(transition) = decide(record) else {
                    results.push(None);
                    continue;
                };
                apply(record, &transition, now, &mut timeline);
                if let Some(provider_id) = &transition.provider_message_id {
                    by_provider_id.insert(
                        (instance_id.clone(), provider_id.clone()),
                        record.id.to_string(),
                    );
                }
                if seen.insert(record.id.to_string()) {
                    changed.push(record.id.to_string());
                }
                batch_events.extend(events(&transition, record));
                results.push(Some(record.clone()));
            }
            let updates: Vec<serde_json::Value> =
                changed.iter().map(|id| update_row(&messages[id])).collect();
            for chunk in updates.chunks(UPDATE_CHUNK) {
                let update = match backend {
                    Backend::Postgres => POSTGRES_UPDATE,
                    Backend::Sqlite => SQLITE_UPDATE,
                };
                sqlx::query(update)
                    .bind(serde_json::Value::from(chunk.to_vec()).to_string())
                    .bind(now)
                    .execute(&mut *tx)
                    .await?;
            }
            for chunk in row_chunks(&timeline) {
                let mut insert = sqlx::QueryBuilder::new(
                    "INSERT INTO message_timeline (message_id, status, at) ",
                );
                insert.push_values(chunk, |mut row, (id, status, at)| {
                    row.push_bind(id.clone())
                        .push_bind(status.as_str())
                        .push_bind(*at);
                });
                insert.build().execute(&mut *tx).await?;
            }
            append_events!(tx, backend, batch_events);
            Ok(results)
        })
    }
}

/// Applies a transition to the message in memory; its steps join the timeline.
fn apply(
    record: &mut MessageRecord,
    transition: &MessageTransition,
    now: i64,
    timeline: &mut Vec<(String, MessageStatus, i64)>,
) {
    for (status, at) in &transition.steps {
        // What is returned must equal what a later read finds: millisecond precision.
        let at = &from_millis(to_millis(*at));
        record.status = *status;
        match status {
            MessageStatus::Sent => {
                record.sent_at.get_or_insert(*at);
            }
            MessageStatus::Delivered => {
                record.delivered_at.get_or_insert(*at);
            }
            MessageStatus::Read | MessageStatus::Played => {
                record.read_at.get_or_insert(*at);
            }
            MessageStatus::Failed => {
                record.failed_at.get_or_insert(*at);
            }
            _ => {}
        }
        timeline.push((record.id.to_string(), *status, to_millis(*at)));
    }
    if let Some(provider_id) = &transition.provider_message_id {
        record.provider_message_id = Some(provider_id.clone());
    }
    if transition.error_code.is_some() || transition.error_message.is_some() {
        record.error_code = transition.error_code.clone();
        record.error_message = transition.error_message.clone();
    }
    if let Some(run_at) = transition.run_at {
        record.run_at = run_at;
    }
    record.updated_at = from_millis(now);
}

/// The changed columns of one message, as a row of the update's JSON array.
fn update_row(record: &MessageRecord) -> serde_json::Value {
    json!({
        "id": record.id.to_string(),
        "status": record.status.as_str(),
        "provider_message_id": record.provider_message_id,
        "error_code": record.error_code,
        "error_message": record.error_message,
        "run_at": to_millis(record.run_at),
        "sent_at": record.sent_at.map(to_millis),
        "delivered_at": record.delivered_at.map(to_millis),
        "read_at": record.read_at.map(to_millis),
        "failed_at": record.failed_at.map(to_millis),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::instances::tests::account_with_instance;
    use crate::messages::tests::text;
    use crate::testing::on_both_backends;
    use chrono::Utc;

    type Decide = Box<dyn FnOnce(&MessageRecord) -> Option<MessageTransition>>;

    fn step(status: MessageStatus, provider_id: Option<&str>) -> Decide {
        let provider_message_id = provider_id.map(str::to_owned);
        Box::new(move |_| {
            Some(MessageTransition {
                steps: vec![(status, Utc::now())],
                provider_message_id,
                ..Default::default()
            })
        })
    }

    #[tokio::test]
    async fn a_batch_finds_each_message_once_and_writes_its_last_state() {
        on_both_backends(|store| async move {
            let sales = account_with_instance(&store, "sales").await;
            let support = account_with_instance(&store, "support").await;
            let insert = |instance, body| {
                let store = store.clone();
                async move {
                    store
                        .insert_outbound_message(text(instance, body), |_| Vec::new())
                        .await
                        .unwrap()
                }
            };
            let first = insert(&sales, "first").await;
            let second = insert(&sales, "second").await;
            let elsewhere = insert(&support, "elsewhere").await;
            let items: Vec<(InstanceId, String, Decide)> = vec![
                (
                    sales.id.clone(),
                    first.id.to_string(),
                    step(MessageStatus::Sent, Some("wamid.first")),
                ),
                // A receipt that overtook nothing: it names the id set just before.
                (
                    sales.id.clone(),
                    "wamid.first".to_owned(),
                    step(MessageStatus::Delivered, None),
                ),
                (
                    sales.id.clone(),
                    second.id.to_string(),
                    step(MessageStatus::Sent, Some("wamid.second")),
                ),
                (
                    sales.id.clone(),
                    "wamid.unknown".to_owned(),
                    step(MessageStatus::Sent, None),
                ),
                // Another instance's message is not this instance's to change.
                (
                    sales.id.clone(),
                    elsewhere.id.to_string(),
                    step(MessageStatus::Sent, None),
                ),
            ];
            let mut events = 0;
            let results = store
                .transition_messages(items, |_, _| {
                    events += 1;
                    Vec::new()
                })
                .await
                .unwrap();
            let statuses: Vec<_> = results
                .iter()
                .map(|result| result.as_ref().map(|record| record.status))
                .collect();
            assert_eq!(
                statuses,
                [
                    Some(MessageStatus::Sent),
                    Some(MessageStatus::Delivered),
                    Some(MessageStatus::Sent),
                    None,
                    None
                ]
            );
            assert_eq!(events, 3);

            let (found, timeline) = store
                .find_message_with_timeline(&sales.account_id, &first.id)
                .await
                .unwrap()
                .unwrap();
            assert_eq!(Some(&found), results[1].as_ref());
            assert_eq!(found.provider_message_id.as_deref(), Some("wamid.first"));
            let steps: Vec<_> = timeline.into_iter().map(|entry| entry.status).collect();
            assert_eq!(
                steps,
                [
                    MessageStatus::Queued,
                    MessageStatus::Sent,
                    MessageStatus::Delivered
                ]
            );
            let (found, _) = store
                .find_message_with_timeline(&sales.account_id, &second.id)
                .await
                .unwrap()
                .unwrap();
            assert_eq!(Some(&found), results[2].as_ref());
            let (untouched, _) = store
                .find_message_with_timeline(&support.account_id, &elsewhere.id)
                .await
                .unwrap()
                .unwrap();
            assert_eq!(untouched.status, MessageStatus::Queued);
        })
        .await;
    }
}
