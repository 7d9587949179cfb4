//! Inbound messages, and what happens to messages after they are sent: edits, revokes, pins,
//! reads and reactions.

use crate::events::NewEvent;
use crate::messages::MessageRow;
use crate::records::{Direction, MessageRecord, ReactionRecord};
use crate::time::{from_millis, now_millis, to_millis};
use crate::{Result, Store, StoreError};
use chrono::{DateTime, Utc};
use wagate_core::{AccountId, InstanceId, MessageContent, MessageId, MessageStatus};

/// A message that arrived, to store once.
#[derive(Clone, Debug)]
pub struct NewInboundMessage {
    pub account_id: AccountId,
    pub instance_id: InstanceId,
    pub provider_message_id: String,
    pub chat_jid: String,
    /// The sender's phone number, or their LID when WhatsApp hides the number.
    pub sender: String,
    pub sender_lid: Option<String>,
    pub push_name: Option<String>,
    pub content: MessageContent,
    pub reply_to: Option<String>,
    pub at: DateTime<Utc>,
}

/// What changes on a message (fields left `None` stay as they are).
#[derive(Clone, Debug, Default)]
pub struct MessageChange {
    pub content: Option<MessageContent>,
    pub edited_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
    /// `Some(None)` unpins.
    pub pinned_until: Option<Option<DateTime<Utc>>>,
    /// An inbound message we read.
    pub read_at: Option<DateTime<Utc>>,
}

#[derive(sqlx::FromRow)]
struct ReactionRow {
    actor: String,
    emoji: String,
    at: i64,
}

