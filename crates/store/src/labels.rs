//! WhatsApp Business labels of an instance and the chats each is on. Every write says whether
//! it changed anything, and appends its events only then: the same change arriving twice (made
//! here, then synced back from WhatsApp) is reported once.

use crate::time::now_millis;
use crate::{NewEvent, Result, Store};
use sqlx::FromRow;
use wagate_core::InstanceId;

/// One label of an instance.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LabelRecord {
    pub id: String,
    pub name: String,
    pub color: u8,
    /// How many chats carry it.
    pub chats: i64,
}

#[derive(FromRow)]
struct LabelRow {
    label_id: String,
    name: String,
    color: i32,
    chats: i64,
}

impl From<LabelRow> for LabelRecord {
    fn from(row: LabelRow) -> Self {
        Self {
            id: row.label_id,
            name: row.name,
            color: u8::try_from(row.color).unwrap_or(0),
            chats: row.chats,
        }
    }
}

macro_rules! select_labels {
    () => {
        "SELECT l.label_id, l.name, l.color,
            (SELECT COUNT(*) FROM chat_labels c
             WHERE c.instance_id = l.instance_id AND c.label_id = l.label_id) AS chats
         FROM labels l WHERE l.instance_id = $1"
    };
}

const LIST: &str = concat!(select_labels!(), " ORDER BY l.name, l.label_id");
const GET: &str = concat!(select_labels!(), " AND l.label_id = $2");
/// The id a new label takes and how many the instance has.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewLabelSlot {
    pub id: String,
    pub existing: usize,
}

const IDS: &str = "SELECT label_id FROM labels WHERE instance_id = $1";
const SAVE: &str = "INSERT INTO labels (instance_id, label_id, name, color, updated_at)
    VALUES ($1, $2, $3, $4, $5) ON CONFLICT (instance_id, label_id)
    DO UPDATE SET name = excluded.name, color = excluded.color, updated_at = excluded.updated_at
    WHERE labels.name <> excluded.name OR labels.color <> excluded.color";
const DELETE: &str = "DELETE FROM labels WHERE instance_id = $1 AND label_id = $2";
const DELETE_ITS_CHATS: &str = "DELETE FROM chat_labels WHERE instance_id = $1 AND label_id = $2";
const LABEL_CHAT: &str = "INSERT INTO chat_labels (instance_id, label_id, chat_jid, created_at)
    VALUES ($1, $2, $3, $4) ON CONFLICT (instance_id, label_id, chat_jid) DO NOTHING";
const UNLABEL_CHAT: &str =
    "DELETE FROM chat_labels WHERE instance_id = $1 AND label_id = $2 AND chat_jid = $3";
const CHATS: &str = "SELECT chat_jid FROM chat_labels WHERE instance_id = $1 AND label_id = $2
    ORDER BY created_at, chat_jid";

impl Store {
    /// The instance's labels by name.
    pub async fn list_labels(&self, instance: &InstanceId) -> Result<Vec<LabelRecord>> {
        let rows: Vec<LabelRow> = on_pool!(self, pool => {
            sqlx::query_as(LIST).bind(instance.as_str()).fetch_all(pool).await?
        });
        Ok(rows.into_iter().map(Into::into).collect())
    }

    pub async fn get_label(&self, instance: &InstanceId, id: &str) -> Result<Option<LabelRecord>> {
        let row: Option<LabelRow> = on_pool!(self, pool => {
            sqlx::query_as(GET).bind(instance.as_str()).bind(id).fetch_optional(pool).await?
        });
        Ok(row.map(Into::into))
    }

    /// Where a new label of the instance goes: its id, one more than the largest numeric
    /// id, and how many labels there are already.
    pub async fn new_label_slot(&self, instance: &InstanceId) -> Result<NewLabelSlot> {
        let ids: Vec<String> = on_pool!(self, pool => {
            sqlx::query_scalar(IDS).bind(instance.as_str()).fetch_all(pool).await?
        });
        let largest = ids
            .iter()
            .filter_map(|id| id.parse::<u64>().ok())
            .max()
            .unwrap_or(0);
        Ok(NewLabelSlot {
            id: (largest + 1).to_string(),
            existing: ids.len(),
        })
    }

    /// Creates a label or changes its name or colour; `events` are appended only when it
    /// changed. Answers whether it did.
    pub async fn save_label(
        &self,
        instance: &InstanceId,
        id: &str,
        name: &str,
        color: u8,
        events: impl FnOnce() -> Vec<NewEvent>,
    ) -> Result<bool> {
        in_tx!(self, tx, backend => {
            let changed = sqlx::query(SAVE)
                .bind(instance.as_str())
                .bind(id)
                .bind(name)
                .bind(i32::from(color))
                .bind(now_millis())
                .execute(&mut *tx)
                .await?
                .rows_affected()
                > 0;
            if changed {
                append_events!(tx, backend, events());
            }
            Ok(changed)
        })
    }

