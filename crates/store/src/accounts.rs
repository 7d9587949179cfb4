//! Accounts (tenants) and their first API key.

use crate::records::AccountRecord;
use crate::time::{from_millis, now_millis};
use crate::{Result, Store, StoreError};
use wagate_core::{AccountId, ApiKeyId, Plan};

#[derive(sqlx::FromRow)]
struct AccountRow {
    id: String,
    name: String,
    plan: String,
    email: Option<String>,
    created_at: i64,
}

impl TryFrom<AccountRow> for AccountRecord {
    type Error = StoreError;

    fn try_from(row: AccountRow) -> Result<Self> {
        Ok(Self {
            plan: row.plan.parse().map_err(StoreError::Corrupt)?,
            id: AccountId::from_trusted(row.id),
            name: row.name,
            email: row.email,
            created_at: from_millis(row.created_at),
        })
    }
}

impl Store {
    /// Creates an account together with its first key (given as a hash), atomically.
    pub async fn create_account(
        &self,
        name: &str,
        plan: Plan,
        key_id: &ApiKeyId,
        key_hash: &str,
    ) -> Result<AccountRecord> {
        self.create_account_with_email(name, None, plan, key_id, key_hash)
            .await
    }

    /// Creates an account with the email it registered with (seed 004's `POST
    /// /auth/register`) and its first key, atomically.
    pub async fn create_account_with_email(
        &self,
        name: &str,
        email: Option<&str>,
        plan: Plan,
        key_id: &ApiKeyId,
        key_hash: &str,
    ) -> Result<AccountRecord> {
        let id = AccountId::generate();
        let now = now_millis();
        in_tx!(self, tx, _backend => {
            sqlx::query("INSERT INTO accounts (id, name, plan, email, created_at) VALUES ($1, $2, $3, $4, $5)")
                .bind(id.as_str())
                .bind(name)
                .bind(plan.as_str())
                .bind(email)
                .bind(now)
                .execute(&mut *tx)
                .await?;
            sqlx::query(
                "INSERT INTO api_keys (id, secret_hash, scope, account_id, created_at)
                 VALUES ($1, $2, 'account', $3, $4)",
            )
            .bind(key_id.as_str())
            .bind(key_hash)
            .bind(id.as_str())
            .bind(now)
            .execute(&mut *tx)
            .await?;
            Ok(())
        })?;
        Ok(AccountRecord {
            id,
            name: name.to_owned(),
            email: email.map(str::to_owned),
            plan,
            created_at: from_millis(now),
        })
    }

    pub async fn get_account(&self, id: &AccountId) -> Result<Option<AccountRecord>> {
        let row = on_pool!(self, pool => {
            sqlx::query_as::<_, AccountRow>("SELECT id, name, plan, email, created_at FROM accounts WHERE id = $1")
                .bind(id.as_str())
                .fetch_optional(pool)
                .await?
        });
        row.map(TryInto::try_into).transpose()
    }

    /// Changes an account's plan; `None` when there is no such account.
    pub async fn set_account_plan(
        &self,
        id: &AccountId,
        plan: Plan,
    ) -> Result<Option<AccountRecord>> {
        let changed = on_pool!(self, pool => {
            sqlx::query("UPDATE accounts SET plan = $2 WHERE id = $1")
                .bind(id.as_str())
                .bind(plan.as_str())
                .execute(pool)
                .await?
                .rows_affected()
        });
        if changed == 0 {
            return Ok(None);
        }
        self.get_account(id).await
    }

    /// The operator's default account, created on first use: the one the admin key acts on
    /// where a dialect has no notion of accounts. Concurrent first uses create one account.
    pub async fn operator_default_account(&self, name: &str, plan: Plan) -> Result<AccountRecord> {
        let id = AccountId::generate();
        let now = now_millis();
        let row = on_pool!(self, pool => {
            sqlx::query(
                "INSERT INTO accounts (id, name, plan, created_at, operator_default)
                 VALUES ($1, $2, $3, $4, 1) ON CONFLICT DO NOTHING",
            )
            .bind(id.as_str())
            .bind(name)
            .bind(plan.as_str())
            .bind(now)
            .execute(pool)
            .await?;
            sqlx::query_as::<_, AccountRow>(
                "SELECT id, name, plan, email, created_at FROM accounts WHERE operator_default = 1",
            )
            .fetch_one(pool)
            .await?
        });
        row.try_into()
    }

