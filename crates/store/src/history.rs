//! The chat history WhatsApp hands a newly linked device, stored as messages at their own
//! time: received ones count as read (they are old news, not unread mail), the number's own
//! as sent. A message already stored under the same WhatsApp id (one that arrived live, or
//! one sent through the gateway) is left alone, so a chunk delivered twice stores nothing
//! twice.

use crate::events::NewEvent;
use crate::time::{now_millis, to_millis};
use crate::{Result, Store, StoreError};
use chrono::{DateTime, Utc};
use wagate_core::{AccountId, InstanceId, MessageContent, MessageId};

/// A message from before the device was linked.
#[derive(Clone, Debug)]
pub struct NewHistoricMessage {
    pub provider_message_id: String,
    pub chat_jid: String,
    /// The chat as the API shows a recipient: digits for a person, the JID otherwise.
    pub recipient: String,
    pub from_me: bool,
    /// Who sent a received message: their number, or their LID.
    pub sender: Option<String>,
    pub sender_lid: Option<String>,
    pub push_name: Option<String>,
    pub content: MessageContent,
    pub at: DateTime<Utc>,
}

const ALREADY_STORED: &str =
    "SELECT COUNT(*) FROM messages WHERE instance_id = $1 AND provider_message_id = $2";
const INSERT: &str = "INSERT INTO messages (id, account_id, instance_id, direction, recipient,
        chat_jid, message_type, content, body, status, provider_message_id, attempts, run_at,
        created_at, updated_at, sent_at, delivered_at, read_at, sender, sender_lid, push_name)
    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, 0, $12, $12, $13, $12, $14, $14, $15,
        $16, $17)
    ON CONFLICT DO NOTHING";
const INSERT_TIMELINE: &str =
    "INSERT INTO message_timeline (message_id, status, at) VALUES ($1, $2, $3)";

impl Store {
    /// Stores the messages not stored yet, with the events `events` makes of how many were
    /// new, in one transaction; answers how many were new.
    pub async fn insert_history(
        &self,
        account: &AccountId,
        instance: &InstanceId,
        messages: &[NewHistoricMessage],
        events: impl FnOnce(usize) -> Vec<NewEvent>,
    ) -> Result<usize> {
        let now = now_millis();
        let mut rows = Vec::with_capacity(messages.len());
        for message in messages {
            let content = serde_json::to_string(&message.content)
                .map_err(|e| StoreError::Corrupt(format!("content does not serialise: {e}")))?;
            rows.push((message, content));
        }
        in_tx!(self, tx, backend => {
            let mut stored = 0;
            for (message, content) in &rows {
                let existing: i64 = sqlx::query_scalar(ALREADY_STORED)
                    .bind(instance.as_str())
                    .bind(&message.provider_message_id)
                    .fetch_one(&mut *tx)
                    .await?;
                if existing > 0 {
                    continue;
                }
                let (direction, status) = if message.from_me {
                    ("outbound", "sent")
                } else {
                    ("inbound", "read")
                };
                let at = to_millis(message.at);
                let id = MessageId::generate().to_string();
                let inserted = sqlx::query(INSERT)
                    .bind(&id)
                    .bind(account.as_str())
                    .bind(instance.as_str())
                    .bind(direction)
                    .bind(if message.from_me {
                        &message.recipient
                    } else {
                        message.sender.as_ref().unwrap_or(&message.recipient)
                    })
                    .bind(&message.chat_jid)
                    .bind(message.content.type_name())
                    .bind(content)
                    .bind(message.content.summary())
                    .bind(status)
                    .bind(&message.provider_message_id)
                    .bind(at)
                    .bind(now)
                    .bind((!message.from_me).then_some(at))
                    .bind(&message.sender)
                    .bind(&message.sender_lid)
                    .bind(&message.push_name)
                    .execute(&mut *tx)
                    .await?
                    .rows_affected();
                if inserted == 0 {
                    continue;
                }
                sqlx::query(INSERT_TIMELINE)
                    .bind(&id)
                    .bind(status)
                    .bind(at)
                    .execute(&mut *tx)
                    .await?;
                stored += 1;
            }
            let new_events = events(stored);
            append_events!(tx, backend, new_events);
            Ok(stored)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::MessageFilter;
    use crate::instances::tests::account_with_instance;
    use crate::records::Direction;
    use crate::testing::on_both_backends;
    use wagate_core::{MessageStatus, TextBody};

    fn historic(id: &str, from_me: bool, text: &str, minutes_ago: i64) -> NewHistoricMessage {
        NewHistoricMessage {
            provider_message_id: id.to_owned(),
            chat_jid: "15550002222@s.whatsapp.net".to_owned(),
            recipient: "15550002222".to_owned(),
            from_me,
            sender: (!from_me).then(|| "15550002222".to_owned()),
            sender_lid: None,
            push_name: (!from_me).then(|| "Ann".to_owned()),
            content: MessageContent::Text {
                body: TextBody::parse(text).unwrap(),
                preview_url: false,
            },
            at: Utc::now() - chrono::Duration::minutes(minutes_ago),
        }
    }

    #[tokio::test]
    async fn history_is_stored_once_at_its_own_time() {
        on_both_backends(|store| async move {
            let instance = account_with_instance(&store, "sales").await;
            let chunk = [
                historic("H1", false, "Are you open?", 90),
                historic("H2", true, "Until 8pm", 80),
            ];
            let stored = store
                .insert_history(&instance.account_id, &instance.id, &chunk, |_| Vec::new())
                .await
                .unwrap();
            assert_eq!(stored, 2);
            let again = store
                .insert_history(&instance.account_id, &instance.id, &chunk, |_| Vec::new())
                .await
                .unwrap();
            assert_eq!(again, 0, "a chunk delivered twice stores nothing twice");

            let page = store
                .list_messages(&MessageFilter {
                    account_id: instance.account_id.clone(),
                    instance_id: Some(instance.id.clone()),
                    status: None,
                    direction: None,
                    chat: None,
                    batch_id: None,
                    created_after: None,
                    limit: 10,
                    offset: 0,
                })
                .await
                .unwrap();
            assert_eq!(page.total, 2);
            let received = page
                .items
                .iter()
                .find(|m| m.direction == Direction::Inbound)
                .unwrap();
            assert_eq!(received.status, MessageStatus::Read);
            assert_eq!(received.push_name.as_deref(), Some("Ann"));
            assert_eq!(
                received.created_at.timestamp(),
                chunk[0].at.timestamp(),
                "listed at the time it was written"
            );
            let own = page
                .items
                .iter()
                .find(|m| m.direction == Direction::Outbound)
                .unwrap();
            assert_eq!(own.status, MessageStatus::Sent);
            assert_eq!(own.recipient, "15550002222");
        })
        .await;
    }
}
