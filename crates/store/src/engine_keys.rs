//! Key material of WhatsApp Web sessions: opaque entries in named spaces, one set per instance.
//!
//! A linked device keeps its identity, Signal sessions, pre-keys, app-state keys, LID mappings
//! and more. The web engine decides what each space holds and how its values are encoded; the
//! store only keeps them, so no type of the WhatsApp library reaches it, and the same rows work
//! on SQLite and PostgreSQL. Keeping them here instead of in files lets an instance move to
//! another node, and deleting the instance deletes them.
//!
//! Space names are the engine's; a name ending in `/` followed by a variable part (a group, an
//! app-state collection) makes a family that [`Store::delete_engine_keys_in_family`] and
//! [`Store::clear_engine_family`] address at once.

use crate::{Backend, Result, Store};
use wagate_core::InstanceId;

/// One entry of a key space. `stamp` is a number the engine orders or expires entries by.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EngineKey {
    pub key: String,
    pub value: Vec<u8>,
    pub stamp: Option<i64>,
}

impl EngineKey {
    pub fn new(key: impl Into<String>, value: impl Into<Vec<u8>>) -> Self {
        Self {
            key: key.into(),
            value: value.into(),
            stamp: None,
        }
    }

    pub fn stamped(key: impl Into<String>, value: impl Into<Vec<u8>>, stamp: i64) -> Self {
        Self {
            stamp: Some(stamp),
            ..Self::new(key, value)
        }
    }
}

#[derive(sqlx::FromRow)]
struct EngineKeyRow {
    key: String,
    value: Vec<u8>,
    stamp: Option<i64>,
}

impl From<EngineKeyRow> for EngineKey {
    fn from(row: EngineKeyRow) -> Self {
        Self {
            key: row.key,
            value: row.value,
            stamp: row.stamp,
        }
    }
}

fn json_keys(keys: &[&str]) -> String {
    serde_json::Value::from(keys.to_vec()).to_string()
}

/// The SQL that expands a JSON array of strings bound at `$n` into rows.
fn key_list(backend: Backend, n: u8) -> String {
    match backend {
        Backend::Postgres => format!("SELECT jsonb_array_elements_text(${n}::jsonb)"),
        Backend::Sqlite => format!("SELECT value FROM json_each(${n})"),
    }
}

impl Store {
    /// One entry, if the space has it.
    pub async fn engine_key(
        &self,
        instance: &InstanceId,
        space: &str,
        key: &str,
    ) -> Result<Option<EngineKey>> {
        let row: Option<EngineKeyRow> = on_pool!(self, pool => {
            sqlx::query_as(
                "SELECT key, value, stamp FROM engine_keys
                 WHERE instance_id = $1 AND space = $2 AND key = $3",
            )
            .bind(instance.as_str())
            .bind(space)
            .bind(key)
            .fetch_optional(pool)
            .await?
        });
        Ok(row.map(Into::into))
    }

    /// The entries of `keys` the space has, in no particular order.
    pub async fn engine_keys(
        &self,
        instance: &InstanceId,
        space: &str,
        keys: &[&str],
    ) -> Result<Vec<EngineKey>> {
        if keys.is_empty() {
            return Ok(Vec::new());
        }
        let sql = format!(
            "SELECT key, value, stamp FROM engine_keys
             WHERE instance_id = $1 AND space = $2 AND key IN ({})",
            key_list(self.backend(), 3)
        );
        let rows: Vec<EngineKeyRow> = on_pool!(self, pool => {
            sqlx::query_as(sqlx::AssertSqlSafe(sql))
                .bind(instance.as_str())
                .bind(space)
                .bind(json_keys(keys))
                .fetch_all(pool)
                .await?
        });
        Ok(rows.into_iter().map(Into::into).collect())
    }

    /// Every entry of a space, in key order.
    pub async fn engine_space(&self, instance: &InstanceId, space: &str) -> Result<Vec<EngineKey>> {
        let rows: Vec<EngineKeyRow> = on_pool!(self, pool => {
            sqlx::query_as(
                "SELECT key, value, stamp FROM engine_keys
                 WHERE instance_id = $1 AND space = $2 ORDER BY key",
            )
            .bind(instance.as_str())
            .bind(space)
            .fetch_all(pool)
            .await?
        });
        Ok(rows.into_iter().map(Into::into).collect())
    }

    /// The keys of a space, in key order, without their values.
    pub async fn engine_space_keys(
        &self,
        instance: &InstanceId,
        space: &str,
    ) -> Result<Vec<String>> {
        Ok(on_pool!(self, pool => {
            sqlx::query_scalar(
                "SELECT key FROM engine_keys WHERE instance_id = $1 AND space = $2 ORDER BY key",
            )
            .bind(instance.as_str())
            .bind(space)
            .fetch_all(pool)
            .await?
        }))
    }

