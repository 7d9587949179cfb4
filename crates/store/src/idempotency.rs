//! Idempotency keys: a client that retries a request with the same `Idempotency-Key` gets the
//! first response back instead of a second message. The key is claimed before the request
//! runs (a primary key decides between concurrent requests) and completed with the response.
//! A record belongs to the API key that made the request: another key of the same account
//! neither replays it nor takes its idempotency key over.

use crate::time::now_millis;
use crate::{Result, Store};
use chrono::{DateTime, Utc};
use wagate_core::{AccountId, ApiKeyId};

/// The key id of records kept before records had one: they block their idempotency key until
/// they expire, and no key replays them.
const LEGACY_KEY: &str = "";

/// What a key holds when a request arrives with it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum IdempotencyClaim {
    /// The key is new (or had expired): this request runs and completes it.
    Claimed,
    /// Another request with the key is still running.
    InProgress { fingerprint: String },
    /// A request with the key finished; this is its response.
    Completed(StoredResponse),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredResponse {
    pub fingerprint: String,
    pub status_code: u16,
    pub content_type: Option<String>,
    pub body: String,
}

#[derive(sqlx::FromRow)]
struct KeyRow {
    fingerprint: String,
    status_code: Option<i64>,
    content_type: Option<String>,
    body: Option<String>,
}

impl Store {
    /// Claims `key` for a request with this fingerprint, unless a request since `valid_since`
    /// holds it. A claim never completed and older than `abandoned_before` (its server died
    /// mid-request) is taken over.
    pub async fn claim_idempotency_key(
        &self,
        account: &AccountId,
        caller: &ApiKeyId,
        key: &str,
        fingerprint: &str,
        valid_since: DateTime<Utc>,
        abandoned_before: DateTime<Utc>,
    ) -> Result<IdempotencyClaim> {
        let now = now_millis();
        in_tx!(self, tx, _backend => {
            sqlx::query(
                "DELETE FROM idempotency_keys WHERE account_id = $1 AND idem_key = $2
                   AND (created_at < $3
                        OR (key_id = $5 AND status_code IS NULL AND created_at < $4))",
            )
            .bind(account.as_str())
            .bind(key)
            .bind(crate::time::to_millis(valid_since))
            .bind(crate::time::to_millis(abandoned_before))
            .bind(caller.as_str())
            .execute(&mut *tx)
            .await?;
            let legacy = sqlx::query_scalar::<_, String>(
                "SELECT fingerprint FROM idempotency_keys
                 WHERE account_id = $1 AND key_id = $2 AND idem_key = $3",
            )
            .bind(account.as_str())
            .bind(LEGACY_KEY)
            .bind(key)
            .fetch_optional(&mut *tx)
            .await?;
            if legacy.is_some() {
                return Ok(IdempotencyClaim::InProgress { fingerprint: String::new() });
            }
            let inserted = sqlx::query(
                "INSERT INTO idempotency_keys (account_id, key_id, idem_key, fingerprint, created_at)
                 VALUES ($1, $2, $3, $4, $5) ON CONFLICT (account_id, key_id, idem_key) DO NOTHING",
            )
            .bind(account.as_str())
            .bind(caller.as_str())
            .bind(key)
            .bind(fingerprint)
            .bind(now)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if inserted == 1 {
                return Ok(IdempotencyClaim::Claimed);
            }
            let row = sqlx::query_as::<_, KeyRow>(
                "SELECT fingerprint, status_code, content_type, body FROM idempotency_keys
                 WHERE account_id = $1 AND key_id = $2 AND idem_key = $3",
            )
            .bind(account.as_str())
            .bind(caller.as_str())
            .bind(key)
            .fetch_one(&mut *tx)
            .await?;
            Ok(match (row.status_code, row.body) {
                (Some(status), Some(body)) => IdempotencyClaim::Completed(StoredResponse {
                    fingerprint: row.fingerprint,
                    status_code: u16::try_from(status).unwrap_or(500),
                    content_type: row.content_type,
                    body,
                }),
                _ => IdempotencyClaim::InProgress { fingerprint: row.fingerprint },
            })
        })
    }

    /// Records the response of the request that claimed `key`.
    pub async fn complete_idempotency_key(
        &self,
        account: &AccountId,
        caller: &ApiKeyId,
        key: &str,
        status_code: u16,
        content_type: Option<&str>,
        body: &str,
    ) -> Result<()> {
        on_pool!(self, pool => {
            sqlx::query(
                "UPDATE idempotency_keys SET status_code = $4, content_type = $5, body = $6
                 WHERE account_id = $1 AND key_id = $2 AND idem_key = $3",
            )
            .bind(account.as_str())
            .bind(caller.as_str())
            .bind(key)
            .bind(i64::from(status_code))
            .bind(content_type)
            .bind(body)
            .execute(pool)
            .await?;
        });
        Ok(())
    }

