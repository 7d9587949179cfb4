//! Chats as the gateway saw them: every chat an instance sent to or received from, with its
//! message count, how many received messages are unread, and the last message — read from
//! the messages themselves (`messages_by_chat` serves each chat's last message).

use crate::messages::MessageRow;
use crate::{MessageRecord, Page, Result, Store};
use sqlx::FromRow;
use wagate_core::InstanceId;

/// One chat of an instance.
#[derive(Clone, Debug, PartialEq)]
pub struct ChatSummary {
    pub chat_jid: String,
    pub messages: i64,
    /// Received messages not marked read.
    pub unread: i64,
    pub last_message: MessageRecord,
}

#[derive(FromRow)]
struct ChatRow {
    chat_jid: String,
    messages: i64,
    unread: i64,
}

const LIST_CHATS: &str = "SELECT chat_jid, COUNT(*) AS messages,
        COALESCE(SUM(CASE WHEN direction = 'inbound' AND read_at IS NULL THEN 1 ELSE 0 END), 0) AS unread
    FROM messages WHERE instance_id = $1
    GROUP BY chat_jid ORDER BY MAX(created_at) DESC, chat_jid LIMIT $2 OFFSET $3";
const COUNT_CHATS: &str = "SELECT COUNT(DISTINCT chat_jid) FROM messages WHERE instance_id = $1";
const LAST_MESSAGE: &str = concat!(
    "SELECT ",
    message_columns!(),
    " FROM messages WHERE instance_id = $1 AND chat_jid = $2 ORDER BY created_at DESC, id DESC LIMIT 1"
);
const UNREAD: &str = concat!(
    "SELECT ",
    message_columns!(),
    " FROM messages WHERE instance_id = $1 AND chat_jid = $2 AND direction = 'inbound'
      AND read_at IS NULL ORDER BY created_at DESC, id DESC LIMIT $3"
);

impl Store {
    /// An instance's chats, the most recently active first.
    pub async fn list_chats(
        &self,
        instance: &InstanceId,
        limit: i64,
        offset: i64,
    ) -> Result<Page<ChatSummary>> {
        let (rows, total, lasts) = on_pool!(self, pool => {
            let rows: Vec<ChatRow> = sqlx::query_as(LIST_CHATS)
                .bind(instance.as_str())
                .bind(limit)
                .bind(offset)
                .fetch_all(pool)
                .await?;
            let total: i64 = sqlx::query_scalar(COUNT_CHATS)
                .bind(instance.as_str())
                .fetch_one(pool)
                .await?;
            let mut lasts = Vec::with_capacity(rows.len());
            for row in &rows {
                let last: MessageRow = sqlx::query_as(LAST_MESSAGE)
                    .bind(instance.as_str())
                    .bind(&row.chat_jid)
                    .fetch_one(pool)
                    .await?;
                lasts.push(last);
            }
            (rows, total, lasts)
        });
        let items = rows
            .into_iter()
            .zip(lasts)
            .map(|(row, last)| {
                Ok(ChatSummary {
                    chat_jid: row.chat_jid,
                    messages: row.messages,
                    unread: row.unread,
                    last_message: last.try_into()?,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        Ok(Page { items, total })
    }

    /// The chat's received messages not marked read, newest first, at most `limit`.
    pub async fn unread_messages(
        &self,
        instance: &InstanceId,
        chat_jid: &str,
        limit: i64,
    ) -> Result<Vec<MessageRecord>> {
        let rows: Vec<MessageRow> = on_pool!(self, pool => {
            sqlx::query_as(UNREAD)
                .bind(instance.as_str())
                .bind(chat_jid)
                .bind(limit)
                .fetch_all(pool)
                .await?
        });
        rows.into_iter().map(TryInto::try_into).collect()
    }
}
