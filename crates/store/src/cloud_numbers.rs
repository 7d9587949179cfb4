//! The Cloud API credentials of cloud instances, and what Meta said of each number when its
//! credentials were last verified.
//!
//! Secrets (the access token, the app secret) are kept as given: the gateway needs them in
//! clear to call Meta and to check Meta's signatures. They never leave through the API.

use crate::time::{from_millis, now_millis, to_millis};
use crate::{Result, Store};
use chrono::{DateTime, Utc};
use wagate_core::{AccountId, InstanceId};

/// A cloud number's credentials and where its Graph API calls go.
#[derive(Clone, PartialEq, Eq)]
pub struct CloudCredentials {
    /// Meta's id of the number (not the phone number itself).
    pub phone_number_id: String,
    pub business_account_id: Option<String>,
    pub access_token: String,
    /// Keys the `X-Hub-Signature-256` of Meta's webhooks.
    pub app_secret: String,
    /// What Meta must present in its webhook verification handshake.
    pub verify_token: String,
    /// Overrides of the server's Graph API base URL and version for this number.
    pub graph_base_url: Option<String>,
    pub graph_version: Option<String>,
    /// Whether the operator (the admin key) chose the override, rather than the account: only
    /// then may it lead to a private address.
    pub graph_endpoint_by_operator: bool,
}

impl std::fmt::Debug for CloudCredentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CloudCredentials")
            .field("phone_number_id", &self.phone_number_id)
            .field("business_account_id", &self.business_account_id)
            .field("graph_base_url", &self.graph_base_url)
            .field("graph_version", &self.graph_version)
            .field(
                "graph_endpoint_by_operator",
                &self.graph_endpoint_by_operator,
            )
            .finish_non_exhaustive()
    }
}

/// A cloud instance's number and credentials.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CloudNumber {
    pub instance_id: InstanceId,
    pub credentials: CloudCredentials,
    pub verification: Option<CloudVerification>,
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
    graph_base_url: Option<String>,
    graph_version: Option<String>,
    graph_endpoint_by_operator: bool,
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
            credentials: CloudCredentials {
                phone_number_id: row.phone_number_id,
                business_account_id: row.business_account_id,
                access_token: row.access_token,
                app_secret: row.app_secret,
                verify_token: row.verify_token,
                graph_base_url: row.graph_base_url,
                graph_version: row.graph_version,
                graph_endpoint_by_operator: row.graph_endpoint_by_operator,
            },
            verification,
        }
    }
}

macro_rules! cloud_number_columns {
    () => {
        "instance_id, phone_number_id, business_account_id, access_token, app_secret, verify_token,
         graph_base_url, graph_version, graph_endpoint_by_operator, display_phone_number,
         verified_name, quality_rating, verified_at"
    };
}

/// Writes a number's credentials inside an open transaction (also when an instance is created
/// with them).
macro_rules! upsert_cloud_number {
    ($tx:ident, $instance:expr, $credentials:expr) => {{
        let instance: &wagate_core::InstanceId = $instance;
        let credentials: &$crate::CloudCredentials = $credentials;
        let label = format!("the Cloud API number {}", credentials.phone_number_id);
        sqlx::query(
            "INSERT INTO cloud_numbers (instance_id, phone_number_id, business_account_id, access_token,
                 app_secret, verify_token, graph_base_url, graph_version, graph_endpoint_by_operator,
                 created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10)
             ON CONFLICT (instance_id) DO UPDATE SET
                 phone_number_id = excluded.phone_number_id,
                 business_account_id = excluded.business_account_id,
                 access_token = excluded.access_token,
                 app_secret = excluded.app_secret,
                 verify_token = excluded.verify_token,
                 graph_base_url = excluded.graph_base_url,
                 graph_version = excluded.graph_version,
                 graph_endpoint_by_operator = excluded.graph_endpoint_by_operator,
                 display_phone_number = NULL, verified_name = NULL, quality_rating = NULL,
                 verified_at = NULL,
                 updated_at = excluded.updated_at",
        )
        .bind(instance.as_str())
        .bind(&credentials.phone_number_id)
        .bind(credentials.business_account_id.clone())
        .bind(&credentials.access_token)
        .bind(&credentials.app_secret)
        .bind(&credentials.verify_token)
        .bind(credentials.graph_base_url.clone())
        .bind(credentials.graph_version.clone())
        .bind(credentials.graph_endpoint_by_operator)
        .bind($crate::time::now_millis())
        .execute(&mut *$tx)
        .await
        .map_err(|e| $crate::StoreError::conflict_on_unique(e, &label))?;
    }};
}

