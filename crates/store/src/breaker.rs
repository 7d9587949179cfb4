//! The circuit breaker's state: an instance's transient engine failures in a row, and until
//! when it is paused. Kept in the database so every node refuses sends to a paused instance.

use crate::events::NewEvent;
use crate::time::{from_millis, to_millis};
use crate::{Result, Store};
use chrono::{DateTime, Utc};
use wagate_core::InstanceId;

impl Store {
    /// Counts one more transient failure; at `threshold` failures in a row the instance is
    /// paused until `pause_until` (no message of it is claimed before then) and `events` are
    /// appended. Returns the pause, if this failure caused one.
    pub async fn record_engine_failure(
        &self,
        instance: &InstanceId,
        threshold: i64,
        pause_until: DateTime<Utc>,
        events: impl FnOnce(i64) -> Vec<NewEvent>,
    ) -> Result<Option<DateTime<Utc>>> {
        let result = in_tx!(self, tx, backend => {
            let failures: Option<i64> = sqlx::query_scalar(
                "UPDATE instances SET breaker_failures = breaker_failures + 1 WHERE id = $1
                 RETURNING breaker_failures",
            )
            .bind(instance.as_str())
            .fetch_optional(&mut *tx)
            .await?;
            let Some(failures) = failures else { return Ok(None) };
            if failures < threshold {
                return Ok(None);
            }
            let until = to_millis(pause_until);
            sqlx::query(
                "UPDATE instances SET paused_until = $2,
                     send_after = CASE WHEN send_after IS NULL OR send_after < $2 THEN $2 ELSE send_after END
                 WHERE id = $1",
            )
            .bind(instance.as_str())
            .bind(until)
            .execute(&mut *tx)
            .await?;
            let new_events = events(failures);
            append_events!(tx, backend, new_events);
            Ok(Some(from_millis(until)))
        });
        self.instances_written();
        result
    }

    /// Clears the failure count after a successful send; when the instance had been paused,
    /// the pause ends and `events` are appended. Returns whether it had been paused.
    pub async fn reset_engine_failures(
        &self,
        instance: &InstanceId,
        events: impl FnOnce() -> Vec<NewEvent>,
    ) -> Result<bool> {
        let result = in_tx!(self, tx, backend => {
            let paused: Option<Option<i64>> =
                sqlx::query_scalar("SELECT paused_until FROM instances WHERE id = $1")
                    .bind(instance.as_str())
                    .fetch_optional(&mut *tx)
                    .await?;
            let was_paused = matches!(paused, Some(Some(_)));
            sqlx::query("UPDATE instances SET breaker_failures = 0, paused_until = NULL WHERE id = $1")
                .bind(instance.as_str())
                .execute(&mut *tx)
                .await?;
            if was_paused {
                let new_events = events();
                append_events!(tx, backend, new_events);
            }
            Ok(was_paused)
        });
        self.instances_written();
        result
    }
}
