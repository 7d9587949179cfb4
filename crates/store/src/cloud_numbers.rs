//! The Cloud API credentials of cloud instances, and what Meta said of each number when its
//! credentials were last verified.
//!
//! Secrets (the access token, the app secret) are kept as given: the gateway needs them in
//! clear to call Meta and to check Meta's signatures. They never leave through the API.

use crate::time::{from_millis, now_millis, to_millis};
use crate::{Result, Store, StoreError};
use chrono::{DateTime, Utc};
use wagate_core::InstanceId;

/// A cloud instance's number and credentials.
#[derive(Clone, PartialEq, Eq)]
pub struct CloudNumber {
    pub instance_id: InstanceId,
    /// Meta's id of the number (not the phone number itself).
    pub phone_number_id: String,
    pub business_account_id: Option<String>,
    pub access_token: String,
    /// Keys the `X-Hub-Signature-256` of Meta's webhooks.
    pub app_secret: String,
    /// What Meta must present in its webhook verification handshake.
    pub verify_token: String,
    pub verification: Option<CloudVerification>,
}

impl std::fmt::Debug for CloudNumber {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CloudNumber")
            .field("instance_id", &self.instance_id)
            .field("phone_number_id", &self.phone_number_id)
            .field("business_account_id", &self.business_account_id)
            .field("verification", &self.verification)
            .finish_non_exhaustive()
    }
}

/// What `GET /{phone-number-id}` answered when the credentials were last checked.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CloudVerification {
    pub display_phone_number: String,
    pub verified_name: Option<String>,
    pub quality_rating: Option<String>,
    pub at: DateTime<Utc>,
}

#[derive(sqlx::FromRow)]
struct CloudNumberRow {
    instance_id: String,
    phone_number_id: String,
    business_account_id: Option<String>,
    access_token: String,
    app_secret: String,
    verify_token: String,
    display_phone_number: Option<String>,
    verified_name: Option<String>,
    quality_rating: Option<String>,
    verified_at: Option<i64>,
}

impl From<CloudNumberRow> for CloudNumber {
    fn from(row: CloudNumberRow) -> Self {
        let verification = row.verified_at.map(|at| CloudVerification {
            display_phone_number: row.display_phone_number.unwrap_or_default(),
            verified_name: row.verified_name,
            quality_rating: row.quality_rating,
            at: from_millis(at),
        });
        Self {
            instance_id: InstanceId::from_trusted(row.instance_id),
            phone_number_id: row.phone_number_id,
            business_account_id: row.business_account_id,
            access_token: row.access_token,
            app_secret: row.app_secret,
            verify_token: row.verify_token,
            verification,
        }
    }
}

macro_rules! cloud_number_columns {
    () => {
        "instance_id, phone_number_id, business_account_id, access_token, app_secret, verify_token,
         display_phone_number, verified_name, quality_rating, verified_at"
    };
}

