//! The webhook fan-out: reads the outbox after its cursor and makes one delivery per matching
//! endpoint, advancing the cursor in the same transaction.

use crate::services::Gateway;
use std::time::Duration;
use tokio_util::sync::CancellationToken;

const BATCH: i64 = 500;
/// The least time between two rounds woken by commits. Each round that finds events is a write
/// transaction; under a stream of accepted sends every commit would wake one, taking the writer
/// as often as the sends do. Waiting a moment lets one round take what several commits wrote.
const GATHER: Duration = Duration::from_millis(10);

pub async fn run(gateway: Gateway, poll: Duration, shutdown: CancellationToken) {
    loop {
        let started = tokio::time::Instant::now();
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
            _ = written => tokio::time::sleep_until(started + GATHER).await,
            _ = tokio::time::sleep(poll) => {}
        }
    }
}
