//! An instance's contacts: the name the number saved for each (through the gateway, or in the
//! phone's address book as WhatsApp syncs it) and the name each shows, learned from what they
//! send. Keyed by phone number; people known only by their LID are not listed.

use crate::time::{from_millis, now_millis};
use crate::{Page, Result, Store};
use chrono::{DateTime, Utc};
use sqlx::FromRow;
use wagate_core::InstanceId;

/// One contact of an instance.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ContactRecord {
    /// The phone number's digits.
    pub phone: String,
    /// The name the number saved for them.
    pub name: Option<String>,
    /// The name they show on WhatsApp.
    pub push_name: Option<String>,
    pub lid: Option<String>,
    pub updated_at: DateTime<Utc>,
}

#[derive(FromRow)]
struct ContactRow {
    phone: String,
    name: Option<String>,
    push_name: Option<String>,
    lid: Option<String>,
    updated_at: i64,
}

impl From<ContactRow> for ContactRecord {
    fn from(row: ContactRow) -> Self {
        Self {
            phone: row.phone,
            name: row.name,
            push_name: row.push_name,
            lid: row.lid,
            updated_at: from_millis(row.updated_at),
        }
    }
}

/// `$2`: a lowercase `%…%` pattern matched against the number and both names, or NULL.
macro_rules! contact_condition {
    () => {
        "instance_id = $1 AND ($2 IS NULL OR phone LIKE $2 OR LOWER(name) LIKE $2
            OR LOWER(push_name) LIKE $2)"
    };
}

const LIST: &str = concat!(
    "SELECT phone, name, push_name, lid, updated_at FROM contacts WHERE ",
    contact_condition!(),
    " ORDER BY LOWER(COALESCE(name, push_name, phone)), phone LIMIT $3 OFFSET $4"
);
const COUNT: &str = concat!("SELECT COUNT(*) FROM contacts WHERE ", contact_condition!());
const SAVED_PHONES: &str = "SELECT phone FROM contacts WHERE instance_id = $1 AND name IS NOT NULL
    ORDER BY phone LIMIT $2";
const GET: &str = "SELECT phone, name, push_name, lid, updated_at FROM contacts
    WHERE instance_id = $1 AND phone = $2";
const SAVE_NAME: &str = "INSERT INTO contacts (instance_id, phone, name, updated_at)
    VALUES ($1, $2, $3, $4) ON CONFLICT (instance_id, phone)
    DO UPDATE SET name = excluded.name, updated_at = excluded.updated_at";
const REMEMBER_PUSH_NAME: &str = "INSERT INTO contacts
    (instance_id, phone, push_name, lid, updated_at) VALUES ($1, $2, $3, $4, $5)
    ON CONFLICT (instance_id, phone) DO UPDATE SET push_name = excluded.push_name,
        lid = COALESCE(excluded.lid, contacts.lid), updated_at = excluded.updated_at";

impl Store {
    /// Saves (or, with `None`, forgets) the name the number gave a contact; answers the
    /// contact after it.
    pub async fn save_contact_name(
        &self,
        instance: &InstanceId,
        phone: &str,
        name: Option<&str>,
    ) -> Result<ContactRecord> {
        let row: ContactRow = on_pool!(self, pool => {
            sqlx::query(SAVE_NAME)
                .bind(instance.as_str())
                .bind(phone)
                .bind(name)
                .bind(now_millis())
                .execute(pool)
                .await?;
            sqlx::query_as(GET).bind(instance.as_str()).bind(phone).fetch_one(pool).await?
        });
        Ok(row.into())
    }

    /// Records the name a contact shows (and their LID, when known).
    pub async fn remember_push_name(
        &self,
        instance: &InstanceId,
        phone: &str,
        push_name: &str,
        lid: Option<&str>,
    ) -> Result<()> {
        on_pool!(self, pool => {
            sqlx::query(REMEMBER_PUSH_NAME)
                .bind(instance.as_str())
                .bind(phone)
                .bind(push_name)
                .bind(lid)
                .bind(now_millis())
                .execute(pool)
                .await?;
        });
        Ok(())
    }

    pub async fn get_contact(
        &self,
        instance: &InstanceId,
        phone: &str,
    ) -> Result<Option<ContactRecord>> {
        let row: Option<ContactRow> = on_pool!(self, pool => {
            sqlx::query_as(GET).bind(instance.as_str()).bind(phone).fetch_optional(pool).await?
        });
        Ok(row.map(Into::into))
    }

