//! Messages: the message row is also the send job.
//!
//! The dispatcher claims due rows with a lease (see `claims`). A lease that expires because its
//! worker died makes the row claimable again.

use crate::events::NewEvent;
use crate::new_message_rows::{
    NewMessageRow, POSTGRES_INSERT_MESSAGES, POSTGRES_INSERT_TIMELINE, SQLITE_INSERT_MESSAGES,
    SQLITE_INSERT_TIMELINE,
};
use crate::records::{Direction, MessageRecord, Page, TimelineEntry};
use crate::time::{from_millis, now_millis, to_millis};
use crate::{Backend, Result, Store, StoreError};
use chrono::{DateTime, Utc};
use wagate_core::{
    AccountId, InstanceId, Mention, MessageContent, MessageId, MessageStatus, StatusPost,
};

/// An outbound message to store as `queued` (`scheduled` with `send_at`, `simulated` for a
/// dry run).
#[derive(Clone, Debug)]
pub struct NewOutboundMessage {
    pub account_id: AccountId,
    pub instance_id: InstanceId,
    pub recipient: String,
    pub chat_jid: String,
    pub content: MessageContent,
    /// WhatsApp's id of the quoted message.
    pub reply_to: Option<String>,
    pub mentions: Vec<Mention>,
    pub metadata: Option<serde_json::Map<String, serde_json::Value>>,
    /// Send no earlier than this: the message is `scheduled` until then.
    pub send_at: Option<DateTime<Utc>>,
    /// The bulk request it came in, if any.
    pub batch_id: Option<String>,
    /// Show "typing…" in the chat before sending.
    pub simulate_typing: bool,
    /// Show "typing…" for exactly this long (ms) before sending, whatever `simulate_typing`.
    pub typing_ms: Option<u32>,
    /// Wait for the end of the instance's daily-cap window, if it is in one (pacing on).
    pub respect_cap: bool,
    /// The audience of a status (story); `None` for any other message.
    pub status_post: Option<StatusPost>,
    /// Record it as `simulated`, which no dispatcher claims: it is never sent.
    pub dry_run: bool,
}

/// A change of status decided by a service: one or more steps, each recorded in the timeline.
#[derive(Clone, Debug, Default)]
pub struct MessageTransition {
    pub steps: Vec<(MessageStatus, DateTime<Utc>)>,
    pub provider_message_id: Option<String>,
    pub error_code: Option<String>,
    pub error_message: Option<String>,
    /// When the message becomes due again (for retries).
    pub run_at: Option<DateTime<Utc>>,
}

/// Which messages to list.
#[derive(Clone, Debug)]
pub struct MessageFilter {
    pub account_id: AccountId,
    pub instance_id: Option<InstanceId>,
    pub status: Option<MessageStatus>,
    pub direction: Option<Direction>,
    /// Only messages of this chat (a JID).
    pub chat: Option<String>,
    /// Only messages of this bulk request.
    pub batch_id: Option<String>,
    /// Only messages created after then (a deleted chat's older messages are left out).
    pub created_after: Option<DateTime<Utc>>,
    pub limit: i64,
    pub offset: i64,
}

macro_rules! list_condition {
    () => {
        "account_id = $1 AND ($2 IS NULL OR instance_id = $2) AND ($3 IS NULL OR status = $3)
         AND ($4 IS NULL OR direction = $4) AND ($5 IS NULL OR chat_jid = $5)
         AND ($6 IS NULL OR batch_id = $6) AND ($7 IS NULL OR created_at > $7)"
    };
}

/// An instance's message by wagate's id (`$2`) or WhatsApp's, on SQLite. Given the `OR`,
/// SQLite read every message of the instance; as a union it seeks the primary key and
/// `messages_by_provider_id`.
macro_rules! sqlite_message_by_either_id {
    () => {
        concat!(
            "SELECT ",
            message_columns!(),
            " FROM messages WHERE id = $2 AND instance_id = $1
             UNION ALL
             SELECT ",
            message_columns!(),
            " FROM messages
             WHERE instance_id = $1 AND provider_message_id = $2 AND id <> $2
             LIMIT 1"
        )
    };
}

