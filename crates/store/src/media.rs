//! Stored files: the row that says what a file is, where its bytes live and whose it is.
//!
//! A file belongs to its account and, when an instance uploaded, sent or received it, to that
//! instance: an instance key reaches only its instance's files, so the lookups take the
//! instance a caller is limited to and answer "no such file" for any other.

use crate::time::{from_millis, now_millis};
use crate::{Result, Store};
use chrono::{DateTime, Utc};
use wagate_core::{AccountId, InstanceId};

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MediaRecord {
    pub id: String,
    pub account_id: AccountId,
    /// The instance the file belongs to; `None` for the account's own (its key uploaded it).
    pub instance_id: Option<InstanceId>,
    pub mimetype: String,
    pub size: i64,
    pub sha256: String,
    pub file_name: Option<String>,
    /// Where the bytes are in the object store.
    pub storage_key: String,
    pub created_at: DateTime<Utc>,
}

macro_rules! media_columns {
    () => {
        "id, account_id, instance_id, mimetype, size, sha256, file_name, storage_key, created_at"
    };
}

#[derive(sqlx::FromRow)]
struct MediaRow {
    id: String,
    account_id: String,
    instance_id: Option<String>,
    mimetype: String,
    size: i64,
    sha256: String,
    file_name: Option<String>,
    storage_key: String,
    created_at: i64,
}

impl From<MediaRow> for MediaRecord {
    fn from(row: MediaRow) -> Self {
        Self {
            id: row.id,
            account_id: AccountId::from_trusted(row.account_id),
            instance_id: row.instance_id.map(InstanceId::from_trusted),
            mimetype: row.mimetype,
            size: row.size,
            sha256: row.sha256,
            file_name: row.file_name,
            storage_key: row.storage_key,
            created_at: from_millis(row.created_at),
        }
    }
}

impl Store {
    /// Records a file whose bytes are already stored under `storage_key`.
    pub async fn insert_media(&self, media: &MediaRecord) -> Result<()> {
        on_pool!(self, pool => {
            sqlx::query(
                "INSERT INTO media (id, account_id, instance_id, mimetype, size, sha256, file_name, storage_key, created_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
            )
            .bind(media.id.clone())
            .bind(media.account_id.as_str())
            .bind(media.instance_id.as_ref().map(|i| i.as_str().to_owned()))
            .bind(media.mimetype.clone())
            .bind(media.size)
            .bind(media.sha256.clone())
            .bind(media.file_name.clone())
            .bind(media.storage_key.clone())
            .bind(now_millis())
            .execute(pool)
            .await?;
        });
        Ok(())
    }

    /// A file of the account; with `only_instance`, only if it is that instance's.
    pub async fn find_media(
        &self,
        account_id: &AccountId,
        only_instance: Option<&InstanceId>,
        id: &str,
    ) -> Result<Option<MediaRecord>> {
        let row = on_pool!(self, pool => {
            sqlx::query_as::<_, MediaRow>(concat!(
                "SELECT ", media_columns!(), " FROM media
                 WHERE id = $1 AND account_id = $2 AND ($3 IS NULL OR instance_id = $3)"
            ))
            .bind(id)
            .bind(account_id.as_str())
            .bind(only_instance.map(|i| i.as_str().to_owned()))
            .fetch_optional(pool)
            .await?
        });
        Ok(row.map(Into::into))
    }

    /// A file of any account or instance, by id: the gateway's own reads (an engine uploading
    /// a file it sends, handing media to the account that received it), never a caller's.
    pub async fn find_media_anywhere(&self, id: &str) -> Result<Option<MediaRecord>> {
        let row = on_pool!(self, pool => {
            sqlx::query_as::<_, MediaRow>(concat!(
                "SELECT ", media_columns!(), " FROM media WHERE id = $1"
            ))
            .bind(id)
            .fetch_optional(pool)
            .await?
        });
        Ok(row.map(Into::into))
    }