    /// Deletes a label and takes it off every chat; `events` only when there was one.
    pub async fn delete_label(
        &self,
        instance: &InstanceId,
        id: &str,
        events: impl FnOnce() -> Vec<NewEvent>,
    ) -> Result<bool> {
        in_tx!(self, tx, backend => {
            sqlx::query(DELETE_ITS_CHATS)
                .bind(instance.as_str())
                .bind(id)
                .execute(&mut *tx)
                .await?;
            let deleted = sqlx::query(DELETE)
                .bind(instance.as_str())
                .bind(id)
                .execute(&mut *tx)
                .await?
                .rows_affected()
                > 0;
            if deleted {
                append_events!(tx, backend, events());
            }
            Ok(deleted)
        })
    }

    /// Puts a label on a chat or takes it off; `events` only when that changed anything.
    pub async fn set_chat_label(
        &self,
        instance: &InstanceId,
        id: &str,
        chat_jid: &str,
        labeled: bool,
        events: impl FnOnce() -> Vec<NewEvent>,
    ) -> Result<bool> {
        in_tx!(self, tx, backend => {
            let query = if labeled {
                sqlx::query(LABEL_CHAT)
                    .bind(instance.as_str())
                    .bind(id)
                    .bind(chat_jid)
                    .bind(now_millis())
            } else {
                sqlx::query(UNLABEL_CHAT)
                    .bind(instance.as_str())
                    .bind(id)
                    .bind(chat_jid)
            };
            let changed = query.execute(&mut *tx).await?.rows_affected() > 0;
            if changed {
                append_events!(tx, backend, events());
            }
            Ok(changed)
        })
    }

    /// The chats that carry a label, in the order it was put on them.
    pub async fn labeled_chats(&self, instance: &InstanceId, id: &str) -> Result<Vec<String>> {
        Ok(on_pool!(self, pool => {
            sqlx::query_scalar(CHATS).bind(instance.as_str()).bind(id).fetch_all(pool).await?
        }))
    }
}

#[cfg(test)]
mod tests {
    use crate::instances::tests::account_with_instance;
    use crate::testing::on_both_backends;
    use crate::{NewEvent, NewLabelSlot};

    fn no_event() -> Vec<NewEvent> {
        panic!("nothing changed, so no event is asked for")
    }

    #[tokio::test]
    async fn a_change_made_twice_is_kept_and_reported_once() {
        on_both_backends(|store| async move {
            let instance = account_with_instance(&store, "sales").await;
            assert_eq!(
                store.new_label_slot(&instance.id).await.unwrap(),
                NewLabelSlot {
                    id: "1".to_owned(),
                    existing: 0
                }
            );
            let id = &instance.id;
            assert!(store.save_label(id, "1", "New", 3, Vec::new).await.unwrap());
            assert!(!store.save_label(id, "1", "New", 3, no_event).await.unwrap());
            assert!(
                store
                    .save_label(id, "1", "New customer", 3, Vec::new)
                    .await
                    .unwrap()
            );
            assert!(
                store
                    .save_label(id, "7", "Paid", 0, Vec::new)
                    .await
                    .unwrap()
            );
            assert_eq!(store.new_label_slot(id).await.unwrap().id, "8");

            let chat = "15550002222@s.whatsapp.net";
            assert!(
                store
                    .set_chat_label(id, "1", chat, true, Vec::new)
                    .await
                    .unwrap()
            );
            assert!(
                !store
                    .set_chat_label(id, "1", chat, true, no_event)
                    .await
                    .unwrap()
            );
            assert_eq!(store.labeled_chats(id, "1").await.unwrap(), [chat]);
            let labels = store.list_labels(id).await.unwrap();
            let summary: Vec<(&str, &str, i64)> = labels
                .iter()
                .map(|l| (l.id.as_str(), l.name.as_str(), l.chats))
                .collect();
            assert_eq!(summary, [("1", "New customer", 1), ("7", "Paid", 0)]);

            assert!(store.delete_label(id, "1", Vec::new).await.unwrap());
            assert!(!store.delete_label(id, "1", no_event).await.unwrap());
            assert!(store.labeled_chats(id, "1").await.unwrap().is_empty());
            assert!(store.get_label(id, "1").await.unwrap().is_none());
            assert!(
                !store
                    .set_chat_label(id, "7", chat, false, no_event)
                    .await
                    .unwrap()
            );
        })
        .await;
    }
}