/// Due outbound messages of open instances: queued or retrying rows whose time has come, and
/// processing rows whose lease expired.
#[derive(sqlx::FromRow)]
pub(crate) struct MessageRow {
    id: String,
    account_id: String,
    instance_id: String,
    direction: String,
    recipient: String,
    chat_jid: String,
    content: String,
    status: String,
    provider_message_id: Option<String>,
    error_code: Option<String>,
    error_message: Option<String>,
    metadata: Option<String>,
    attempts: i64,
    run_at: i64,
    created_at: i64,
    updated_at: i64,
    sent_at: Option<i64>,
    delivered_at: Option<i64>,
    read_at: Option<i64>,
    failed_at: Option<i64>,
    reply_to: Option<String>,
    mentions: Option<String>,
    sender: Option<String>,
    sender_lid: Option<String>,
    push_name: Option<String>,
    edited_at: Option<i64>,
    revoked_at: Option<i64>,
    pinned_until: Option<i64>,
    status_post: Option<String>,
}

impl TryFrom<MessageRow> for MessageRecord {
    type Error = StoreError;

    fn try_from(row: MessageRow) -> Result<Self> {
        let corrupt =
            |what: &str, e: String| StoreError::Corrupt(format!("message {} {what}: {e}", row.id));
        let content =
            serde_json::from_str(&row.content).map_err(|e| corrupt("content", e.to_string()))?;
        let metadata = row
            .metadata
            .as_deref()
            .map(serde_json::from_str)
            .transpose()
            .map_err(|e| corrupt("metadata", e.to_string()))?;
        let direction = match row.direction.as_str() {
            "outbound" => Direction::Outbound,
            "inbound" => Direction::Inbound,
            other => return Err(corrupt("direction", other.to_owned())),
        };
        let id = MessageId::parse(&row.id).ok_or_else(|| corrupt("id", "not a UUID".to_owned()))?;
        let mentions = row
            .mentions
            .as_deref()
            .map(serde_json::from_str)
            .transpose()
            .map_err(|e| corrupt("mentions", e.to_string()))?
            .unwrap_or_default();
        let status_post = row
            .status_post
            .as_deref()
            .map(serde_json::from_str)
            .transpose()
            .map_err(|e| corrupt("status post", e.to_string()))?;
        Ok(Self {
            id,
            account_id: AccountId::from_trusted(row.account_id),
            instance_id: InstanceId::from_trusted(row.instance_id),
            direction,
            recipient: row.recipient,
            chat_jid: row.chat_jid,
            content,
            status: row.status.parse().map_err(StoreError::Corrupt)?,
            provider_message_id: row.provider_message_id,
            error_code: row.error_code,
            error_message: row.error_message,
            metadata,
            attempts: row.attempts,
            run_at: from_millis(row.run_at),
            created_at: from_millis(row.created_at),
            updated_at: from_millis(row.updated_at),
            sent_at: row.sent_at.map(from_millis),
            delivered_at: row.delivered_at.map(from_millis),
            read_at: row.read_at.map(from_millis),
            failed_at: row.failed_at.map(from_millis),
            reply_to: row.reply_to,
            mentions,
            sender: row.sender,
            sender_lid: row.sender_lid,
            push_name: row.push_name,
            edited_at: row.edited_at.map(from_millis),
            revoked_at: row.revoked_at.map(from_millis),
            pinned_until: row.pinned_until.map(from_millis),
            status_post,
        })
    }
}

#[derive(sqlx::FromRow)]
struct TimelineRow {
    status: String,
    at: i64,
    detail: Option<String>,
}

fn timeline_entries(rows: Vec<TimelineRow>) -> Result<Vec<TimelineEntry>> {
    rows.into_iter()
        .map(|row| {
            Ok(TimelineEntry {
                status: row.status.parse().map_err(StoreError::Corrupt)?,
                at: from_millis(row.at),
                detail: row.detail,
            })
        })
        .collect()
}

