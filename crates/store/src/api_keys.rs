//! API keys, stored only as hashes of the secret.

use crate::records::{AccountKeyRecord, ApiKeyRecord, KeyScope};
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

/// Whose further keys are meant: an account's own, or one of its instances'.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum KeyOwner {
    Account(AccountId),
    Instance(AccountId, InstanceId),
}

impl KeyOwner {
    fn scope(&self) -> &'static str {
        match self {
            Self::Account(_) => "account",
            Self::Instance(..) => "instance",
        }
    }

    fn account(&self) -> &AccountId {
        match self {
            Self::Account(account) | Self::Instance(account, _) => account,
        }
    }

    fn instance(&self) -> Option<&InstanceId> {
        match self {
            Self::Account(_) => None,
            Self::Instance(_, instance) => Some(instance),
        }
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

    /// Replaces an account or instance key with a new one of the same scope (seed 004's
    /// `POST /auth/me/rotate-key`), atomically: the old key stops working as the new one
    /// starts. `false` when there is no such key (or it is an admin key, which is configured,
    /// not rotated).
    pub async fn replace_api_key(
        &self,
        old: &ApiKeyId,
        new: &ApiKeyId,
        new_hash: &str,
    ) -> Result<bool> {
        in_tx!(self, tx, _backend => {
            let copied = sqlx::query(
                "INSERT INTO api_keys (id, secret_hash, scope, account_id, instance_id, name, created_at)
                 SELECT $2, $3, scope, account_id, instance_id, name, $4 FROM api_keys
                 WHERE id = $1 AND scope <> 'admin'",
            )
            .bind(old.as_str())
            .bind(new.as_str())
            .bind(new_hash)
            .bind(now_millis())
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if copied == 1 {
                sqlx::query("DELETE FROM api_keys WHERE id = $1")
                    .bind(old.as_str())
                    .execute(&mut *tx)
                    .await?;
            }
            Ok(copied == 1)
        })
    }

    /// Adds a further key to an account (seed 002's personal access tokens) or an instance,
    /// with a name.
    pub async fn add_key(
        &self,
        owner: &KeyOwner,
        key_id: &ApiKeyId,
        hash: &str,
        name: Option<&str>,
    ) -> Result<AccountKeyRecord> {
        let now = now_millis();
        on_pool!(self, pool => {
            sqlx::query(
                "INSERT INTO api_keys (id, secret_hash, scope, account_id, instance_id, name, created_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7)",
            )
            .bind(key_id.as_str())
            .bind(hash)
            .bind(owner.scope())
            .bind(owner.account().as_str())
            .bind(owner.instance().map(InstanceId::as_str))
            .bind(name)
            .bind(now)
            .execute(pool)
            .await?;
        });
        Ok(AccountKeyRecord {
            id: key_id.clone(),
            name: name.map(str::to_owned),
            created_at: from_millis(now),
        })
    }

    /// An account's own keys (not its instances'), or one instance's keys, oldest first,
    /// without their secrets.
    pub async fn list_keys(&self, owner: &KeyOwner) -> Result<Vec<AccountKeyRecord>> {
        let rows: Vec<(String, Option<String>, i64)> = on_pool!(self, pool => {
            sqlx::query_as(
                "SELECT id, name, created_at FROM api_keys
                 WHERE scope = $1 AND account_id = $2 AND ($3 IS NULL OR instance_id = $3)
                 ORDER BY created_at, id",
            )
            .bind(owner.scope())
            .bind(owner.account().as_str())
            .bind(owner.instance().map(InstanceId::as_str))
            .fetch_all(pool)
            .await?
        });
        Ok(rows
            .into_iter()
            .map(|(id, name, created_at)| AccountKeyRecord {
                id: ApiKeyId::from_trusted(id),
                name,
                created_at: from_millis(created_at),
            })
            .collect())
    }

    /// Deletes one of the owner's keys; `false` when it has no such key.
    pub async fn delete_key(&self, owner: &KeyOwner, key_id: &ApiKeyId) -> Result<bool> {
        let deleted = on_pool!(self, pool => {
            sqlx::query(
                "DELETE FROM api_keys WHERE id = $1 AND scope = $2 AND account_id = $3
                 AND ($4 IS NULL OR instance_id = $4)",
            )
            .bind(key_id.as_str())
            .bind(owner.scope())
            .bind(owner.account().as_str())
            .bind(owner.instance().map(InstanceId::as_str))
            .execute(pool)
            .await?
            .rows_affected()
        });
        Ok(deleted == 1)
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

#[cfg(test)]
mod tests {
    use crate::testing::on_both_backends;
    use crate::{KeyOwner, KeyScope};
    use wagate_core::{ApiKeyId, Plan};

    #[tokio::test]
    async fn account_keys_are_added_listed_without_secrets_and_revoked() {
        on_both_backends(|store| async move {
            let first = ApiKeyId::generate();
            let account = store
                .create_account("Acme", Plan::Free, &first, "hash-first")
                .await
                .unwrap();
            let other = store
                .create_account("Other", Plan::Free, &ApiKeyId::generate(), "hash-other")
                .await
                .unwrap();
            let token = ApiKeyId::generate();
            let added = store
                .add_key(
                    &KeyOwner::Account(account.id.clone()),
                    &token,
                    "hash-token",
                    Some("ci"),
                )
                .await
                .unwrap();
            assert_eq!(added.name.as_deref(), Some("ci"));
            let found = store.find_api_key("hash-token").await.unwrap().unwrap();
            assert_eq!(found.scope, KeyScope::Account(account.id.clone()));
            let listed = store
                .list_keys(&KeyOwner::Account(account.id.clone()))
                .await
                .unwrap();
            let ids: Vec<_> = listed.iter().map(|key| key.id.clone()).collect();
            assert_eq!(ids, [first.clone(), token.clone()]);
            assert_eq!(listed[0].name, None);
            // A rotated key keeps its name.
            let rotated = ApiKeyId::generate();
            assert!(
                store
                    .replace_api_key(&token, &rotated, "hash-rotated")
                    .await
                    .unwrap()
            );
            let listed = store
                .list_keys(&KeyOwner::Account(account.id.clone()))
                .await
                .unwrap();
            assert_eq!(listed[1].name.as_deref(), Some("ci"));
            assert!(
                !store
                    .delete_key(&KeyOwner::Account(other.id.clone()), &rotated)
                    .await
                    .unwrap()
            );
            assert!(
                store
                    .delete_key(&KeyOwner::Account(account.id.clone()), &rotated)
                    .await
                    .unwrap()
            );
            assert!(
                !store
                    .delete_key(&KeyOwner::Account(account.id.clone()), &rotated)
                    .await
                    .unwrap()
            );
            assert!(store.find_api_key("hash-rotated").await.unwrap().is_none());
            assert_eq!(
                store
                    .list_keys(&KeyOwner::Account(account.id.clone()))
                    .await
                    .unwrap()
                    .len(),
                1
            );
        })
        .await;
    }

    #[tokio::test]
    async fn instance_keys_are_their_instances_only() {
        on_both_backends(|store| async move {
            let instance = crate::instances::tests::account_with_instance(&store, "sales").await;
            let other = crate::instances::tests::account_with_instance(&store, "support").await;
            let owner = KeyOwner::Instance(instance.account_id.clone(), instance.id.clone());
            let before = store.list_keys(&owner).await.unwrap().len();
            let key = ApiKeyId::generate();
            store
                .add_key(&owner, &key, "hash-instance", Some("kiosk"))
                .await
                .unwrap();
            let found = store.find_api_key("hash-instance").await.unwrap().unwrap();
            assert_eq!(
                found.scope,
                KeyScope::Instance(instance.account_id.clone(), instance.id.clone())
            );
            let listed = store.list_keys(&owner).await.unwrap();
            assert_eq!(listed.len(), before + 1);
            assert_eq!(listed.last().unwrap().name.as_deref(), Some("kiosk"));
            // Neither the account's own keys nor another instance reach it.
            let account = KeyOwner::Account(instance.account_id.clone());
            assert!(
                !store
                    .list_keys(&account)
                    .await
                    .unwrap()
                    .iter()
                    .any(|k| k.id == key)
            );
            let elsewhere = KeyOwner::Instance(other.account_id.clone(), other.id.clone());
            assert!(!store.delete_key(&elsewhere, &key).await.unwrap());
            assert!(!store.delete_key(&account, &key).await.unwrap());
            assert!(store.delete_key(&owner, &key).await.unwrap());
            assert!(store.find_api_key("hash-instance").await.unwrap().is_none());
        })
        .await;
    }
}