impl Store {
    /// Stores an inbound message with its events, once: a repeated delivery (same WhatsApp
    /// id on the same instance) changes nothing and answers `None`.
    pub async fn insert_inbound_message(
        &self,
        new: NewInboundMessage,
        events: impl FnOnce(&MessageRecord) -> Vec<NewEvent>,
    ) -> Result<Option<MessageRecord>> {
        let now = now_millis();
        let at = from_millis(to_millis(new.at));
        let record = MessageRecord {
            id: MessageId::generate(),
            account_id: new.account_id,
            instance_id: new.instance_id,
            direction: Direction::Inbound,
            recipient: new.sender.clone(),
            chat_jid: new.chat_jid,
            content: new.content,
            reply_to: new.reply_to,
            mentions: Vec::new(),
            status: MessageStatus::Delivered,
            provider_message_id: Some(new.provider_message_id),
            error_code: None,
            error_message: None,
            metadata: None,
            attempts: 0,
            run_at: at,
            created_at: from_millis(now),
            updated_at: from_millis(now),
            sent_at: Some(at),
            delivered_at: Some(at),
            read_at: None,
            failed_at: None,
            sender: Some(new.sender),
            sender_lid: new.sender_lid,
            push_name: new.push_name,
            edited_at: None,
            revoked_at: None,
            pinned_until: None,
            status_post: None,
        };
        let content = serde_json::to_string(&record.content)
            .map_err(|e| StoreError::Corrupt(format!("content does not serialise: {e}")))?;
        let new_events = events(&record);
        in_tx!(self, tx, backend => {
            let inserted = sqlx::query(
                "INSERT INTO messages (id, account_id, instance_id, direction, recipient, chat_jid,
                     message_type, content, body, status, provider_message_id, attempts, run_at,
                     created_at, updated_at, sent_at, delivered_at, reply_to, sender, sender_lid, push_name)
                 VALUES ($1, $2, $3, 'inbound', $4, $5, $6, $7, $8, $9, $10, 0, $11, $12, $12, $11, $11, $13, $14, $15, $16)
                 ON CONFLICT DO NOTHING",
            )
            .bind(record.id.to_string())
            .bind(record.account_id.as_str())
            .bind(record.instance_id.as_str())
            .bind(record.recipient.clone())
            .bind(record.chat_jid.clone())
            .bind(record.content.type_name())
            .bind(content)
            .bind(record.content.summary())
            .bind(record.status.as_str())
            .bind(record.provider_message_id.clone())
            .bind(to_millis(at))
            .bind(now)
            .bind(record.reply_to.clone())
            .bind(record.sender.clone())
            .bind(record.sender_lid.clone())
            .bind(record.push_name.clone())
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if inserted == 0 {
                return Ok(None);
            }
            sqlx::query("INSERT INTO message_timeline (message_id, status, at) VALUES ($1, 'delivered', $2)")
                .bind(record.id.to_string())
                .bind(to_millis(at))
                .execute(&mut *tx)
                .await?;
            sqlx::query(
                "INSERT INTO chat_last_inbound (instance_id, chat_jid, last_at) VALUES ($1, $2, $3)
                 ON CONFLICT (instance_id, chat_jid) DO UPDATE SET last_at = CASE
                     WHEN excluded.last_at > chat_last_inbound.last_at THEN excluded.last_at
                     ELSE chat_last_inbound.last_at END",
            )
            .bind(record.instance_id.as_str())
            .bind(record.chat_jid.as_str())
            .bind(to_millis(at))
            .execute(&mut *tx)
            .await?;
            append_events!(tx, backend, new_events);
            Ok(Some(record.clone()))
        })
    }

    /// When the chat last wrote to the instance (the newest inbound message), if ever.
    pub async fn last_inbound_at(
        &self,
        instance: &InstanceId,
        chat_jid: &str,
    ) -> Result<Option<DateTime<Utc>>> {
        let last: Option<i64> = on_pool!(self, pool => {
            sqlx::query_scalar(
                "SELECT last_at FROM chat_last_inbound WHERE instance_id = $1 AND chat_jid = $2",
            )
            .bind(instance.as_str())
            .bind(chat_jid)
            .fetch_optional(pool)
            .await?
        });
        Ok(last.map(from_millis))
    }

    /// Reads a message inside a transaction, lets `decide` compute a change, writes it and the
    /// events `events` derives from the updated message. `decide` returning `None` changes
    /// nothing (the message changed since the caller looked).
    pub async fn modify_message<D, E>(
        &self,
        instance_id: &InstanceId,
        id: &MessageId,
        decide: D,
        events: E,
    ) -> Result<Option<MessageRecord>>
    where
        D: FnOnce(&MessageRecord) -> Option<MessageChange>,
        E: FnOnce(&MessageRecord, &MessageRecord) -> Vec<NewEvent>,
    {
        let id_text = id.to_string();
        in_tx!(self, tx, backend => {
            // PostgreSQL locks the row for the read-decide-write; SQLite's write transaction
            // already excludes other writers.
            let select = match backend {
                crate::Backend::Postgres => concat!(
                    "SELECT ", message_columns!(), " FROM messages WHERE id = $1 AND instance_id = $2 FOR UPDATE"
                ),
                crate::Backend::Sqlite => concat!(
                    "SELECT ", message_columns!(), " FROM messages WHERE id = $1 AND instance_id = $2"
                ),
            };
            let row = sqlx::query_as::<_, MessageRow>(select)
                .bind(id_text.clone())
                .bind(instance_id.as_str())
                .fetch_optional(&mut *tx)
                .await?;
            let Some(row) = row else { return Ok(None) };
            let current = MessageRecord::try_from(row)?;
            let Some(change) = decide(&current) else { return Ok(None) };
            let mut next = current.clone();
            if let Some(content) = change.content {
                next.content = content;
            }
            next.edited_at = change.edited_at.or(next.edited_at);
            next.revoked_at = change.revoked_at.or(next.revoked_at);
            if let Some(pinned_until) = change.pinned_until {
                next.pinned_until = pinned_until;
            }
            if let Some(read_at) = change.read_at {
                next.read_at = Some(read_at);
                next.status = MessageStatus::Read;
            }
            let now = now_millis();
            next.updated_at = from_millis(now);
            let content = serde_json::to_string(&next.content)
                .map_err(|e| StoreError::Corrupt(format!("content does not serialise: {e}")))?;
            sqlx::query(
                "UPDATE messages SET content = $2, body = $3, edited_at = $4, revoked_at = $5,
                     pinned_until = $6, read_at = $7, status = $8, updated_at = $9
                 WHERE id = $1",
            )
            .bind(id_text.clone())
            .bind(content)
            .bind(next.content.summary())
            .bind(next.edited_at.map(to_millis))
            .bind(next.revoked_at.map(to_millis))
            .bind(next.pinned_until.map(to_millis))
            .bind(next.read_at.map(to_millis))
            .bind(next.status.as_str())
            .bind(now)
            .execute(&mut *tx)
            .await?;
            if change.read_at.is_some() && current.status != MessageStatus::Read {
                sqlx::query("INSERT INTO message_timeline (message_id, status, at) VALUES ($1, 'read', $2)")
                    .bind(id_text.clone())
                    .bind(now)
                    .execute(&mut *tx)
                    .await?;
            }
            append_events!(tx, backend, events(&current, &next));
            Ok(Some(next))
        })
    }

    /// Sets (or with an empty emoji, removes) `actor`'s reaction to a message, with its events.
    pub async fn set_reaction(
        &self,
        message: &MessageRecord,
        actor: &str,
        emoji: &str,
        at: DateTime<Utc>,
        events: Vec<NewEvent>,
    ) -> Result<()> {
        in_tx!(self, tx, backend => {
            if emoji.is_empty() {
                sqlx::query("DELETE FROM message_reactions WHERE message_id = $1 AND actor = $2")
                    .bind(message.id.to_string())
                    .bind(actor)
                    .execute(&mut *tx)
                    .await?;
            } else {
                sqlx::query(
                    "INSERT INTO message_reactions (message_id, actor, emoji, at) VALUES ($1, $2, $3, $4)
                     ON CONFLICT (message_id, actor) DO UPDATE SET emoji = excluded.emoji, at = excluded.at",
                )
                .bind(message.id.to_string())
                .bind(actor)
                .bind(emoji)
                .bind(to_millis(at))
                .execute(&mut *tx)
                .await?;
            }
            append_events!(tx, backend, events);
            Ok(())
        })
    }

    pub async fn message_reactions(&self, id: &MessageId) -> Result<Vec<ReactionRecord>> {
        let rows = on_pool!(self, pool => {
            sqlx::query_as::<_, ReactionRow>(
                "SELECT actor, emoji, at FROM message_reactions WHERE message_id = $1 ORDER BY at, actor",
            )
            .bind(id.to_string())
            .fetch_all(pool)
            .await?
        });
        Ok(rows
            .into_iter()
            .map(|row| ReactionRecord {
                actor: row.actor,
                emoji: row.emoji,
                at: from_millis(row.at),
            })
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::instances::tests::account_with_instance;
    use crate::testing::on_both_backends;
    use wagate_core::TextBody;

    fn inbound(instance: &crate::InstanceRecord, id: &str) -> NewInboundMessage {
        NewInboundMessage {
            account_id: instance.account_id.clone(),
            instance_id: instance.id.clone(),
            provider_message_id: id.to_owned(),
            chat_jid: "15550002222@s.whatsapp.net".to_owned(),
            sender: "15550002222".to_owned(),
            sender_lid: Some("123456789012345@lid".to_owned()),
            push_name: Some("Ann".to_owned()),
            content: MessageContent::Text {
                body: TextBody::parse("Hi").unwrap(),
                preview_url: false,
            },
            reply_to: None,
            at: Utc::now(),
        }
    }

    #[tokio::test]
    async fn an_inbound_message_is_stored_once() {
        on_both_backends(|store| async move {
            let instance = account_with_instance(&store, "sales").await;
            let first = store
                .insert_inbound_message(inbound(&instance, "W1"), |_| Vec::new())
                .await
                .unwrap();
            let first = first.expect("stored");
            assert_eq!(first.direction, Direction::Inbound);
            assert!(
                store
                    .insert_inbound_message(inbound(&instance, "W1"), |_| Vec::new())
                    .await
                    .unwrap()
                    .is_none()
            );
            let found = store
                .find_instance_message(&instance.id, "W1")
                .await
                .unwrap()
                .unwrap();
            assert_eq!(found.sender_lid.as_deref(), Some("123456789012345@lid"));
            assert_eq!(found.push_name.as_deref(), Some("Ann"));
        })
        .await;
    }

    #[tokio::test]
    async fn changes_and_reactions_are_recorded() {
        on_both_backends(|store| async move {
            let instance = account_with_instance(&store, "sales").await;
            let message = store
                .insert_inbound_message(inbound(&instance, "W2"), |_| Vec::new())
                .await
                .unwrap()
                .unwrap();
            let now = Utc::now();
            let changed = store
                .modify_message(
                    &instance.id,
                    &message.id,
                    |_| {
                        Some(MessageChange {
                            read_at: Some(now),
                            revoked_at: Some(now),
                            ..Default::default()
                        })
                    },
                    |_, _| Vec::new(),
                )
                .await
                .unwrap()
                .unwrap();
            assert_eq!(changed.status, MessageStatus::Read);
            assert!(changed.revoked_at.is_some());
            store
                .set_reaction(&changed, "me", "👍", now, Vec::new())
                .await
                .unwrap();
            store
                .set_reaction(&changed, "me", "❤️", now, Vec::new())
                .await
                .unwrap();
            store
                .set_reaction(&changed, "15550002222", "😂", now, Vec::new())
                .await
                .unwrap();
            let reactions = store.message_reactions(&message.id).await.unwrap();
            assert_eq!(reactions.len(), 2);
            assert!(reactions.iter().any(|r| r.actor == "me" && r.emoji == "❤️"));
            store
                .set_reaction(&changed, "me", "", now, Vec::new())
                .await
                .unwrap();
            assert_eq!(store.message_reactions(&message.id).await.unwrap().len(), 1);
        })
        .await;
    }
}
