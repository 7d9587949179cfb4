//! Chats as the gateway saw them: every chat an instance sent to or received from, with its
//! message count, how many received messages are unread, and the last message — read from
//! the messages themselves (`messages_by_chat` serves each chat's last message) — and what
//! the number set on it (archived, pinned, muted, disappearing messages), kept in
//! `chat_states`.

use crate::messages::MessageRow;
use crate::time::{from_millis, now_millis, to_millis};
use crate::{MessageRecord, Page, Result, Store};
use chrono::{DateTime, Utc};
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
    pub state: ChatState,
}

/// What the number set on a chat.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ChatState {
    pub archived: bool,
    pub pinned: bool,
    /// Muted until then; `None` is not muted.
    pub muted_until: Option<DateTime<Utc>>,
    /// Disappearing messages after this many seconds; 0 is off.
    pub disappearing_seconds: u32,
    /// The number marked the chat unread and has not read it since.
    pub marked_unread: bool,
    /// When the number deleted the chat: messages up to then are no longer the chat's.
    pub cleared_at: Option<DateTime<Utc>>,
}

/// A change to what the number set on a chat.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ChatStateChange {
    Archived(bool),
    Pinned(bool),
    /// `None` unmutes.
    MutedUntil(Option<DateTime<Utc>>),
    DisappearingSeconds(u32),
    MarkedUnread(bool),
    /// The chat was deleted now: its messages so far are left out (by the same clock that
    /// stamps messages), and archived, pinned, muted and unread are reset.
    Deleted,
}

#[derive(FromRow)]
struct ChatStateRow {
    archived: bool,
    pinned: bool,
    muted_until: Option<i64>,
    disappearing_seconds: i32,
    marked_unread: bool,
    cleared_at: Option<i64>,
}

#[derive(FromRow)]
struct ChatRow {
    chat_jid: String,
    messages: i64,
    unread: i64,
}

/// A deleted chat's messages up to its deletion are left out.
macro_rules! chat_messages_since_cleared {
    () => {
        "FROM messages m LEFT JOIN chat_states s
            ON s.instance_id = m.instance_id AND s.chat_jid = m.chat_jid
        WHERE m.instance_id = $1 AND (s.cleared_at IS NULL OR m.created_at > s.cleared_at)"
    };
}
const LIST_CHATS: &str = concat!(
    "SELECT m.chat_jid, COUNT(*) AS messages,
        COALESCE(SUM(CASE WHEN m.direction = 'inbound' AND m.read_at IS NULL THEN 1 ELSE 0 END), 0) AS unread ",
    chat_messages_since_cleared!(),
    " GROUP BY m.chat_jid ORDER BY MAX(m.created_at) DESC, m.chat_jid LIMIT $2 OFFSET $3"
);
pub(crate) const COUNT_CHATS: &str = concat!(
    "SELECT COUNT(DISTINCT m.chat_jid) ",
    chat_messages_since_cleared!()
);
const ONE_CHAT: &str = concat!(
    "SELECT m.chat_jid, COUNT(*) AS messages,
        COALESCE(SUM(CASE WHEN m.direction = 'inbound' AND m.read_at IS NULL THEN 1 ELSE 0 END), 0) AS unread ",
    chat_messages_since_cleared!(),
    " AND m.chat_jid = $2 GROUP BY m.chat_jid"
);
const LAST_MESSAGE: &str = concat!(
    "SELECT ",
    message_columns!(),
    " FROM messages WHERE instance_id = $1 AND chat_jid = $2 ORDER BY created_at DESC, id DESC LIMIT 1"
);
const CHAT_STATE: &str = "SELECT archived, pinned, muted_until, disappearing_seconds,
        marked_unread, cleared_at FROM chat_states WHERE instance_id = $1 AND chat_jid = $2";
const SET_ARCHIVED: &str = "INSERT INTO chat_states (instance_id, chat_jid, archived, updated_at)
    VALUES ($1, $2, $3, $4) ON CONFLICT (instance_id, chat_jid)
    DO UPDATE SET archived = excluded.archived, updated_at = excluded.updated_at";
const SET_PINNED: &str = "INSERT INTO chat_states (instance_id, chat_jid, pinned, updated_at)
    VALUES ($1, $2, $3, $4) ON CONFLICT (instance_id, chat_jid)
    DO UPDATE SET pinned = excluded.pinned, updated_at = excluded.updated_at";
const SET_MUTED: &str = "INSERT INTO chat_states (instance_id, chat_jid, muted_until, updated_at)
    VALUES ($1, $2, $3, $4) ON CONFLICT (instance_id, chat_jid)
    DO UPDATE SET muted_until = excluded.muted_until, updated_at = excluded.updated_at";