    /// Gives `key` up (the request failed in a way worth trying again).
    pub async fn release_idempotency_key(
        &self,
        account: &AccountId,
        caller: &ApiKeyId,
        key: &str,
    ) -> Result<()> {
        on_pool!(self, pool => {
            sqlx::query(
                "DELETE FROM idempotency_keys
                 WHERE account_id = $1 AND key_id = $2 AND idem_key = $3 AND status_code IS NULL",
            )
            .bind(account.as_str())
            .bind(caller.as_str())
            .bind(key)
            .execute(pool)
            .await?;
        });
        Ok(())
    }

    /// Forgets keys older than `before`; answers how many.
    pub async fn purge_idempotency_keys(&self, before: DateTime<Utc>) -> Result<u64> {
        let removed = on_pool!(self, pool => {
            sqlx::query("DELETE FROM idempotency_keys WHERE created_at < $1")
                .bind(crate::time::to_millis(before))
                .execute(pool)
                .await?
                .rows_affected()
        });
        Ok(removed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::instances::tests::account_with_instance;
    use crate::testing::on_both_backends;

    #[tokio::test]
    async fn a_key_is_claimed_once_completed_and_expires() {
        on_both_backends(|store| async move {
            let account = account_with_instance(&store, "one").await.account_id;
            let caller = ApiKeyId::generate();
            let day_ago = Utc::now() - chrono::Duration::hours(24);
            let claim = |fp: &'static str| {
                let store = store.clone();
                let account = account.clone();
                let caller = caller.clone();
                async move {
                    store
                        .claim_idempotency_key(&account, &caller, "k1", fp, day_ago, day_ago)
                        .await
                        .unwrap()
                }
            };
            assert_eq!(claim("a").await, IdempotencyClaim::Claimed);
            assert_eq!(
                claim("a").await,
                IdempotencyClaim::InProgress {
                    fingerprint: "a".into()
                }
            );
            store
                .complete_idempotency_key(
                    &account,
                    &caller,
                    "k1",
                    202,
                    Some("application/json"),
                    "{}",
                )
                .await
                .unwrap();
            let IdempotencyClaim::Completed(stored) = claim("b").await else {
                panic!("completed")
            };
            assert_eq!(
                (stored.fingerprint.as_str(), stored.status_code),
                ("a", 202)
            );
            // Past its 24 hours the key is free again.
            let later = Utc::now() + chrono::Duration::seconds(1);
            assert_eq!(
                store
                    .claim_idempotency_key(&account, &caller, "k1", "c", later, day_ago)
                    .await
                    .unwrap(),
                IdempotencyClaim::Claimed
            );
            store
                .release_idempotency_key(&account, &caller, "k1")
                .await
                .unwrap();
            assert_eq!(claim("d").await, IdempotencyClaim::Claimed);
            assert_eq!(store.purge_idempotency_keys(later).await.unwrap(), 1);
        })
        .await;
    }

    #[tokio::test]
    async fn another_key_of_the_account_neither_replays_nor_blocks_a_record() {
        on_both_backends(|store| async move {
            let account = account_with_instance(&store, "one").await.account_id;
            let (first, second) = (ApiKeyId::generate(), ApiKeyId::generate());
            let day_ago = Utc::now() - chrono::Duration::hours(24);
            let claim = |caller: ApiKeyId| {
                let (store, account) = (store.clone(), account.clone());
                async move {
                    store
                        .claim_idempotency_key(&account, &caller, "k1", "a", day_ago, day_ago)
                        .await
                        .unwrap()
                }
            };
            assert_eq!(claim(first.clone()).await, IdempotencyClaim::Claimed);
            store
                .complete_idempotency_key(&account, &first, "k1", 201, None, "{\"secret\":1}")
                .await
                .unwrap();
            assert_eq!(claim(second.clone()).await, IdempotencyClaim::Claimed);
            assert!(matches!(
                claim(first).await,
                IdempotencyClaim::Completed(stored) if stored.body == "{\"secret\":1}"
            ));
            // A record from before records named their key is replayed to no key.
            on_pool!(store, pool => {
                sqlx::query(
                    "INSERT INTO idempotency_keys (account_id, key_id, idem_key, fingerprint, created_at)
                     VALUES ($1, '', 'old', 'a', $2)",
                )
                .bind(account.as_str())
                .bind(now_millis())
                .execute(pool)
                .await
                .unwrap();
            });
            assert!(matches!(
                store
                    .claim_idempotency_key(&account, &second, "old", "a", day_ago, day_ago)
                    .await
                    .unwrap(),
                IdempotencyClaim::InProgress { fingerprint } if fingerprint.is_empty()
            ));
        })
        .await;
    }
}
