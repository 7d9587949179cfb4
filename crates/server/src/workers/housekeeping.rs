//! Housekeeping: forgets what has outlived its use (idempotency keys past their 24 hours).

use crate::services::Gateway;
use std::time::Duration;
use tokio_util::sync::CancellationToken;

const EVERY: Duration = Duration::from_secs(3600);

pub async fn run(gateway: Gateway, shutdown: CancellationToken) {
    loop {
        match gateway.purge_idempotency_keys().await {
            Ok(0) => {}
            Ok(removed) => tracing::info!(removed, "expired idempotency keys removed"),
            Err(error) => tracing::warn!(%error, "could not remove expired idempotency keys"),
        }
        tokio::select! {
            _ = shutdown.cancelled() => break,
            _ = tokio::time::sleep(EVERY) => {}
        }
    }
}
