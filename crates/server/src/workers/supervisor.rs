//! The session supervisor: applies what engines report, in the order they report it.

use crate::services::Gateway;
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;
use wagate_engine::EngineEvent;

pub async fn run(
    gateway: Gateway,
    mut events: mpsc::Receiver<EngineEvent>,
    shutdown: CancellationToken,
) {
    loop {
        let event = tokio::select! {
            _ = shutdown.cancelled() => break,
            event = events.recv() => match event {
                Some(event) => event,
                None => break,
            },
        };
        let instance = event.instance_id.clone();
        let applied = event.applied.clone();
        match gateway.on_engine_event(event).await {
            Ok(()) => applied.confirm(),
            // Unconfirmed: an engine waiting for it leaves the event unacknowledged, so
            // WhatsApp delivers it again.
            Err(error) => tracing::error!(%instance, %error, "could not apply a session event"),
        }
    }
}
