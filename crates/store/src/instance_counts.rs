//! How much an instance holds: its messages, contacts and chats, counted for listings that
//! show them beside the instance (Evolution's `_count`).

use crate::chats::COUNT_CHATS;
use crate::{Result, Store};
use wagate_core::InstanceId;

/// An instance's messages, contacts and chats.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct InstanceCounts {
    pub messages: i64,
    pub contacts: i64,
    /// Chats as `list_chats` shows them (a deleted chat counts again once it has new messages).
    pub chats: i64,
}

const COUNT_MESSAGES: &str = "SELECT COUNT(*) FROM messages WHERE instance_id = $1";
const COUNT_CONTACTS: &str = "SELECT COUNT(*) FROM contacts WHERE instance_id = $1";

impl Store {
    pub async fn instance_counts(&self, instance: &InstanceId) -> Result<InstanceCounts> {
        Ok(on_pool!(self, pool => {
            let mut counts = [0i64; 3];
            for (at, sql) in [COUNT_MESSAGES, COUNT_CONTACTS, COUNT_CHATS].into_iter().enumerate() {
                counts[at] = sqlx::query_scalar(sql)
                    .bind(instance.as_str())
                    .fetch_one(pool)
                    .await?;
            }
            InstanceCounts {
                messages: counts[0],
                contacts: counts[1],
                chats: counts[2],
            }
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::InstanceCounts;
    use crate::instances::tests::account_with_instance;
    use crate::testing::on_both_backends;

    #[tokio::test]
    async fn an_instance_counts_what_it_holds_and_nothing_of_others() {
        on_both_backends(|store| async move {
            let sales = account_with_instance(&store, "sales").await;
            let other = account_with_instance(&store, "support").await;
            assert_eq!(
                store.instance_counts(&sales.id).await.unwrap(),
                InstanceCounts::default()
            );
            for phone in ["15550002222", "15550003333"] {
                store
                    .save_contact_name(&sales.id, phone, Some("Someone"))
                    .await
                    .unwrap();
            }
            store
                .save_contact_name(&other.id, "15550004444", Some("Other"))
                .await
                .unwrap();
            let counts = store.instance_counts(&sales.id).await.unwrap();
            assert_eq!(counts.contacts, 2);
            assert_eq!((counts.messages, counts.chats), (0, 0));
        })
        .await;
    }
}