impl Store {
    /// Sets (or replaces) an instance's number and credentials; a new number forgets the last
    /// verification. A number another instance already uses is a conflict.
    pub async fn set_cloud_number(&self, number: &CloudNumber) -> Result<()> {
        let now = now_millis();
        let label = format!("the Cloud API number {}", number.phone_number_id);
        on_pool!(self, pool => {
            sqlx::query(
                "INSERT INTO cloud_numbers (instance_id, phone_number_id, business_account_id, access_token,
                     app_secret, verify_token, created_at, updated_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $7)
                 ON CONFLICT (instance_id) DO UPDATE SET
                     phone_number_id = excluded.phone_number_id,
                     business_account_id = excluded.business_account_id,
                     access_token = excluded.access_token,
                     app_secret = excluded.app_secret,
                     verify_token = excluded.verify_token,
                     display_phone_number = NULL, verified_name = NULL, quality_rating = NULL,
                     verified_at = NULL,
                     updated_at = excluded.updated_at",
            )
            .bind(number.instance_id.as_str())
            .bind(&number.phone_number_id)
            .bind(number.business_account_id.clone())
            .bind(&number.access_token)
            .bind(&number.app_secret)
            .bind(&number.verify_token)
            .bind(now)
            .execute(pool)
            .await
            .map_err(|e| StoreError::conflict_on_unique(e, &label))?;
        });
        Ok(())
    }

    pub async fn cloud_number(&self, instance: &InstanceId) -> Result<Option<CloudNumber>> {
        let sql = concat!(
            "SELECT ",
            cloud_number_columns!(),
            " FROM cloud_numbers WHERE instance_id = $1"
        );
        let row = on_pool!(self, pool => {
            sqlx::query_as::<_, CloudNumberRow>(sql)
                .bind(instance.as_str())
                .fetch_optional(pool)
                .await?
        });
        Ok(row.map(Into::into))
    }

    /// The instance a webhook for Meta's number id belongs to.
    pub async fn cloud_number_by_phone_number_id(
        &self,
        phone_number_id: &str,
    ) -> Result<Option<CloudNumber>> {
        let sql = concat!(
            "SELECT ",
            cloud_number_columns!(),
            " FROM cloud_numbers WHERE phone_number_id = $1"
        );
        let row = on_pool!(self, pool => {
            sqlx::query_as::<_, CloudNumberRow>(sql)
                .bind(phone_number_id)
                .fetch_optional(pool)
                .await?
        });
        Ok(row.map(Into::into))
    }

    /// Records what Meta said of the number; `false` when the instance has no number (any more).
    pub async fn record_cloud_verification(
        &self,
        instance: &InstanceId,
        verification: &CloudVerification,
    ) -> Result<bool> {
        let updated = on_pool!(self, pool => {
            sqlx::query(
                "UPDATE cloud_numbers SET display_phone_number = $2, verified_name = $3,
                     quality_rating = $4, verified_at = $5, updated_at = $6
                 WHERE instance_id = $1",
            )
            .bind(instance.as_str())
            .bind(&verification.display_phone_number)
            .bind(verification.verified_name.clone())
            .bind(verification.quality_rating.clone())
            .bind(to_millis(verification.at))
            .bind(now_millis())
            .execute(pool)
            .await?
            .rows_affected()
        });
        Ok(updated > 0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::instances::tests::account_with_instance;
    use crate::testing::on_both_backends;

    fn number(instance: &InstanceId, id: &str) -> CloudNumber {
        CloudNumber {
            instance_id: instance.clone(),
            phone_number_id: id.to_owned(),
            business_account_id: Some("102290129340398".to_owned()),
            access_token: "EAAG-token".to_owned(),
            app_secret: "app-secret".to_owned(),
            verify_token: "verify-me".to_owned(),
            verification: None,
        }
    }

    #[tokio::test]
    async fn numbers_are_kept_verified_replaced_and_found_by_metas_id() {
        on_both_backends(|store| async move {
            let shop = account_with_instance(&store, "shop").await;
            let other = account_with_instance(&store, "other").await;
            store
                .set_cloud_number(&number(&shop.id, "106540352242922"))
                .await
                .unwrap();
            let stored = store.cloud_number(&shop.id).await.unwrap().unwrap();
            assert_eq!(stored, number(&shop.id, "106540352242922"));
            assert!(
                !format!("{stored:?}").contains("EAAG-token"),
                "secrets stay out of logs"
            );

            let verification = CloudVerification {
                display_phone_number: "+1 555-078-3881".to_owned(),
                verified_name: Some("Jaspers Market".to_owned()),
                quality_rating: Some("GREEN".to_owned()),
                at: from_millis(1_700_000_000_000),
            };
            assert!(
                store
                    .record_cloud_verification(&shop.id, &verification)
                    .await
                    .unwrap()
            );
            let found = store
                .cloud_number_by_phone_number_id("106540352242922")
                .await
                .unwrap()
                .unwrap();
            assert_eq!(found.instance_id, shop.id);
            assert_eq!(found.verification, Some(verification));

            // One number, one instance.
            let taken = store
                .set_cloud_number(&number(&other.id, "106540352242922"))
                .await;
            assert!(matches!(taken, Err(StoreError::Conflict(_))), "{taken:?}");
            // New credentials forget the last verification.
            store
                .set_cloud_number(&number(&shop.id, "999"))
                .await
                .unwrap();
            let replaced = store.cloud_number(&shop.id).await.unwrap().unwrap();
            assert_eq!(replaced.phone_number_id, "999");
            assert_eq!(replaced.verification, None);
            assert!(
                store
                    .cloud_number_by_phone_number_id("106540352242922")
                    .await
                    .unwrap()
                    .is_none()
            );

            // The number goes with its instance.
            store.delete_instance(&shop, Vec::new()).await.unwrap();
            assert!(store.cloud_number(&shop.id).await.unwrap().is_none());
        })
        .await;
    }
}