    /// The highest stamp in a space, if any entry has one.
    pub async fn engine_space_max_stamp(
        &self,
        instance: &InstanceId,
        space: &str,
    ) -> Result<Option<i64>> {
        Ok(on_pool!(self, pool => {
            sqlx::query_scalar(
                "SELECT MAX(stamp) FROM engine_keys WHERE instance_id = $1 AND space = $2",
            )
            .bind(instance.as_str())
            .bind(space)
            .fetch_one(pool)
            .await?
        }))
    }

    /// Writes entries, replacing those with the same keys, in one transaction.
    pub async fn put_engine_keys(
        &self,
        instance: &InstanceId,
        space: &str,
        entries: &[EngineKey],
    ) -> Result<()> {
        if entries.is_empty() {
            return Ok(());
        }
        in_tx!(self, tx, backend => {
            for chunk in crate::row_chunks::row_chunks(entries) {
                let mut insert = sqlx::QueryBuilder::new(
                    "INSERT INTO engine_keys (instance_id, space, key, value, stamp) ",
                );
                insert.push_values(chunk, |mut values, entry| {
                    values
                        .push_bind(instance.as_str().to_owned())
                        .push_bind(space.to_owned())
                        .push_bind(entry.key.clone())
                        .push_bind(entry.value.clone())
                        .push_bind(entry.stamp);
                });
                insert.push(
                    " ON CONFLICT (instance_id, space, key)
                      DO UPDATE SET value = excluded.value, stamp = excluded.stamp",
                );
                insert.build().execute(&mut *tx).await?;
            }
            Ok(())
        })
    }

    /// Deletes the entries of `keys`; returns how many there were.
    pub async fn delete_engine_keys(
        &self,
        instance: &InstanceId,
        space: &str,
        keys: &[&str],
    ) -> Result<u64> {
        if keys.is_empty() {
            return Ok(0);
        }
        let sql = format!(
            "DELETE FROM engine_keys WHERE instance_id = $1 AND space = $2 AND key IN ({})",
            key_list(self.backend(), 3)
        );
        in_tx!(self, tx, backend => {
            let done = sqlx::query(sqlx::AssertSqlSafe(sql))
                .bind(instance.as_str())
                .bind(space)
                .bind(json_keys(keys))
                .execute(&mut *tx)
                .await?;
            Ok(done.rows_affected())
        })
    }

    /// Deletes one entry and returns it: whoever takes it is the only one who gets it.
    pub async fn take_engine_key(
        &self,
        instance: &InstanceId,
        space: &str,
        key: &str,
    ) -> Result<Option<EngineKey>> {
        let row: Option<EngineKeyRow> = in_tx!(self, tx, backend => {
            Ok(sqlx::query_as(
                "DELETE FROM engine_keys WHERE instance_id = $1 AND space = $2 AND key = $3
                 RETURNING key, value, stamp",
            )
            .bind(instance.as_str())
            .bind(space)
            .bind(key)
            .fetch_optional(&mut *tx)
            .await?)
        })?;
        Ok(row.map(Into::into))
    }

    /// Deletes the entries of a space stamped before `cutoff`; returns how many.
    pub async fn delete_engine_keys_stamped_before(
        &self,
        instance: &InstanceId,
        space: &str,
        cutoff: i64,
    ) -> Result<u64> {
        in_tx!(self, tx, backend => {
            let done = sqlx::query(
                "DELETE FROM engine_keys WHERE instance_id = $1 AND space = $2 AND stamp < $3",
            )
            .bind(instance.as_str())
            .bind(space)
            .bind(cutoff)
            .execute(&mut *tx)
            .await?;
            Ok(done.rows_affected())
        })
    }

    /// Deletes every entry of a space; returns how many.
    pub async fn clear_engine_space(&self, instance: &InstanceId, space: &str) -> Result<u64> {
        in_tx!(self, tx, backend => {
            let done = sqlx::query("DELETE FROM engine_keys WHERE instance_id = $1 AND space = $2")
                .bind(instance.as_str())
                .bind(space)
                .execute(&mut *tx)
                .await?;
            Ok(done.rows_affected())
        })
    }

    /// Deletes the entries of `keys` from every space whose name starts with `family`.
    pub async fn delete_engine_keys_in_family(
        &self,
        instance: &InstanceId,
        family: &str,
        keys: &[&str],
    ) -> Result<u64> {
        if keys.is_empty() {
            return Ok(0);
        }
        let sql = format!(
            "DELETE FROM engine_keys WHERE instance_id = $1
               AND substr(space, 1, length($2)) = $2 AND key IN ({})",
            key_list(self.backend(), 3)
        );
        in_tx!(self, tx, backend => {
            let done = sqlx::query(sqlx::AssertSqlSafe(sql))
                .bind(instance.as_str())
                .bind(family)
                .bind(json_keys(keys))
                .execute(&mut *tx)
                .await?;
            Ok(done.rows_affected())
        })
    }

