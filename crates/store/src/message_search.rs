//! Finding an instance's messages by what a caller knows of them — their chat, which way they
//! went, their kind and when they came — rather than paging through one chat. Evolution API's
//! `findMessages` searches this way; `messages_by_chat` serves the searches that name a chat.

use crate::messages::MessageRow;
use crate::records::{Direction, MessageRecord, Page};
use crate::time::to_millis;
use crate::{Result, Store};
use chrono::{DateTime, Utc};
use wagate_core::InstanceId;

/// Which of an instance's messages to find; a `None` matches every message.
#[derive(Clone, Debug, Default)]
pub struct MessageSearch {
    /// Only messages of this chat (a JID).
    pub chat: Option<String>,
    pub direction: Option<Direction>,
    /// Only messages of this content type (`text`, `image`, …).
    pub message_type: Option<String>,
    /// Only messages stored at or after then.
    pub from: Option<DateTime<Utc>>,
    /// Only messages stored at or before then.
    pub until: Option<DateTime<Utc>>,
    pub limit: i64,
    pub offset: i64,
}

macro_rules! search_condition {
    () => {
        "instance_id = $1 AND ($2 IS NULL OR chat_jid = $2) AND ($3 IS NULL OR direction = $3)
         AND ($4 IS NULL OR message_type = $4) AND ($5 IS NULL OR created_at >= $5)
         AND ($6 IS NULL OR created_at <= $6)"
    };
}

const SEARCH: &str = concat!(
    "SELECT ",
    message_columns!(),
    " FROM messages WHERE ",
    search_condition!(),
    " ORDER BY created_at DESC, id DESC LIMIT $7 OFFSET $8"
);
const COUNT: &str = concat!("SELECT COUNT(*) FROM messages WHERE ", search_condition!());

impl Store {
    /// The instance's messages that match, newest first, and how many match in all.
    pub async fn search_messages(
        &self,
        instance: &InstanceId,
        search: &MessageSearch,
    ) -> Result<Page<MessageRecord>> {
        let direction = search.direction.map(|d| d.as_str().to_owned());
        let from = search.from.map(to_millis);
        let until = search.until.map(to_millis);
        let (rows, total) = on_pool!(self, pool => {
            let rows: Vec<MessageRow> = sqlx::query_as(SEARCH)
                .bind(instance.as_str())
                .bind(search.chat.clone())
                .bind(direction.clone())
                .bind(search.message_type.clone())
                .bind(from)
                .bind(until)
                .bind(search.limit)
                .bind(search.offset)
                .fetch_all(pool)
                .await?;
            let total: i64 = sqlx::query_scalar(COUNT)
                .bind(instance.as_str())
                .bind(search.chat.clone())
                .bind(direction)
                .bind(search.message_type.clone())
                .bind(from)
                .bind(until)
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
    use crate::messages::tests::text;
    use crate::testing::on_both_backends;

    #[tokio::test]
    async fn messages_are_found_by_chat_direction_type_and_time() {
        on_both_backends(|store| async move {
            let instance = account_with_instance(&store, "sales").await;
            let first = store
                .insert_outbound_message(text(&instance, "one"), |_| Vec::new())
                .await
                .unwrap();
            let mut other = text(&instance, "two");
            other.chat_jid = "15550003333@s.whatsapp.net".to_owned();
            let second = store
                .insert_outbound_message(other, |_| Vec::new())
                .await
                .unwrap();

            let all = store
                .search_messages(
                    &instance.id,
                    &MessageSearch {
                        limit: 10,
                        ..Default::default()
                    },
                )
                .await
                .unwrap();
            assert_eq!(all.total, 2);
            assert_eq!(all.items[0].id, second.id, "newest first");

            let in_chat = store
                .search_messages(
                    &instance.id,
                    &MessageSearch {
                        chat: Some("15550002222@s.whatsapp.net".to_owned()),
                        direction: Some(Direction::Outbound),
                        message_type: Some("text".to_owned()),
                        limit: 10,
                        ..Default::default()
                    },
                )
                .await
                .unwrap();
            assert_eq!(in_chat.total, 1);
            assert_eq!(in_chat.items[0].id, first.id);

            for search in [
                MessageSearch {
                    direction: Some(Direction::Inbound),
                    limit: 10,
                    ..Default::default()
                },
                MessageSearch {
                    message_type: Some("image".to_owned()),
                    limit: 10,
                    ..Default::default()
                },
                MessageSearch {
                    from: Some(second.created_at + chrono::Duration::seconds(1)),
                    limit: 10,
                    ..Default::default()
                },
                MessageSearch {
                    until: Some(first.created_at - chrono::Duration::seconds(1)),
                    limit: 10,
                    ..Default::default()
                },
            ] {
                let found = store.search_messages(&instance.id, &search).await.unwrap();
                assert_eq!(found.total, 0, "{search:?}");
                assert!(found.items.is_empty());
            }
            let paged = store
                .search_messages(
                    &instance.id,
                    &MessageSearch {
                        from: Some(first.created_at),
                        until: Some(second.created_at),
                        limit: 1,
                        offset: 1,
                        ..Default::default()
                    },
                )
                .await
                .unwrap();
            assert_eq!(paged.total, 2);
            assert_eq!(paged.items.len(), 1);
            assert_eq!(paged.items[0].id, first.id);
        })
        .await;
    }
}
