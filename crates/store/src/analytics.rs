//! Counts of sent messages for analytics: per status and UTC day, over a time range.
//!
//! Whole UTC hours come from `message_hourly_counts`, kept through `message_count_deltas` (written
//! by the store's inserts and by triggers on status changes and deletes, folded in by
//! [`Store::fold_message_counts`]), so a range costs a few
//! rows an hour however many messages it holds. The partial hours at either end of a range
//! are counted from the messages themselves, on covering indexes.

use crate::time::to_millis;
use crate::{Backend, Result, Store};
use chrono::{DateTime, NaiveDate, Utc};
use std::collections::BTreeMap;
use wagate_core::{AccountId, InstanceId, MessageStatus};

pub(crate) const HOUR_MS: i64 = 3_600_000;
const DAY_MS: i64 = 86_400_000;

/// How many outbound messages created on `day` are now in `status`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DailyStatusCount {
    pub day: NaiveDate,
    pub status: MessageStatus,
    pub count: i64,
}

/// (UTC day since the epoch, status) → count.
type Tally = BTreeMap<(i64, String), i64>;

impl Store {
    /// Outbound messages of the account (or one of its instances) created in `[from, to)`,
    /// counted per UTC day and status.
    pub async fn message_counts(
        &self,
        account_id: &AccountId,
        instance_id: Option<&InstanceId>,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Result<Vec<DailyStatusCount>> {
        let (from, to) = (to_millis(from), to_millis(to));
        let first_whole_hour = (from + HOUR_MS - 1).div_euclid(HOUR_MS);
        let end_whole_hour = to.div_euclid(HOUR_MS);
        let mut tally = Tally::new();
        if first_whole_hour < end_whole_hour {
            self.count_from_messages(
                &mut tally,
                account_id,
                instance_id,
                from,
                first_whole_hour * HOUR_MS,
            )
            .await?;
            self.count_whole_hours(
                &mut tally,
                account_id,
                instance_id,
                first_whole_hour,
                end_whole_hour,
            )
            .await?;
            self.count_from_messages(
                &mut tally,
                account_id,
                instance_id,
                end_whole_hour * HOUR_MS,
                to,
            )
            .await?;
        } else {
            self.count_from_messages(&mut tally, account_id, instance_id, from, to)
                .await?;
        }
        let mut counts = Vec::with_capacity(tally.len());
        for ((day, status), count) in tally {
            if count == 0 {
                continue;
            }
            let status = status.parse().map_err(crate::StoreError::Corrupt)?;
            let day = DateTime::from_timestamp_millis(day * DAY_MS)
                .ok_or_else(|| crate::StoreError::Corrupt(format!("day {day} out of range")))?
                .date_naive();
            counts.push(DailyStatusCount { day, status, count });
        }
        counts.sort_by_key(|c| (c.day, c.status.as_str()));
        Ok(counts)
    }

    /// Adds the hourly counts of hours `[from_hour, to_hour)`, with the deltas not yet folded.
    async fn count_whole_hours(
        &self,
        tally: &mut Tally,
        account_id: &AccountId,
        instance_id: Option<&InstanceId>,
        from_hour: i64,
        to_hour: i64,
    ) -> Result<()> {
        let rows: Vec<(i64, String, i64)> = on_pool!(self, pool => {
            sqlx::query_as(
                "SELECT hour / 24, status, CAST(SUM(n) AS BIGINT) FROM (
                     SELECT hour, status, count AS n FROM message_hourly_counts
                     WHERE account_id = $1 AND hour >= $2 AND hour < $3
                       AND ($4 IS NULL OR instance_id = $4)
                     UNION ALL
                     SELECT hour, status, delta AS n FROM message_count_deltas
                     WHERE account_id = $1 AND hour >= $2 AND hour < $3
                       AND ($4 IS NULL OR instance_id = $4)
                 ) counted
                 GROUP BY hour / 24, status",
            )
            .bind(account_id.as_str())
            .bind(from_hour)
            .bind(to_hour)
            .bind(instance_id.map(|id| id.as_str().to_owned()))
            .fetch_all(pool)
            .await?
        });
        for (day, status, count) in rows {
            *tally.entry((day, status)).or_default() += count;
        }
        Ok(())
    }