const SET_DISAPPEARING: &str = "INSERT INTO chat_states
    (instance_id, chat_jid, disappearing_seconds, updated_at) VALUES ($1, $2, $3, $4)
    ON CONFLICT (instance_id, chat_jid)
    DO UPDATE SET disappearing_seconds = excluded.disappearing_seconds, updated_at = excluded.updated_at";
const SET_MARKED_UNREAD: &str = "INSERT INTO chat_states
    (instance_id, chat_jid, marked_unread, updated_at) VALUES ($1, $2, $3, $4)
    ON CONFLICT (instance_id, chat_jid)
    DO UPDATE SET marked_unread = excluded.marked_unread, updated_at = excluded.updated_at";
const SET_DELETED: &str = "INSERT INTO chat_states (instance_id, chat_jid, cleared_at, updated_at)
    VALUES ($1, $2, $3, $4) ON CONFLICT (instance_id, chat_jid)
    DO UPDATE SET cleared_at = excluded.cleared_at, archived = FALSE, pinned = FALSE,
        muted_until = NULL, marked_unread = FALSE, updated_at = excluded.updated_at";
const UNREAD: &str = concat!(
    "SELECT ",
    message_columns!(),
    " FROM messages WHERE instance_id = $1 AND chat_jid = $2 AND direction = 'inbound'
      AND read_at IS NULL ORDER BY created_at DESC, id DESC LIMIT $3"
);