    /// Forgets a file (with `only_instance`, only if it is that instance's); answers whether
    /// it existed. The caller deletes the bytes.
    pub async fn delete_media(
        &self,
        account_id: &AccountId,
        only_instance: Option<&InstanceId>,
        id: &str,
    ) -> Result<bool> {
        let deleted = on_pool!(self, pool => {
            sqlx::query(
                "DELETE FROM media
                 WHERE id = $1 AND account_id = $2 AND ($3 IS NULL OR instance_id = $3)",
            )
                .bind(id)
                .bind(account_id.as_str())
                .bind(only_instance.map(|i| i.as_str().to_owned()))
                .execute(pool)
                .await?
                .rows_affected()
        });
        Ok(deleted > 0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{on_both_backends, seed_instance};
    use wagate_core::{ApiKeyId, EngineKind, InstanceName, InstanceSettings};

    fn file(id: &str, account: &AccountId, instance: Option<&InstanceId>) -> MediaRecord {
        MediaRecord {
            id: id.to_owned(),
            account_id: account.clone(),
            instance_id: instance.cloned(),
            mimetype: "image/png".to_owned(),
            size: 10,
            sha256: "ab".to_owned(),
            file_name: Some("a.png".to_owned()),
            storage_key: format!("acc/{id}"),
            created_at: Utc::now(),
        }
    }

    #[tokio::test]
    async fn media_rows_belong_to_their_account() {
        on_both_backends(|store| async move {
            let account = store
                .create_account(
                    "Acme",
                    wagate_core::Plan::Unlimited,
                    &ApiKeyId::generate(),
                    "k",
                )
                .await
                .unwrap();
            store
                .insert_media(&file("med_1", &account.id, None))
                .await
                .unwrap();
            let found = store
                .find_media(&account.id, None, "med_1")
                .await
                .unwrap()
                .unwrap();
            assert_eq!(found.storage_key, "acc/med_1");
            assert_eq!(found.instance_id, None);
            assert!(
                store
                    .find_media(&AccountId::generate(), None, "med_1")
                    .await
                    .unwrap()
                    .is_none()
            );
            assert!(
                store
                    .delete_media(&account.id, None, "med_1")
                    .await
                    .unwrap()
            );
            assert!(
                !store
                    .delete_media(&account.id, None, "med_1")
                    .await
                    .unwrap()
            );
        })
        .await;
    }

    #[tokio::test]
    async fn an_instance_reaches_only_its_own_files_and_the_account_all() {
        on_both_backends(|store| async move {
            let a = seed_instance(&store, "a").await;
            let b = store
                .create_instance(
                    crate::NewInstance {
                        account_id: &a.account_id,
                        name: &InstanceName::parse("b").unwrap(),
                        engine: EngineKind::Sandbox,
                        settings: &InstanceSettings::default(),
                        cloud: None,
                    },
                    &ApiKeyId::generate(),
                    "ikey-b",
                    |_| Vec::new(),
                )
                .await
                .unwrap();
            let account = &a.account_id;
            store
                .insert_media(&file("med_a", account, Some(&a.id)))
                .await
                .unwrap();
            store
                .insert_media(&file("med_acc", account, None))
                .await
                .unwrap();
            let reach = |only: Option<&InstanceId>, id: &'static str| {
                let store = store.clone();
                let only = only.cloned();
                async move {
                    store
                        .find_media(account, only.as_ref(), id)
                        .await
                        .unwrap()
                        .is_some()
                }
            };
            assert!(reach(Some(&a.id), "med_a").await, "its own");
            assert!(!reach(Some(&b.id), "med_a").await, "another instance's");
            assert!(!reach(Some(&a.id), "med_acc").await, "the account's own");
            assert!(reach(None, "med_a").await && reach(None, "med_acc").await);
            assert_eq!(
                store
                    .find_media(account, None, "med_a")
                    .await
                    .unwrap()
                    .unwrap()
                    .instance_id,
                Some(a.id.clone())
            );
            assert!(
                !store
                    .delete_media(account, Some(&b.id), "med_a")
                    .await
                    .unwrap()
            );
            assert!(
                store
                    .delete_media(account, Some(&a.id), "med_a")
                    .await
                    .unwrap()
            );

            // A deleted instance's files pass to the account.
            store
                .insert_media(&file("med_b", account, Some(&b.id)))
                .await
                .unwrap();
            store.delete_instance(&b, Vec::new()).await.unwrap();
            let kept = store
                .find_media(account, None, "med_b")
                .await
                .unwrap()
                .unwrap();
            assert_eq!(kept.instance_id, None);
        })
        .await;
    }
}