fn records(rows: Vec<MessageRow>) -> Result<Vec<MessageRecord>> {
    rows.into_iter().map(TryInto::try_into).collect()
}

/// An outbound message turned into its record and column values, ready to insert.
struct PreparedInsert {
    record: MessageRecord,
    content: String,
    mentions: Option<String>,
    metadata: Option<String>,
    status_post: Option<String>,
    batch_id: Option<String>,
    simulate_typing: bool,
    typing_ms: Option<u32>,
    respect_cap: bool,
}

impl PreparedInsert {
    fn new(new: NewOutboundMessage, now: i64) -> Result<Self> {
        let (status, run_at) = match new.send_at {
            _ if new.dry_run => (MessageStatus::Simulated, now),
            Some(at) => (MessageStatus::Scheduled, to_millis(at)),
            None => (MessageStatus::Queued, now),
        };
        let record = MessageRecord {
            id: MessageId::generate(),
            account_id: new.account_id,
            instance_id: new.instance_id,
            direction: Direction::Outbound,
            recipient: new.recipient,
            chat_jid: new.chat_jid,
            content: new.content,
            reply_to: new.reply_to,
            mentions: new.mentions,
            status,
            provider_message_id: None,
            error_code: None,
            error_message: None,
            metadata: new.metadata,
            attempts: 0,
            run_at: from_millis(run_at),
            created_at: from_millis(now),
            updated_at: from_millis(now),
            sent_at: None,
            delivered_at: None,
            read_at: None,
            failed_at: None,
            sender: None,
            sender_lid: None,
            push_name: None,
            edited_at: None,
            revoked_at: None,
            pinned_until: None,
            status_post: new.status_post,
        };
        let content = serde_json::to_string(&record.content)
            .map_err(|e| StoreError::Corrupt(format!("content does not serialise: {e}")))?;
        let mentions = (!record.mentions.is_empty())
            .then(|| serde_json::to_string(&record.mentions))
            .transpose()
            .map_err(|e| StoreError::Corrupt(format!("mentions do not serialise: {e}")))?;
        let metadata = record
            .metadata
            .as_ref()
            .map(|m| serde_json::Value::Object(m.clone()).to_string());
        let status_post = record
            .status_post
            .as_ref()
            .map(serde_json::to_string)
            .transpose()
            .map_err(|e| StoreError::Corrupt(format!("status post does not serialise: {e}")))?;
        Ok(Self {
            record,
            content,
            mentions,
            metadata,
            status_post,
            batch_id: new.batch_id,
            simulate_typing: new.simulate_typing,
            typing_ms: new.typing_ms,
            respect_cap: new.respect_cap,
        })
    }
}

impl PreparedInsert {
    fn row(&self) -> NewMessageRow<'_> {
        let record = &self.record;
        NewMessageRow {
            id: record.id.to_string(),
            account_id: record.account_id.as_str(),
            instance_id: record.instance_id.as_str(),
            direction: record.direction.as_str(),
            recipient: &record.recipient,
            chat_jid: &record.chat_jid,
            message_type: record.content.type_name(),
            content: &self.content,
            body: record.content.summary(),
            status: record.status.as_str(),
            metadata: self.metadata.as_deref(),
            run_at: to_millis(record.run_at),
            reply_to: record.reply_to.as_deref(),
            mentions: self.mentions.as_deref(),
            status_post: self.status_post.as_deref(),
            batch_id: self.batch_id.as_deref(),
            simulate_typing: i64::from(self.simulate_typing),
            typing_ms: self.typing_ms.map(i64::from),
        }
    }
}

impl Store {
    /// Stores a new outbound message as `queued` (or `scheduled`, when it has a time to be sent
    /// at) with its first timeline entry and events.
    pub async fn insert_outbound_message(
        &self,
        new: NewOutboundMessage,
        events: impl Fn(&MessageRecord) -> Vec<NewEvent>,
    ) -> Result<MessageRecord> {
        let mut stored = self.insert_outbound_messages(vec![new], events).await?;
        stored
            .pop()
            .ok_or_else(|| StoreError::Corrupt("an insert stored nothing".to_owned()))
    }

