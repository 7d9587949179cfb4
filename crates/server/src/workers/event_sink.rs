//! Feeds one broker sink from the outbox: reads the events after the sink's cursor, publishes
//! them, and advances the cursor only once the broker confirmed the batch. When the broker is
//! unreachable or fails, the connection is dropped and made again with a capped backoff, and
//! publishing resumes from the cursor: nothing is skipped; a batch cut short may be published
//! twice (consumers deduplicate on the event id, JetStream does it by `Nats-Msg-Id`).

use crate::services::Gateway;
use crate::sinks::EventSink;
use std::time::Duration;
use tokio_util::sync::CancellationToken;

const BATCH: i64 = 500;
const POLL: Duration = Duration::from_secs(1);
const FIRST_BACKOFF: Duration = Duration::from_millis(200);
const MAX_BACKOFF: Duration = Duration::from_secs(5);

pub async fn run<S: EventSink>(gateway: Gateway, config: S::Config, shutdown: CancellationToken) {
    let cursor = format!("sink:{}", S::NAME);
    let mut backoff = FIRST_BACKOFF;
    loop {
        let connected = tokio::select! {
            _ = shutdown.cancelled() => return,
            connected = S::connect(&config) => connected,
        };
        let mut sink = match connected {
            Ok(sink) => {
                tracing::info!(sink = S::NAME, "connected to the broker");
                backoff = FIRST_BACKOFF;
                sink
            }
            Err(error) => {
                tracing::warn!(sink = S::NAME, %error, retry_in = ?backoff, "broker unreachable");
                tokio::select! {
                    _ = shutdown.cancelled() => return,
                    _ = tokio::time::sleep(backoff) => {}
                }
                backoff = (backoff * 2).min(MAX_BACKOFF);
                continue;
            }
        };
        loop {
            let store = gateway.store();
            let written = store.outbox_written();
            let batch = match store.cursor(&cursor).await {
                Ok(position) => store.events_after(position, BATCH).await,
                Err(error) => Err(error),
            };
            let events = match batch {
                Ok(events) => events,
                Err(error) => {
                    tracing::error!(sink = S::NAME, %error, "could not read the outbox");
                    tokio::select! {
                        _ = shutdown.cancelled() => return,
                        _ = tokio::time::sleep(POLL) => {}
                    }
                    continue;
                }
            };
            let Some(last) = events.last().map(|event| event.seq) else {
                tokio::select! {
                    _ = shutdown.cancelled() => return,
                    _ = written => {}
                    _ = tokio::time::sleep(POLL) => {}
                }
                continue;
            };
            let published = tokio::select! {
                _ = shutdown.cancelled() => return,
                published = sink.publish(&events) => published,
            };
            if let Err(error) = published {
                tracing::warn!(sink = S::NAME, %error, "publishing failed; reconnecting");
                break;
            }
            if let Err(error) = store.advance_cursor(&cursor, last).await {
                // The events were confirmed; they will be published again and deduplicated.
                tracing::error!(sink = S::NAME, %error, "could not advance the cursor");
            }
        }
    }
}
