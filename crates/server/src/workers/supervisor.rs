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
        if let Err(error) = gateway.on_engine_event(event).await {
            tracing::error!(%instance, %error, "could not apply a session event");
        }
    }
}
