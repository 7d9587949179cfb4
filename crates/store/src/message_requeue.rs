//! Putting a failed message back in the queue. Unlike every other change of status this one
//! goes backwards, so it does not pass through `transition_message`: the failure's fields are
//! cleared and the attempts start again.

use crate::events::NewEvent;
use crate::messages::MessageRow;
use crate::records::MessageRecord;
use crate::time::now_millis;
use crate::{Result, Store};
use wagate_core::MessageId;

impl Store {
    /// Moves a `failed` message back to `queued`, due now, with the events `events` derives
    /// from it. Answers `None` (and changes nothing) when the message is not failed.
    pub async fn requeue_failed_message(
        &self,
        id: &MessageId,
        events: impl FnOnce(&MessageRecord) -> Vec<NewEvent>,
    ) -> Result<Option<MessageRecord>> {
        let now = now_millis();
        let sql = concat!(
            "UPDATE messages SET status = 'queued', run_at = $2, updated_at = $2, attempts = 0,
                 error_code = NULL, error_message = NULL, failed_at = NULL, locked_until = NULL
             WHERE id = $1 AND status = 'failed' RETURNING ",
            message_columns!()
        );
        in_tx!(self, tx, backend => {
            let row = sqlx::query_as::<_, MessageRow>(sql)
                .bind(id.to_string())
                .bind(now)
                .fetch_optional(&mut *tx)
                .await?;
            let Some(row) = row else { return Ok(None) };
            let record = MessageRecord::try_from(row)?;
            sqlx::query("INSERT INTO message_timeline (message_id, status, at) VALUES ($1, 'queued', $2)")
                .bind(record.id.to_string())
                .bind(now)
                .execute(&mut *tx)
                .await?;
            append_events!(tx, backend, events(&record));
            Ok(Some(record))
        })
    }
}
