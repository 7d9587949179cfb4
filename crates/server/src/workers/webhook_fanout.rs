//! The webhook fan-out: reads the outbox after its cursor and makes one delivery per matching
//! endpoint, advancing the cursor in the same transaction.

use crate::services::Gateway;
use std::time::Duration;
use tokio_util::sync::CancellationToken;

const BATCH: i64 = 500;

pub async fn run(gateway: Gateway, poll: Duration, shutdown: CancellationToken) {
    loop {
        let written = gateway.store().outbox_written();
        let read = match gateway.fan_out(BATCH).await {
            Ok(read) => read,
            Err(error) => {
                tracing::error!(%error, "webhook fan-out failed");
                0
            }
        };
        if read as i64 >= BATCH {
            continue;
        }
        tokio::select! {
            _ = shutdown.cancelled() => break,
            _ = written => {}
            _ = tokio::time::sleep(poll) => {}
        }
    }
}