impl ChatStateRow {
    fn into_state(self) -> ChatState {
        ChatState {
            archived: self.archived,
            pinned: self.pinned,
            muted_until: self.muted_until.map(from_millis),
            disappearing_seconds: u32::try_from(self.disappearing_seconds).unwrap_or(0),
            marked_unread: self.marked_unread,
            cleared_at: self.cleared_at.map(from_millis),
        }
    }
}

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
                let state: Option<ChatStateRow> = sqlx::query_as(CHAT_STATE)
                    .bind(instance.as_str())
                    .bind(&row.chat_jid)
                    .fetch_optional(pool)
                    .await?;
                lasts.push((last, state));
            }
            (rows, total, lasts)
        });
        let items = rows
            .into_iter()
            .zip(lasts)
            .map(|(row, (last, state))| {
                Ok(ChatSummary {
                    chat_jid: row.chat_jid,
                    messages: row.messages,
                    unread: row.unread,
                    last_message: last.try_into()?,
                    state: state.map(ChatStateRow::into_state).unwrap_or_default(),
                })
            })
            .collect::<Result<Vec<_>>>()?;
        Ok(Page { items, total })
    }

    /// One chat of an instance, as [`Store::list_chats`] shows it; `None` when it has no
    /// message (since it was deleted, if it was).
    pub async fn chat_summary(
        &self,
        instance: &InstanceId,
        chat_jid: &str,
    ) -> Result<Option<ChatSummary>> {
        let found = on_pool!(self, pool => {
            let row: Option<ChatRow> = sqlx::query_as(ONE_CHAT)
                .bind(instance.as_str())
                .bind(chat_jid)
                .fetch_optional(pool)
                .await?;
            match row {
                None => None,
                Some(row) => {
                    let last: MessageRow = sqlx::query_as(LAST_MESSAGE)
                        .bind(instance.as_str())
                        .bind(chat_jid)
                        .fetch_one(pool)
                        .await?;
                    let state: Option<ChatStateRow> = sqlx::query_as(CHAT_STATE)
                        .bind(instance.as_str())
                        .bind(chat_jid)
                        .fetch_optional(pool)
                        .await?;
                    Some((row, last, state))
                }
            }
        });
        found
            .map(|(row, last, state)| {
                Ok(ChatSummary {
                    chat_jid: row.chat_jid,
                    messages: row.messages,
                    unread: row.unread,
                    last_message: last.try_into()?,
                    state: state.map(ChatStateRow::into_state).unwrap_or_default(),
                })
            })
            .transpose()
    }

    /// Records what the number set on a chat; answers the chat's state after it.
    pub async fn set_chat_state(
        &self,
        instance: &InstanceId,
        chat_jid: &str,
        change: ChatStateChange,
    ) -> Result<ChatState> {
        let now = now_millis();
        let state: Option<ChatStateRow> = on_pool!(self, pool => {
            match change {
                ChatStateChange::Archived(archived) => {
                    sqlx::query(SET_ARCHIVED).bind(instance.as_str()).bind(chat_jid).bind(archived).bind(now).execute(pool).await?;
                }
                ChatStateChange::Pinned(pinned) => {
                    sqlx::query(SET_PINNED).bind(instance.as_str()).bind(chat_jid).bind(pinned).bind(now).execute(pool).await?;
                }
                ChatStateChange::DisappearingSeconds(seconds) => {
                    sqlx::query(SET_DISAPPEARING).bind(instance.as_str()).bind(chat_jid).bind(i32::try_from(seconds).unwrap_or(i32::MAX)).bind(now).execute(pool).await?;
                }
                ChatStateChange::MutedUntil(until) => {
                    sqlx::query(SET_MUTED).bind(instance.as_str()).bind(chat_jid).bind(until.map(to_millis)).bind(now).execute(pool).await?;
                }
                ChatStateChange::MarkedUnread(unread) => {
                    sqlx::query(SET_MARKED_UNREAD).bind(instance.as_str()).bind(chat_jid).bind(unread).bind(now).execute(pool).await?;
                }
                ChatStateChange::Deleted => {
                    sqlx::query(SET_DELETED).bind(instance.as_str()).bind(chat_jid).bind(now).bind(now).execute(pool).await?;
                }
            }
            sqlx::query_as(CHAT_STATE)
                .bind(instance.as_str())
                .bind(chat_jid)
                .fetch_optional(pool)
                .await?
        });
        Ok(state.map(ChatStateRow::into_state).unwrap_or_default())
    }

    /// What the number set on a chat (the default for a chat it set nothing on).
    pub async fn chat_state(&self, instance: &InstanceId, chat_jid: &str) -> Result<ChatState> {
        let state: Option<ChatStateRow> = on_pool!(self, pool => {
            sqlx::query_as(CHAT_STATE)
                .bind(instance.as_str())
                .bind(chat_jid)
                .fetch_optional(pool)
                .await?
        });
        Ok(state.map(ChatStateRow::into_state).unwrap_or_default())
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::instances::tests::account_with_instance;
    use crate::testing::on_both_backends;

    #[tokio::test]
    async fn what_is_set_on_a_chat_is_kept_one_setting_at_a_time() {
        on_both_backends(|store| async move {
            let instance = account_with_instance(&store, "sales").await;
            let chat = "15550002222@s.whatsapp.net";
            let state = store
                .set_chat_state(&instance.id, chat, ChatStateChange::Archived(true))
                .await
                .unwrap();
            assert_eq!(
                state,
                ChatState {
                    archived: true,
                    ..ChatState::default()
                }
            );
            let until = from_millis(to_millis(Utc::now()) + 3_600_000);
            store
                .set_chat_state(&instance.id, chat, ChatStateChange::MutedUntil(Some(until)))
                .await
                .unwrap();
            let state = store
                .set_chat_state(
                    &instance.id,
                    chat,
                    ChatStateChange::DisappearingSeconds(86_400),
                )
                .await
                .unwrap();
            assert_eq!(
                state,
                ChatState {
                    archived: true,
                    pinned: false,
                    muted_until: Some(until),
                    disappearing_seconds: 86_400,
                    ..ChatState::default()
                }
            );
            let before = to_millis(Utc::now());
            let state = store
                .set_chat_state(&instance.id, chat, ChatStateChange::Deleted)
                .await
                .unwrap();
            let deleted_at = state.cleared_at.expect("the time it was deleted");
            assert!(to_millis(deleted_at) >= before);
            assert_eq!(
                state,
                ChatState {
                    disappearing_seconds: 86_400,
                    cleared_at: Some(deleted_at),
                    ..ChatState::default()
                },
                "deleting a chat resets all but its disappearing messages"
            );
            assert_eq!(store.chat_state(&instance.id, chat).await.unwrap(), state);
        })
        .await;
    }

    #[tokio::test]
    async fn one_chat_is_summarised_until_it_is_deleted() {
        on_both_backends(|store| async move {
            let instance = account_with_instance(&store, "sales").await;
            let chat = "15550002222@s.whatsapp.net";
            let sent = store
                .insert_outbound_message(crate::messages::tests::text(&instance, "hi"), |_| {
                    Vec::new()
                })
                .await
                .unwrap();
            store
                .set_chat_state(&instance.id, chat, ChatStateChange::Pinned(true))
                .await
                .unwrap();
            let summary = store
                .chat_summary(&instance.id, chat)
                .await
                .unwrap()
                .expect("a chat");
            assert_eq!(summary.chat_jid, chat);
            assert_eq!((summary.messages, summary.unread), (1, 0));
            assert_eq!(summary.last_message.id, sent.id);
            assert!(summary.state.pinned);
            assert_eq!(
                store.list_chats(&instance.id, 10, 0).await.unwrap().items,
                vec![summary]
            );
            assert!(
                store
                    .chat_summary(&instance.id, "15550003333@s.whatsapp.net")
                    .await
                    .unwrap()
                    .is_none()
            );
            store
                .set_chat_state(&instance.id, chat, ChatStateChange::Deleted)
                .await
                .unwrap();
            assert!(
                store
                    .chat_summary(&instance.id, chat)
                    .await
                    .unwrap()
                    .is_none()
            );
        })
        .await;
    }
}