    /// Stores several outbound messages in one transaction: all of them or none.
    pub async fn insert_outbound_messages(
        &self,
        news: Vec<NewOutboundMessage>,
        events: impl Fn(&MessageRecord) -> Vec<NewEvent>,
    ) -> Result<Vec<MessageRecord>> {
        let now = now_millis();
        let mut prepared = Vec::with_capacity(news.len());
        for new in news {
            prepared.push(PreparedInsert::new(new, now)?);
        }
        in_tx!(self, tx, backend => {
            let mut new_events = Vec::new();
            let mut caps: std::collections::HashMap<String, Option<i64>> = Default::default();
            for row in &mut prepared {
                // A capped instance's new messages wait for its window. The instance row is read
                // (on PostgreSQL share-locked) in this transaction, and the dispatcher's cap hold
                // locks it before scheduling the queue, so a message lands on one side of the
                // hold or the other, never unscheduled behind it.
                if row.respect_cap {
                    let instance = row.record.instance_id.as_str().to_owned();
                    let cap = match caps.get(&instance) {
                        Some(cap) => *cap,
                        None => {
                            let select = match backend {
                                Backend::Postgres => "SELECT capped_until FROM instances WHERE id = $1 FOR SHARE",
                                Backend::Sqlite => "SELECT capped_until FROM instances WHERE id = $1",
                            };
                            let cap: Option<Option<i64>> = sqlx::query_scalar(select)
                                .bind(&instance)
                                .fetch_optional(&mut *tx)
                                .await?;
                            let cap = cap.flatten();
                            caps.insert(instance, cap);
                            cap
                        }
                    };
                    if let Some(until) = cap.filter(|until| *until > now)
                        && to_millis(row.record.run_at) < until
                    {
                        row.record.status = MessageStatus::Scheduled;
                        row.record.run_at = from_millis(until);
                    }
                }
                new_events.extend(events(&row.record));
            }
            let rows: Vec<NewMessageRow> = prepared.iter().map(PreparedInsert::row).collect();
            let rows = serde_json::to_string(&rows)
                .map_err(|e| StoreError::Corrupt(format!("a message row does not serialise: {e}")))?;
            let (messages, timeline) = match backend {
                Backend::Sqlite => (SQLITE_INSERT_MESSAGES, SQLITE_INSERT_TIMELINE),
                Backend::Postgres => (POSTGRES_INSERT_MESSAGES, POSTGRES_INSERT_TIMELINE),
            };
            sqlx::query(messages).bind(&rows).bind(now).execute(&mut *tx).await?;
            sqlx::query(timeline).bind(&rows).bind(now).execute(&mut *tx).await?;
            // Analytics counts new messages here, one delta per account, instance, hour and
            // status of the batch; triggers count later status changes (migration 0013).
            let mut counted: std::collections::BTreeMap<(&str, &str, &str), i64> = Default::default();
            for row in &prepared {
                let record = &row.record;
                *counted
                    .entry((record.account_id.as_str(), record.instance_id.as_str(), record.status.as_str()))
                    .or_default() += 1;
            }
            let counted: Vec<_> = counted.into_iter().collect();
            for chunk in crate::row_chunks::row_chunks(&counted) {
                let mut deltas = sqlx::QueryBuilder::new(
                    "INSERT INTO message_count_deltas (account_id, instance_id, hour, status, delta) ",
                );
                deltas.push_values(chunk, |mut values, ((account, instance, status), count)| {
                    values
                        .push_bind(account.to_string())
                        .push_bind(instance.to_string())
                        .push_bind(now.div_euclid(crate::analytics::HOUR_MS))
                        .push_bind(status.to_string())
                        .push_bind(*count);
                });
                deltas.build().execute(&mut *tx).await?;
            }
            append_events!(tx, backend, new_events);
            Ok(())
        })?;
        Ok(prepared.into_iter().map(|row| row.record).collect())
    }

