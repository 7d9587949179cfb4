//! API keys, stored only as hashes of the secret.

use crate::records::{ApiKeyRecord, KeyScope};
use crate::time::{from_millis, now_millis};
use crate::{Result, Store, StoreError};
use wagate_core::{AccountId, ApiKeyId, InstanceId};

#[derive(sqlx::FromRow)]
struct KeyRow {
    id: String,
    scope: String,
    account_id: Option<String>,
    instance_id: Option<String>,
    created_at: i64,
}

impl TryFrom<KeyRow> for ApiKeyRecord {
    type Error = StoreError;

    fn try_from(row: KeyRow) -> Result<Self> {
        let scope = match (row.scope.as_str(), row.account_id, row.instance_id) {
            ("admin", _, _) => KeyScope::Admin,
            ("account", Some(account), _) => KeyScope::Account(AccountId::from_trusted(account)),
            ("instance", Some(account), Some(instance)) => KeyScope::Instance(
                AccountId::from_trusted(account),
                InstanceId::from_trusted(instance),
            ),
            (other, _, _) => {
                return Err(StoreError::Corrupt(format!(
                    "api key {} has scope '{other}'",
                    row.id
                )));
            }
        };
        Ok(Self {
            id: ApiKeyId::from_trusted(row.id),
            scope,
            created_at: from_millis(row.created_at),
        })
    }
}

impl Store {
    /// Finds the key whose secret hashes to `hash`.
    pub async fn find_api_key(&self, hash: &str) -> Result<Option<ApiKeyRecord>> {
        let row = on_pool!(self, pool => {
            sqlx::query_as::<_, KeyRow>(
                "SELECT id, scope, account_id, instance_id, created_at FROM api_keys WHERE secret_hash = $1",
            )
            .bind(hash)
            .fetch_optional(pool)
            .await?
        });
        row.map(TryInto::try_into).transpose()
    }

    /// Whether any admin key exists yet.
    pub async fn has_admin_key(&self) -> Result<bool> {
        let count: i64 = on_pool!(self, pool => {
            sqlx::query_scalar("SELECT COUNT(*) FROM api_keys WHERE scope = 'admin'")
                .fetch_one(pool)
                .await?
        });
        Ok(count > 0)
    }

    /// Adds an admin key unless one with the same hash exists.
    pub async fn add_admin_key(&self, key_id: &ApiKeyId, hash: &str) -> Result<()> {
        on_pool!(self, pool => {
            sqlx::query(
                "INSERT INTO api_keys (id, secret_hash, scope, created_at) VALUES ($1, $2, 'admin', $3)
                 ON CONFLICT (secret_hash) DO NOTHING",
            )
            .bind(key_id.as_str())
            .bind(hash)
            .bind(now_millis())
            .execute(pool)
            .await?;
        });
        Ok(())
    }
}
