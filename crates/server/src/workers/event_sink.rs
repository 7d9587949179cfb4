//! Feeds one broker sink from the outbox: reads the events after the sink's cursor, publishes
//! them, and advances the cursor only once the broker confirmed the batch. When the broker is
//! unreachable or fails, the connection is dropped and made again with a capped backoff, and
//! publishing resumes from the cursor: nothing is skipped; a batch cut short may be published
//! twice (consumers deduplicate on the event id, JetStream does it by `Nats-Msg-Id`).

use crate::services::Gateway;
use crate::sinks::{EventSink, SinkError};
use std::time::Duration;
use tokio_util::sync::CancellationToken;

const BATCH: i64 = 200;
const POLL: Duration = Duration::from_secs(1);
const FIRST_BACKOFF: Duration = Duration::from_millis(200);
const MAX_BACKOFF: Duration = Duration::from_secs(5);
// A broker that accepts the connection but never answers must not stall the sink for good.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
const PUBLISH_TIMEOUT: Duration = Duration::from_secs(60);

pub async fn run<S: EventSink>(gateway: Gateway, config: S::Config, shutdown: CancellationToken) {
    let cursor = format!("sink:{}", S::NAME);
    let mut backoff = FIRST_BACKOFF;
    loop {
        let fed = tokio::select! {
            _ = shutdown.cancelled() => return,
            fed = feed::<S>(&gateway, &config, &cursor, &mut backoff) => fed,
        };
        // `feed` returns only on failure; the sink, and with it the connection, is gone.
        tracing::warn!(sink = S::NAME, error = %fed, retry_in = ?backoff, "broker sink failed");
        tokio::select! {
            _ = shutdown.cancelled() => return,
            _ = tokio::time::sleep(backoff) => {}
        }
        backoff = (backoff * 2).min(MAX_BACKOFF);
    }
}

/// Connects and publishes until the broker fails, and answers why. The backoff goes back to
/// its start whenever the sink is healthy: a batch confirmed, or nothing left to publish.
async fn feed<S: EventSink>(
    gateway: &Gateway,
    config: &S::Config,
    cursor: &str,
    backoff: &mut Duration,
) -> SinkError {
    let mut sink = match tokio::time::timeout(CONNECT_TIMEOUT, S::connect(config)).await {
        Ok(Ok(sink)) => sink,
        Ok(Err(error)) => return error,
        Err(_) => return SinkError::new(S::NAME, "timed out connecting"),
    };
    tracing::info!(sink = S::NAME, "connected to the broker");
    let store = gateway.store();
    loop {
        let written = store.outbox_written();
        let batch = match store.cursor(cursor).await {
            Ok(position) => store.events_after(position, BATCH).await,
            Err(error) => Err(error),
        };
        let events = match batch {
            Ok(events) => events,
            Err(error) => {
                tracing::error!(sink = S::NAME, %error, "could not read the outbox");
                tokio::time::sleep(POLL).await;
                continue;
            }
        };
        let Some(last) = events.last().map(|event| event.seq) else {
            *backoff = FIRST_BACKOFF;
            tokio::select! {
                _ = written => {}
                _ = tokio::time::sleep(POLL) => {}
            }
            continue;
        };
        match tokio::time::timeout(PUBLISH_TIMEOUT, sink.publish(&events)).await {
            Ok(Ok(())) => *backoff = FIRST_BACKOFF,
            Ok(Err(error)) => return error,
            Err(_) => return SinkError::new(S::NAME, "timed out waiting for confirmations"),
        }
        if let Err(error) = store.advance_cursor(cursor, last).await {
            // The events were confirmed; they will be published again and deduplicated.
            tracing::error!(sink = S::NAME, %error, "could not advance the cursor");
            tokio::time::sleep(POLL).await;
        }
    }
}