    pub async fn list_accounts(&self) -> Result<Vec<AccountRecord>> {
        let rows = on_pool!(self, pool => {
            sqlx::query_as::<_, AccountRow>("SELECT id, name, plan, email, created_at FROM accounts ORDER BY created_at, id")
                .fetch_all(pool)
                .await?
        });
        rows.into_iter().map(TryInto::try_into).collect()
    }
}

#[cfg(test)]
mod tests {
    use crate::KeyScope;
    use crate::testing::on_both_backends;
    use wagate_core::ApiKeyId;

    #[tokio::test]
    async fn a_registered_account_keeps_its_email_and_its_key_can_be_replaced() {
        on_both_backends(|store| async move {
            let old = ApiKeyId::generate();
            let account = store
                .create_account_with_email(
                    "Your Name",
                    Some("you@example.com"),
                    wagate_core::Plan::Free,
                    &old,
                    "hash-old",
                )
                .await
                .unwrap();
            let read = store.get_account(&account.id).await.unwrap().unwrap();
            assert_eq!(read.email.as_deref(), Some("you@example.com"));
            assert_eq!(read, account);
            let new = ApiKeyId::generate();
            assert!(store.replace_api_key(&old, &new, "hash-new").await.unwrap());
            assert!(store.find_api_key("hash-old").await.unwrap().is_none());
            let key = store.find_api_key("hash-new").await.unwrap().unwrap();
            assert_eq!(key.id, new);
            assert_eq!(key.scope, KeyScope::Account(account.id.clone()));
            // Gone keys and admin keys are not replaced.
            assert!(
                !store
                    .replace_api_key(&old, &ApiKeyId::generate(), "hash-3")
                    .await
                    .unwrap()
            );
            let admin = ApiKeyId::generate();
            store.add_admin_key(&admin, "hash-admin").await.unwrap();
            assert!(
                !store
                    .replace_api_key(&admin, &ApiKeyId::generate(), "hash-4")
                    .await
                    .unwrap()
            );
            assert!(store.find_api_key("hash-admin").await.unwrap().is_some());
        })
        .await;
    }

    #[tokio::test]
    async fn an_account_is_created_with_its_key() {
        on_both_backends(|store| async move {
            let account = store
                .create_account(
                    "Acme",
                    wagate_core::Plan::Unlimited,
                    &ApiKeyId::generate(),
                    "hash-1",
                )
                .await
                .unwrap();
            assert_eq!(
                store.get_account(&account.id).await.unwrap(),
                Some(account.clone())
            );
            let key = store.find_api_key("hash-1").await.unwrap().unwrap();
            assert_eq!(key.scope, KeyScope::Account(account.id.clone()));
            assert!(store.find_api_key("other").await.unwrap().is_none());
            // A hash belongs to one key only.
            assert!(
                store
                    .create_account(
                        "Other",
                        wagate_core::Plan::Unlimited,
                        &ApiKeyId::generate(),
                        "hash-1"
                    )
                    .await
                    .is_err()
            );
            assert_eq!(store.list_accounts().await.unwrap(), vec![account]);
        })
        .await;
    }

    #[tokio::test]
    async fn the_operator_default_account_is_made_once() {
        on_both_backends(|store| async move {
            let plan = wagate_core::Plan::Unlimited;
            let (first, second) = tokio::join!(
                store.operator_default_account("default", plan),
                store.operator_default_account("default", plan),
            );
            let first = first.unwrap();
            assert_eq!(first, second.unwrap());
            assert_eq!(first.name, "default");
            assert_eq!(
                store
                    .operator_default_account("default", plan)
                    .await
                    .unwrap(),
                first
            );
            assert_eq!(store.list_accounts().await.unwrap(), vec![first]);
        })
        .await;
    }

    #[tokio::test]
    async fn admin_keys_are_added_once() {
        on_both_backends(|store| async move {
            assert!(!store.has_admin_key().await.unwrap());
            store
                .add_admin_key(&ApiKeyId::generate(), "admin")
                .await
                .unwrap();
            store
                .add_admin_key(&ApiKeyId::generate(), "admin")
                .await
                .unwrap();
            assert!(store.has_admin_key().await.unwrap());
            assert_eq!(
                store.find_api_key("admin").await.unwrap().unwrap().scope,
                KeyScope::Admin
            );
        })
        .await;
    }
}