impl Store {
    /// Sets (or replaces) an instance's number and credentials; a new number forgets the last
    /// verification. A number another instance already uses is a conflict.
    pub async fn set_cloud_number(
        &self,
        instance: &InstanceId,
        credentials: &CloudCredentials,
    ) -> Result<()> {
        in_tx!(self, tx, backend => {
            upsert_cloud_number!(tx, instance, credentials);
            Ok(())
        })
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

    /// The numbers whose webhook verify token is `token` (Meta's handshake at a callback
    /// URL that names no instance: seed 004's `/webhooks/whatsapp`).
    pub async fn cloud_numbers_by_verify_token(&self, token: &str) -> Result<Vec<CloudNumber>> {
        let sql = concat!(
            "SELECT ",
            cloud_number_columns!(),
            " FROM cloud_numbers WHERE verify_token = $1 LIMIT 2"
        );
        let rows = on_pool!(self, pool => {
            sqlx::query_as::<_, CloudNumberRow>(sql)
                .bind(token)
                .fetch_all(pool)
                .await?
        });
        Ok(rows.into_iter().map(Into::into).collect())
    }

    /// Forgets an instance's number and credentials; `false` when it had none.
    pub async fn delete_cloud_number(&self, instance: &InstanceId) -> Result<bool> {
        let deleted = on_pool!(self, pool => {
            sqlx::query("DELETE FROM cloud_numbers WHERE instance_id = $1")
                .bind(instance.as_str())
                .execute(pool)
                .await?
                .rows_affected()
        });
        Ok(deleted > 0)
    }

    /// The account's default cloud instance (the one its own credential routes manage).
    pub async fn default_cloud_instance(&self, account: &AccountId) -> Result<Option<InstanceId>> {
        let id: Option<Option<String>> = on_pool!(self, pool => {
            sqlx::query_scalar("SELECT default_cloud_instance_id FROM accounts WHERE id = $1")
                .bind(account.as_str())
                .fetch_optional(pool)
                .await?
        });
        Ok(id.flatten().map(InstanceId::from_trusted))
    }

    /// Makes `instance` (one of the account's) the account's default cloud instance.
    pub async fn set_default_cloud_instance(
        &self,
        account: &AccountId,
        instance: &InstanceId,
    ) -> Result<()> {
        on_pool!(self, pool => {
            sqlx::query(
                "UPDATE accounts SET default_cloud_instance_id = $2
                 WHERE id = $1 AND EXISTS (SELECT 1 FROM instances WHERE id = $2 AND account_id = $1)",
            )
            .bind(account.as_str())
            .bind(instance.as_str())
            .execute(pool)
            .await?;
        });
        Ok(())
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
    use crate::StoreError;
    use crate::instances::tests::account_with_instance;
    use crate::testing::on_both_backends;

    fn credentials(id: &str) -> CloudCredentials {
        CloudCredentials {
            phone_number_id: id.to_owned(),
            business_account_id: Some("102290129340398".to_owned()),
            access_token: "EAAG-token".to_owned(),
            app_secret: "app-secret".to_owned(),
            verify_token: "verify-me".to_owned(),
            graph_base_url: Some("http://127.0.0.1:9".to_owned()),
            graph_version: None,
            graph_endpoint_by_operator: false,
        }
    }

    #[tokio::test]
    async fn numbers_are_kept_verified_replaced_and_found_by_metas_id() {
        on_both_backends(|store| async move {
            let shop = account_with_instance(&store, "shop").await;
            let other = account_with_instance(&store, "other").await;
            store
                .set_cloud_number(&shop.id, &credentials("106540352242922"))
                .await
                .unwrap();
            let stored = store.cloud_number(&shop.id).await.unwrap().unwrap();
            assert_eq!(stored.instance_id, shop.id);
            assert_eq!(stored.credentials, credentials("106540352242922"));
            assert_eq!(stored.verification, None);
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
                .set_cloud_number(&other.id, &credentials("106540352242922"))
                .await;
            assert!(matches!(taken, Err(StoreError::Conflict(_))), "{taken:?}");
            // New credentials forget the last verification.
            store
                .set_cloud_number(&shop.id, &credentials("999"))
                .await
                .unwrap();
            let replaced = store.cloud_number(&shop.id).await.unwrap().unwrap();
            assert_eq!(replaced.credentials.phone_number_id, "999");
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