    /// Adds the messages created in `[from, to)`, counted one by one (for partial hours).
    async fn count_from_messages(
        &self,
        tally: &mut Tally,
        account_id: &AccountId,
        instance_id: Option<&InstanceId>,
        from: i64,
        to: i64,
    ) -> Result<()> {
        if from >= to {
            return Ok(());
        }
        let rows: Vec<(i64, String, i64)> = on_pool!(self, pool => {
            match instance_id {
                Some(instance) => sqlx::query_as(
                    "SELECT created_at / 86400000 AS day, status, COUNT(*) FROM messages
                     WHERE instance_id = $1 AND created_at >= $2 AND created_at < $3 AND direction = 'outbound'
                     GROUP BY created_at / 86400000, status",
                )
                .bind(instance.as_str()),
                None => sqlx::query_as(
                    "SELECT created_at / 86400000 AS day, status, COUNT(*) FROM messages
                     WHERE account_id = $1 AND created_at >= $2 AND created_at < $3 AND direction = 'outbound'
                     GROUP BY created_at / 86400000, status",
                )
                .bind(account_id.as_str()),
            }
            .bind(from)
            .bind(to)
            .fetch_all(pool)
            .await?
        });
        for (day, status, count) in rows {
            *tally.entry((day, status)).or_default() += count;
        }
        Ok(())
    }