    /// Deletes every entry of every space whose name starts with `family`.
    pub async fn clear_engine_family(&self, instance: &InstanceId, family: &str) -> Result<u64> {
        in_tx!(self, tx, backend => {
            let done = sqlx::query(
                "DELETE FROM engine_keys WHERE instance_id = $1 AND substr(space, 1, length($2)) = $2",
            )
            .bind(instance.as_str())
            .bind(family)
            .execute(&mut *tx)
            .await?;
            Ok(done.rows_affected())
        })
    }

    /// Deletes all of an instance's key material (the phone removed the device).
    pub async fn wipe_engine_keys(&self, instance: &InstanceId) -> Result<u64> {
        in_tx!(self, tx, backend => {
            let done = sqlx::query("DELETE FROM engine_keys WHERE instance_id = $1")
                .bind(instance.as_str())
                .execute(&mut *tx)
                .await?;
            Ok(done.rows_affected())
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::on_both_backends;

    async fn instance(store: &Store) -> InstanceId {
        let name = format!("keys-{}", uuid::Uuid::new_v4().simple());
        crate::testing::seed_instance(store, &name[..12]).await.id
    }

    #[tokio::test]
    async fn entries_are_written_replaced_read_and_taken_once() {
        on_both_backends(|store| async move {
            let id = instance(&store).await;
            store
                .put_engine_keys(
                    &id,
                    "session",
                    &[
                        EngineKey::new("a", b"1".to_vec()),
                        EngineKey::stamped("b", b"2".to_vec(), 7),
                    ],
                )
                .await
                .unwrap();
            store
                .put_engine_keys(&id, "session", &[EngineKey::new("a", b"one".to_vec())])
                .await
                .unwrap();
            let a = store
                .engine_key(&id, "session", "a")
                .await
                .unwrap()
                .unwrap();
            assert_eq!(a.value, b"one");
            assert_eq!(store.engine_key(&id, "other", "a").await.unwrap(), None);
            let mut many = store
                .engine_keys(&id, "session", &["a", "b", "c"])
                .await
                .unwrap();
            many.sort_by(|x, y| x.key.cmp(&y.key));
            assert_eq!(many.len(), 2);
            assert_eq!(many[1].stamp, Some(7));
            assert_eq!(
                store.engine_space_max_stamp(&id, "session").await.unwrap(),
                Some(7)
            );
            assert_eq!(
                store.engine_space_max_stamp(&id, "none").await.unwrap(),
                None
            );

            let taken = store.take_engine_key(&id, "session", "b").await.unwrap();
            assert_eq!(taken.map(|k| k.value), Some(b"2".to_vec()));
            assert_eq!(
                store.take_engine_key(&id, "session", "b").await.unwrap(),
                None
            );
            assert_eq!(
                store.engine_space_keys(&id, "session").await.unwrap(),
                ["a"]
            );
        })
        .await;
    }

    #[tokio::test]
    async fn deletions_reach_only_what_they_name() {
        on_both_backends(|store| async move {
            let id = instance(&store).await;
            let other = instance(&store).await;
            for owner in [&id, &other] {
                for space in ["devices/g1", "devices/g2", "devicesx"] {
                    store
                        .put_engine_keys(
                            owner,
                            space,
                            &[
                                EngineKey::stamped("d1", vec![1], 10),
                                EngineKey::stamped("d2", vec![2], 20),
                            ],
                        )
                        .await
                        .unwrap();
                }
            }
            assert_eq!(
                store
                    .delete_engine_keys_in_family(&id, "devices/", &["d1"])
                    .await
                    .unwrap(),
                2
            );
            assert_eq!(
                store.engine_space_keys(&id, "devices/g1").await.unwrap(),
                ["d2"]
            );
            assert_eq!(
                store.engine_space_keys(&id, "devicesx").await.unwrap(),
                ["d1", "d2"]
            );
            assert_eq!(
                store
                    .delete_engine_keys_stamped_before(&id, "devicesx", 15)
                    .await
                    .unwrap(),
                1
            );
            assert_eq!(
                store
                    .delete_engine_keys(&id, "devicesx", &["d2", "zz"])
                    .await
                    .unwrap(),
                1
            );
            assert_eq!(store.clear_engine_family(&id, "devices/").await.unwrap(), 2);
            assert_eq!(store.clear_engine_space(&id, "devicesx").await.unwrap(), 0);
            assert_eq!(
                store
                    .engine_space(&other, "devices/g1")
                    .await
                    .unwrap()
                    .len(),
                2
            );
            assert_eq!(store.wipe_engine_keys(&other).await.unwrap(), 6);
        })
        .await;
    }
}
