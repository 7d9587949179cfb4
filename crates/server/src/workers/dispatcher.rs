//! The dispatcher: claims due messages and hands them to their instance's session.
//!
//! It wakes when a message is queued or an instance comes up, and polls as a fallback (a retry
//! becoming due, another node's lease expiring). Claims are leased, so a dispatcher that dies
//! mid-send leaves its messages to be claimed again; engines recognise the resend by wagate's
//! message id.

use crate::config::DispatcherConfig;
use crate::services::Gateway;
use chrono::Utc;
use std::time::Duration;
use tokio_util::sync::CancellationToken;
use wagate_engine::{EngineError, OutgoingMessage, SendFailure};
use wagate_store::MessageRecord;

pub async fn run(gateway: Gateway, config: DispatcherConfig, shutdown: CancellationToken) {
    let wake = gateway.dispatcher_wake();
    let poll = Duration::from_millis(config.poll_interval_ms);
    loop {
        let claimed = match dispatch_due(&gateway, &config).await {
            Ok(count) => count,
            Err(error) => {
                tracing::error!(%error, "dispatcher could not claim messages");
                0
            }
        };
        // A full batch means more may be waiting: go again at once.
        if claimed >= config.batch_size as usize {
            continue;
        }
        tokio::select! {
            _ = shutdown.cancelled() => break,
            _ = wake.notified() => {}
            _ = tokio::time::sleep(poll) => {}
        }
    }
}

/// Claims one batch of due messages and sends them; returns how many were claimed.
pub async fn dispatch_due(
    gateway: &Gateway,
    config: &DispatcherConfig,
) -> Result<usize, wagate_store::StoreError> {
    let now = Utc::now();
    let lease_until = now + chrono::Duration::seconds(config.lease_secs as i64);
    let messages = gateway
        .store()
        .claim_due_messages(now, lease_until, config.batch_size)
        .await?;
    let count = messages.len();
    // One lane per instance: an instance's messages go in order, one at a time, while the
    // instances of the batch send side by side, so a slow number does not hold up the others.
    let mut lanes: Vec<Vec<MessageRecord>> = Vec::new();
    for message in messages {
        match lanes
            .iter_mut()
            .find(|lane| lane[0].instance_id == message.instance_id)
        {
            Some(lane) => lane.push(message),
            None => lanes.push(vec![message]),
        }
    }
    futures_util::future::join_all(lanes.into_iter().map(|lane| async move {
        for message in lane {
            send_one(gateway, config, &message).await;
        }
    }))
    .await;
    Ok(count)
}

async fn send_one(gateway: &Gateway, config: &DispatcherConfig, message: &MessageRecord) {
    let outcome = match gateway.outgoing(message).await {
        Ok((session, outgoing)) => session.send(&outgoing).await,
        Err(error) => Err(error),
    };
    let result = match outcome {
        Ok(receipt) => gateway.on_message_sent(message, receipt).await,
        Err(error) => {
            tracing::warn!(message = %message.id, %error, "send failed");
            gateway
                .on_message_send_failed(
                    message,
                    &error,
                    config.max_attempts,
                    Duration::from_millis(config.retry_base_ms),
                )
                .await
        }
    };
    if let Err(error) = result {
        tracing::error!(message = %message.id, %error, "could not record a send result");
    }
}

impl Gateway {
    /// The session and the engine's view of a claimed message.
    async fn outgoing(
        &self,
        message: &MessageRecord,
    ) -> Result<(std::sync::Arc<dyn wagate_engine::Session>, OutgoingMessage), EngineError> {
        let to =
            wagate_core::Jid::parse(&message.chat_jid).map_err(|e| EngineError::Permanent {
                failure: SendFailure::InvalidContent,
                message: format!("the stored recipient is invalid: {e}"),
            })?;
        let session = self
            .sessions
            .live(&message.instance_id)
            .ok_or(EngineError::NotConnected)?;
        Ok((
            session,
            OutgoingMessage {
                id: message.id,
                to,
                content: message.content.clone(),
                reply_to: message.reply_to.clone(),
                mentions: message.mentions.clone(),
            },
        ))
    }
}