    /// Adds the deltas the triggers appended into the hourly counts and removes them; returns
    /// how many were folded. Concurrent folds (other nodes) take turns.
    pub async fn fold_message_counts(&self) -> Result<u64> {
        let pending: bool = on_pool!(self, pool => {
            sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM message_count_deltas)")
                .fetch_one(pool)
                .await?
        });
        if !pending {
            return Ok(0);
        }
        in_tx!(self, tx, backend => {
            match backend {
                // One statement: the deltas summed are exactly the deltas removed, whatever
                // commits meanwhile.
                Backend::Postgres => {
                    sqlx::query("SELECT pg_advisory_xact_lock(727175)")
                        .execute(&mut *tx)
                        .await?;
                    let folded = sqlx::query(
                        "WITH folded AS (
                             DELETE FROM message_count_deltas
                             RETURNING account_id, hour, instance_id, status, delta
                         )
                         INSERT INTO message_hourly_counts (account_id, hour, instance_id, status, count)
                         SELECT account_id, hour, instance_id, status, SUM(delta) FROM folded
                         GROUP BY account_id, hour, instance_id, status
                         ORDER BY account_id, hour, instance_id, status
                         ON CONFLICT (account_id, hour, instance_id, status)
                         DO UPDATE SET count = message_hourly_counts.count + excluded.count",
                    )
                    .execute(&mut *tx)
                    .await?
                    .rows_affected();
                    Ok(folded)
                }
                // The write transaction excludes every other writer between the two statements.
                Backend::Sqlite => {
                    let folded = sqlx::query(
                        "INSERT INTO message_hourly_counts (account_id, hour, instance_id, status, count)
                         SELECT account_id, hour, instance_id, status, SUM(delta) FROM message_count_deltas
                         WHERE true
                         GROUP BY account_id, hour, instance_id, status
                         ON CONFLICT (account_id, hour, instance_id, status)
                         DO UPDATE SET count = message_hourly_counts.count + excluded.count",
                    )
                    .execute(&mut *tx)
                    .await?
                    .rows_affected();
                    sqlx::query("DELETE FROM message_count_deltas")
                        .execute(&mut *tx)
                        .await?;
                    Ok(folded)
                }
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::InstanceRecord;
    use crate::instances::tests::account_with_instance;
    use crate::testing::on_both_backends;

    /// An outbound message created at `at` (unix ms) in `status`, as the triggers see inserts.
    async fn insert_at(store: &Store, instance: &InstanceRecord, at: i64, status: &str) -> String {
        let id = uuid::Uuid::now_v7().to_string();
        on_pool!(store, pool => {
            sqlx::query(
                "INSERT INTO messages (id, account_id, instance_id, direction, recipient, chat_jid,
                     message_type, content, status, attempts, run_at, created_at, updated_at)
                 VALUES ($1, $2, $3, 'outbound', '1555', '1555@s.whatsapp.net', 'text', '{}', $4, 0, $5, $5, $5)",
            )
            .bind(&id)
            .bind(instance.account_id.as_str())
            .bind(instance.id.as_str())
            .bind(status)
            .bind(at)
            .execute(pool)
            .await
            .unwrap();
            // As the store's own inserts count a new message.
            sqlx::query(
                "INSERT INTO message_count_deltas (account_id, instance_id, hour, status, delta)
                 VALUES ($1, $2, $3, $4, 1)",
            )
            .bind(instance.account_id.as_str())
            .bind(instance.id.as_str())
            .bind(at.div_euclid(HOUR_MS))
            .bind(status)
            .execute(pool)
            .await
            .unwrap();
        });
        id
    }

    async fn set_status(store: &Store, id: &str, status: &str) {
        on_pool!(store, pool => {
            sqlx::query("UPDATE messages SET status = $2 WHERE id = $1")
                .bind(id)
                .bind(status)
                .execute(pool)
                .await
                .unwrap();
        });
    }

    fn at(rfc3339: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(rfc3339).unwrap().to_utc()
    }

    async fn counts(
        store: &Store,
        instance: &InstanceRecord,
        from: &str,
        to: &str,
    ) -> Vec<(String, String, i64)> {
        store
            .message_counts(&instance.account_id, Some(&instance.id), at(from), at(to))
            .await
            .unwrap()
            .into_iter()
            .map(|c| (c.day.to_string(), c.status.as_str().to_owned(), c.count))
            .collect()
    }

    #[tokio::test]
    async fn counts_agree_before_and_after_folding_and_across_partial_hours() {
        on_both_backends(|store| async move {
            let shop = account_with_instance(&store, "shop").await;
            let other = account_with_instance(&store, "other").await;
            let ms = |s: &str| to_millis(at(s));
            let early = insert_at(&store, &shop, ms("2026-03-01T10:15:00Z"), "queued").await;
            insert_at(&store, &shop, ms("2026-03-01T10:45:00Z"), "queued").await;
            insert_at(&store, &shop, ms("2026-03-01T23:59:59Z"), "failed").await;
            insert_at(&store, &shop, ms("2026-03-02T00:30:00Z"), "read").await;
            insert_at(&store, &other, ms("2026-03-01T12:00:00Z"), "sent").await;
            set_status(&store, &early, "sent").await;
            set_status(&store, &early, "delivered").await;

            let expected = [
                ("2026-03-01".to_owned(), "delivered".to_owned(), 1),
                ("2026-03-01".to_owned(), "failed".to_owned(), 1),
                ("2026-03-01".to_owned(), "queued".to_owned(), 1),
                ("2026-03-02".to_owned(), "read".to_owned(), 1),
            ];
            // Whole hours from the counts (deltas unfolded, then folded), partial hours from
            // the messages: every way of cutting the range gives the same answer.
            for fold in [false, true] {
                if fold {
                    assert!(store.fold_message_counts().await.unwrap() > 0);
                    assert_eq!(store.fold_message_counts().await.unwrap(), 0);
                }
                for (from, to) in [
                    ("2026-03-01T00:00:00Z", "2026-03-03T00:00:00Z"),
                    ("2026-03-01T10:30:00Z", "2026-03-02T00:45:00Z"),
                ] {
                    let got = counts(&store, &shop, from, to).await;
                    let want: Vec<_> = expected
                        .iter()
                        .filter(|(day, status, _)| {
                            !(from.contains("10:30")
                                && day == "2026-03-01"
                                && status == "delivered")
                        })
                        .cloned()
                        .collect();
                    assert_eq!(got, want, "{from}..{to}, folded: {fold}");
                }
                assert_eq!(
                    counts(
                        &store,
                        &shop,
                        "2026-03-01T10:40:00Z",
                        "2026-03-01T10:50:00Z"
                    )
                    .await,
                    vec![("2026-03-01".to_owned(), "queued".to_owned(), 1)]
                );
            }
            // A status change after folding moves the count.
            set_status(&store, &early, "read").await;
            let day = counts(
                &store,
                &shop,
                "2026-03-01T00:00:00Z",
                "2026-03-02T00:00:00Z",
            )
            .await;
            assert!(
                day.contains(&("2026-03-01".to_owned(), "read".to_owned(), 1)),
                "{day:?}"
            );
            assert!(
                !day.iter().any(|(_, status, _)| status == "delivered"),
                "{day:?}"
            );
        })
        .await;
    }
}