    /// One of an instance's messages, by wagate's id or WhatsApp's.
    pub async fn find_instance_message(
        &self,
        instance_id: &InstanceId,
        id: &str,
    ) -> Result<Option<MessageRecord>> {
        let sql = match self.backend() {
            Backend::Postgres => concat!(
                "SELECT ",
                message_columns!(),
                " FROM messages WHERE instance_id = $1 AND (id = $2 OR provider_message_id = $2)"
            ),
            Backend::Sqlite => sqlite_message_by_either_id!(),
        };
        let row = on_pool!(self, pool => {
            sqlx::query_as::<_, MessageRow>(sql)
                .bind(instance_id.as_str())
                .bind(id)
                .fetch_optional(pool)
                .await?
        });
        row.map(TryInto::try_into).transpose()
    }

    /// A message with its timeline, read from one snapshot so the status shown and the
    /// timeline's last entry agree while the dispatcher moves the message on.
    pub async fn find_message_with_timeline(
        &self,
        account_id: &AccountId,
        id: &MessageId,
    ) -> Result<Option<(MessageRecord, Vec<TimelineEntry>)>> {
        let select = concat!(
            "SELECT ",
            message_columns!(),
            " FROM messages WHERE id = $1 AND account_id = $2"
        );
        let timeline =
            "SELECT status, at, detail FROM message_timeline WHERE message_id = $1 ORDER BY seq";
        let (row, rows) = on_pool!(self, pool => {
            let mut tx = pool.begin().await?;
            if matches!(self.db, crate::Db::Postgres(_)) {
                sqlx::query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
                    .execute(&mut *tx)
                    .await?;
            }
            let row = sqlx::query_as::<_, MessageRow>(select)
                .bind(id.to_string())
                .bind(account_id.as_str())
                .fetch_optional(&mut *tx)
                .await?;
            let rows = match row {
                None => Vec::new(),
                Some(_) => sqlx::query_as::<_, TimelineRow>(timeline)
                    .bind(id.to_string())
                    .fetch_all(&mut *tx)
                    .await?,
            };
            tx.commit().await?;
            (row, rows)
        });
        let Some(row) = row else { return Ok(None) };
        Ok(Some((
            MessageRecord::try_from(row)?,
            timeline_entries(rows)?,
        )))
    }

