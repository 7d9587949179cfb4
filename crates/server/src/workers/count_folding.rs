//! Folds the message-count deltas the database's triggers append into the hourly counts
//! analytics reads, so the deltas stay few and a summary reads a few rows an hour.

use crate::services::Gateway;
use std::time::Duration;
use tokio_util::sync::CancellationToken;

const EVERY: Duration = Duration::from_secs(5);

pub async fn run(gateway: Gateway, shutdown: CancellationToken) {
    loop {
        if let Err(error) = gateway.fold_message_counts().await {
            tracing::warn!(%error, "could not fold message counts");
        }
        tokio::select! {
            _ = shutdown.cancelled() => break,
            _ = tokio::time::sleep(EVERY) => {}
        }
    }
}
