//! Counts of sent messages for analytics: per status and UTC day, over a time range, read from
//! covering indexes so a million messages are counted without reading a row.

use crate::time::to_millis;
use crate::{Result, Store};
use chrono::{DateTime, NaiveDate, Utc};
use wagate_core::{AccountId, InstanceId, MessageStatus};

const DAY_MS: i64 = 86_400_000;

/// How many outbound messages created on `day` are now in `status`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DailyStatusCount {
    pub day: NaiveDate,
    pub status: MessageStatus,
    pub count: i64,
}

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
            .bind(to_millis(from))
            .bind(to_millis(to))
            .fetch_all(pool)
            .await?
        });
        let mut counts = Vec::with_capacity(rows.len());
        for (day, status, count) in rows {
            let status = status.parse().map_err(crate::StoreError::Corrupt)?;
            let day = DateTime::from_timestamp_millis(day * DAY_MS)
                .ok_or_else(|| crate::StoreError::Corrupt(format!("day {day} out of range")))?
                .date_naive();
            counts.push(DailyStatusCount { day, status, count });
        }
        counts.sort_by_key(|c| (c.day, c.status.as_str()));
        Ok(counts)
    }
}