    pub async fn list_messages(&self, filter: &MessageFilter) -> Result<Page<MessageRecord>> {
        let instance = filter.instance_id.as_ref().map(|id| id.as_str().to_owned());
        let status = filter.status.map(|s| s.as_str().to_owned());
        let select = concat!(
            "SELECT ",
            message_columns!(),
            " FROM messages WHERE ",
            list_condition!(),
            " ORDER BY created_at DESC, id DESC LIMIT $8 OFFSET $9"
        );
        let count = concat!("SELECT COUNT(*) FROM messages WHERE ", list_condition!());
        let direction = filter.direction.map(|d| d.as_str().to_owned());
        let (rows, total) = on_pool!(self, pool => {
            let rows = sqlx::query_as::<_, MessageRow>(select)
                .bind(filter.account_id.as_str())
                .bind(instance.clone())
                .bind(status.clone())
                .bind(direction.clone())
                .bind(filter.chat.clone())
                .bind(filter.batch_id.clone())
                .bind(filter.created_after.map(to_millis))
                .bind(filter.limit)
                .bind(filter.offset)
                .fetch_all(pool)
                .await?;
            let total: i64 = sqlx::query_scalar(count)
                .bind(filter.account_id.as_str())
                .bind(instance)
                .bind(status)
                .bind(direction)
                .bind(filter.chat.clone())
                .bind(filter.batch_id.clone())
                .bind(filter.created_after.map(to_millis))
                .fetch_one(pool)
                .await?;
            (rows, total)
        });
        Ok(Page {
            items: records(rows)?,
            total,
        })
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::instances::tests::account_with_instance;
    use crate::testing::on_both_backends;
    use crate::{InstanceRecord, InstanceState};
    use wagate_core::{InstanceStatus, TextBody};

    pub(crate) fn text(instance: &InstanceRecord, body: &str) -> NewOutboundMessage {
        NewOutboundMessage {
            account_id: instance.account_id.clone(),
            instance_id: instance.id.clone(),
            recipient: "15550002222".to_owned(),
            chat_jid: "15550002222@s.whatsapp.net".to_owned(),
            content: MessageContent::Text {
                body: TextBody::parse(body).unwrap(),
                preview_url: false,
            },
            reply_to: None,
            mentions: Vec::new(),
            metadata: None,
            send_at: None,
            batch_id: None,
            simulate_typing: false,
            typing_ms: None,
            respect_cap: false,
            status_post: None,
            dry_run: false,
        }
    }

    pub(crate) async fn open(store: &Store, instance: &InstanceRecord) {
        store
            .update_instance(&instance.id, |current| {
                let mut state = InstanceState::of(current);
                state.status = InstanceStatus::Open;
                Some((state, Vec::new()))
            })
            .await
            .unwrap();
    }

    #[tokio::test]
    async fn transitions_record_timestamps_timeline_and_events() {
        on_both_backends(|store| async move {
            let instance = account_with_instance(&store, "sales").await;
            let message = store
                .insert_outbound_message(text(&instance, "hi"), |_| Vec::new())
                .await
                .unwrap();
            let at = Utc::now();
            let updated = store
                .transition_message(
                    &instance.id,
                    &message.id.to_string(),
                    |_| {
                        Some(MessageTransition {
                            steps: vec![(MessageStatus::Sent, at), (MessageStatus::Delivered, at)],
                            provider_message_id: Some("wamid.1".to_owned()),
                            ..Default::default()
                        })
                    },
                    |_, _| Vec::new(),
                )
                .await
                .unwrap()
                .unwrap();
            assert_eq!(updated.status, MessageStatus::Delivered);
            assert!(updated.sent_at.is_some() && updated.delivered_at.is_some());
            // Found again by the engine's id.
            let read = store
                .transition_message(
                    &instance.id,
                    "wamid.1",
                    |_| {
                        Some(MessageTransition {
                            steps: vec![(MessageStatus::Read, at)],
                            ..Default::default()
                        })
                    },
                    |_, _| Vec::new(),
                )
                .await
                .unwrap()
                .unwrap();
            assert_eq!(read.status, MessageStatus::Read);
            let (found, timeline) = store
                .find_message_with_timeline(&instance.account_id, &message.id)
                .await
                .unwrap()
                .unwrap();
            assert_eq!(found, read);
            let statuses: Vec<_> = timeline.into_iter().map(|entry| entry.status).collect();
            assert_eq!(
                statuses,
                [
                    MessageStatus::Queued,
                    MessageStatus::Sent,
                    MessageStatus::Delivered,
                    MessageStatus::Read
                ]
            );
        })
        .await;
    }

    #[tokio::test]
    async fn listings_filter_by_status_and_page() {
        on_both_backends(|store| async move {
            let instance = account_with_instance(&store, "sales").await;
            for i in 0..5 {
                store
                    .insert_outbound_message(text(&instance, &format!("m{i}")), |_| Vec::new())
                    .await
                    .unwrap();
            }
            let filter = MessageFilter {
                account_id: instance.account_id.clone(),
                instance_id: Some(instance.id.clone()),
                status: Some(MessageStatus::Queued),
                direction: Some(Direction::Outbound),
                chat: None,
                batch_id: None,
                created_after: None,
                limit: 2,
                offset: 2,
            };
            let page = store.list_messages(&filter).await.unwrap();
            assert_eq!(page.total, 5);
            assert_eq!(page.items.len(), 2);
            let failed = MessageFilter {
                status: Some(MessageStatus::Failed),
                ..filter
            };
            assert_eq!(store.list_messages(&failed).await.unwrap().total, 0);
        })
        .await;
    }
}
