//! Stored files: the row that says what a file is and where its bytes live.

use crate::time::{from_millis, now_millis};
use crate::{Result, Store};
use chrono::{DateTime, Utc};
use wagate_core::AccountId;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MediaRecord {
    pub id: String,
    pub account_id: AccountId,
    pub mimetype: String,
    pub size: i64,
    pub sha256: String,
    pub file_name: Option<String>,
    /// Where the bytes are in the object store.
    pub storage_key: String,
    pub created_at: DateTime<Utc>,
}

#[derive(sqlx::FromRow)]
struct MediaRow {
    id: String,
    account_id: String,
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
                "INSERT INTO media (id, account_id, mimetype, size, sha256, file_name, storage_key, created_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
            )
            .bind(media.id.clone())
            .bind(media.account_id.as_str())
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

    pub async fn find_media(
        &self,
        account_id: &AccountId,
        id: &str,
    ) -> Result<Option<MediaRecord>> {
        let row = on_pool!(self, pool => {
            sqlx::query_as::<_, MediaRow>(
                "SELECT id, account_id, mimetype, size, sha256, file_name, storage_key, created_at
                 FROM media WHERE id = $1 AND account_id = $2",
            )
            .bind(id)
            .bind(account_id.as_str())
            .fetch_optional(pool)
            .await?
        });
        Ok(row.map(Into::into))
    }

    /// A file of any account, by id: for handing media between accounts (a sandbox number
    /// messaging one of another account).
    pub async fn find_media_anywhere(&self, id: &str) -> Result<Option<MediaRecord>> {
        let row = on_pool!(self, pool => {
            sqlx::query_as::<_, MediaRow>(
                "SELECT id, account_id, mimetype, size, sha256, file_name, storage_key, created_at
                 FROM media WHERE id = $1",
            )
            .bind(id)
            .fetch_optional(pool)
            .await?
        });
        Ok(row.map(Into::into))
    }

    /// Forgets a file; answers whether it existed. The caller deletes the bytes.
    pub async fn delete_media(&self, account_id: &AccountId, id: &str) -> Result<bool> {
        let deleted = on_pool!(self, pool => {
            sqlx::query("DELETE FROM media WHERE id = $1 AND account_id = $2")
                .bind(id)
                .bind(account_id.as_str())
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
    use crate::testing::on_both_backends;
    use wagate_core::ApiKeyId;

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
            let media = MediaRecord {
                id: "med_1".to_owned(),
                account_id: account.id.clone(),
                mimetype: "image/png".to_owned(),
                size: 10,
                sha256: "ab".to_owned(),
                file_name: Some("a.png".to_owned()),
                storage_key: "acc/med_1".to_owned(),
                created_at: Utc::now(),
            };
            store.insert_media(&media).await.unwrap();
            let found = store
                .find_media(&account.id, "med_1")
                .await
                .unwrap()
                .unwrap();
            assert_eq!(found.storage_key, "acc/med_1");
            assert!(
                store
                    .find_media(&AccountId::generate(), "med_1")
                    .await
                    .unwrap()
                    .is_none()
            );
            assert!(store.delete_media(&account.id, "med_1").await.unwrap());
            assert!(!store.delete_media(&account.id, "med_1").await.unwrap());
        })
        .await;
    }
}