    /// The numbers the instance saved a name for (its address book), at most `limit`.
    pub async fn saved_contact_phones(
        &self,
        instance: &InstanceId,
        limit: i64,
    ) -> Result<Vec<String>> {
        Ok(on_pool!(self, pool => {
            sqlx::query_scalar(SAVED_PHONES)
                .bind(instance.as_str())
                .bind(limit)
                .fetch_all(pool)
                .await?
        }))
    }

    /// The instance's contacts by name (saved, else shown, else number); `search` matches part
    /// of the number or of either name, in any case.
    pub async fn list_contacts(
        &self,
        instance: &InstanceId,
        search: Option<&str>,
        limit: i64,
        offset: i64,
    ) -> Result<Page<ContactRecord>> {
        let pattern = search.map(|term| format!("%{}%", term.to_lowercase()));
        let (rows, total) = on_pool!(self, pool => {
            let rows: Vec<ContactRow> = sqlx::query_as(LIST)
                .bind(instance.as_str())
                .bind(pattern.clone())
                .bind(limit)
                .bind(offset)
                .fetch_all(pool)
                .await?;
            let total: i64 = sqlx::query_scalar(COUNT)
                .bind(instance.as_str())
                .bind(pattern)
                .fetch_one(pool)
                .await?;
            (rows, total)
        });
        Ok(Page {
            items: rows.into_iter().map(Into::into).collect(),
            total,
        })
    }
}

#[cfg(test)]
mod tests {
    use crate::instances::tests::account_with_instance;
    use crate::testing::on_both_backends;

    #[tokio::test]
    async fn saved_and_shown_names_are_kept_apart_and_searched_together() {
        on_both_backends(|store| async move {
            let instance = account_with_instance(&store, "sales").await;
            store
                .remember_push_name(&instance.id, "15550002222", "Annie", Some("1001@lid"))
                .await
                .unwrap();
            let ann = store
                .save_contact_name(&instance.id, "15550002222", Some("Ann Smith"))
                .await
                .unwrap();
            assert_eq!(ann.name.as_deref(), Some("Ann Smith"));
            assert_eq!(ann.push_name.as_deref(), Some("Annie"));
            assert_eq!(ann.lid.as_deref(), Some("1001@lid"));
            store
                .remember_push_name(&instance.id, "15550002222", "Ann S.", None)
                .await
                .unwrap();
            store
                .remember_push_name(&instance.id, "15550003333", "bob", None)
                .await
                .unwrap();
            store
                .save_contact_name(&instance.id, "15550004444", Some("Carla"))
                .await
                .unwrap();

            let all = store
                .list_contacts(&instance.id, None, 10, 0)
                .await
                .unwrap();
            assert_eq!(all.total, 3);
            let phones: Vec<&str> = all.items.iter().map(|c| c.phone.as_str()).collect();
            assert_eq!(phones, ["15550002222", "15550003333", "15550004444"]);
            let ann = &all.items[0];
            assert_eq!(
                (ann.push_name.as_deref(), ann.lid.as_deref()),
                (Some("Ann S."), Some("1001@lid")),
                "a later push name replaces the earlier; the LID stays"
            );
            for (term, expected) in [
                ("SMITH", 1),
                ("ann", 1),
                ("5550004", 1),
                ("555", 3),
                ("zed", 0),
            ] {
                let found = store
                    .list_contacts(&instance.id, Some(term), 10, 0)
                    .await
                    .unwrap();
                assert_eq!(found.total, expected, "{term}");
            }
            assert_eq!(
                store.saved_contact_phones(&instance.id, 10).await.unwrap(),
                vec!["15550002222".to_owned(), "15550004444".to_owned()],
                "only numbers with a saved name are the address book"
            );

            let forgotten = store
                .save_contact_name(&instance.id, "15550002222", None)
                .await
                .unwrap();
            assert_eq!(forgotten.name, None);
            assert_eq!(forgotten.push_name.as_deref(), Some("Ann S."));
            assert!(
                store
                    .get_contact(&instance.id, "15559999999")
                    .await
                    .unwrap()
                    .is_none()
            );
        })
        .await;
    }
}
