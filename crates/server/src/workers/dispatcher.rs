//! The dispatcher: claims due messages and hands them to their instance's session.
//!
//! It wakes when a message is queued or an instance comes up, and polls as a fallback (a retry
//! becoming due, another node's lease expiring). Claims are leased, so a dispatcher that dies
//! mid-send leaves its messages to be claimed again; engines recognise the resend by wagate's
//! message id.

use crate::config::DispatcherConfig;
use crate::services::Gateway;
use chrono::Utc;
use std::collections::HashSet;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;
use wagate_core::{EngineKind, InstanceId};
use wagate_engine::{EngineError, OutgoingMessage, SendFailure, SendReceipt};
use wagate_store::ClaimedMessage;

/// Instances with a lane in flight on this node: the dispatcher claims none of their
/// messages until the lane ends, so each instance's messages go one at a time and in order.
#[derive(Clone, Default)]
struct Busy(Arc<Mutex<HashSet<InstanceId>>>);

impl Busy {
    fn snapshot(&self) -> Vec<InstanceId> {
        self.0
            .lock()
            .expect("busy set poisoned")
            .iter()
            .cloned()
            .collect()
    }

    fn enter(&self, instance: InstanceId) -> BusyGuard {
        self.0
            .lock()
            .expect("busy set poisoned")
            .insert(instance.clone());
        BusyGuard {
            busy: self.clone(),
            instance,
        }
    }
}

/// Frees the instance when its lane ends, even by a panic.
struct BusyGuard {
    busy: Busy,
    instance: InstanceId,
}

impl Drop for BusyGuard {
    fn drop(&mut self) {
        self.busy
            .0
            .lock()
            .expect("busy set poisoned")
            .remove(&self.instance);
    }
}

pub async fn run(gateway: Gateway, config: DispatcherConfig, shutdown: CancellationToken) {
    let wake = gateway.dispatcher_wake();
    let poll = Duration::from_millis(config.poll_interval_ms);
    let busy = Busy::default();
    let mut lanes = JoinSet::new();
    loop {
        while lanes.try_join_next().is_some() {}
        let (claimed, next_gate) = match dispatch_due(&gateway, &config, &busy, &mut lanes).await {
            Ok(round) => round,
            Err(error) => {
                tracing::error!(%error, "dispatcher could not claim messages");
                (0, None)
            }
        };
        // A full batch means more may be waiting: go again at once.
        if claimed >= config.batch_size as usize {
            continue;
        }
        // Sleep until something wakes us (a new message, a lane ending), the next paced
        // instance's gate opens, or the poll interval passes (scheduled messages, other
        // nodes' expired leases).
        let until_gate = next_gate
            .and_then(|gate| (gate - gateway.now()).to_std().ok())
            .map_or(poll, |wait| wait.min(poll))
            .max(Duration::from_millis(1));
        tokio::select! {
            _ = shutdown.cancelled() => break,
            _ = wake.notified() => {}
            _ = tokio::time::sleep(until_gate) => {}
        }
    }
    // Sends in flight finish (and are recorded) before the dispatcher stops.
    while lanes.join_next().await.is_some() {}
}

/// Claims one round of due messages and starts a lane per instance; returns how many were
/// claimed and when the next gated instance opens.
async fn dispatch_due(
    gateway: &Gateway,
    config: &DispatcherConfig,
    busy: &Busy,
    lanes: &mut JoinSet<()>,
) -> Result<(usize, Option<chrono::DateTime<Utc>>), crate::services::ServiceError> {
    let lease_until = gateway.now() + chrono::Duration::seconds(config.lease_secs as i64);
    let round = gateway
        .claim_due(
            lease_until,
            config.batch_size,
            &busy.snapshot(),
            config.breaker_threshold,
        )
        .await?;
    let count = round.messages.len();
    // One lane per instance: an instance's messages go in order, one at a time, while the
    // lanes run side by side and the dispatcher goes on claiming for other instances, so a
    // slow or typing number holds up no other.
    let mut by_instance: Vec<Vec<ClaimedMessage>> = Vec::new();
    for claimed in round.messages {
        match by_instance
            .iter_mut()
            .find(|lane| lane[0].message.instance_id == claimed.message.instance_id)
        {
            Some(lane) => lane.push(claimed),
            None => by_instance.push(vec![claimed]),
        }
    }
    for lane in by_instance {
        let guard = busy.enter(lane[0].message.instance_id.clone());
        let gateway = gateway.clone();
        let config = config.clone();
        lanes.spawn(async move {
            if lane[0].engine == EngineKind::Cloud {
                send_side_by_side(&gateway, &config, lane, guard).await;
            } else {
                for claimed in lane {
                    let outcome = deliver(&gateway, &claimed).await;
                    record(&gateway, &config, &claimed, outcome).await;
                }
                release(&gateway, Some(guard));
            }
        });
    }
    Ok((count, round.next_gate))
}

/// A cloud number's burst: Meta answers each send in a few hundred milliseconds, so one at a
/// time would hold a number far below its throughput. Chats go side by side; one chat's
/// messages still go in order. Once Meta accepted every send of the burst the number is free
/// for its next one (its gate still holds it to its rate) while the results are recorded:
/// otherwise each burst would wait for the last one's writes.
async fn send_side_by_side(
    gateway: &Gateway,
    config: &DispatcherConfig,
    lane: Vec<ClaimedMessage>,
    guard: BusyGuard,
) {
    let mut chats: Vec<Vec<ClaimedMessage>> = Vec::new();
    for claimed in lane {
        match chats
            .iter_mut()
            .find(|chat| chat[0].message.chat_jid == claimed.message.chat_jid)
        {
            Some(chat) => chat.push(claimed),
            None => chats.push(vec![claimed]),
        }
    }
    let sends = chats.into_iter().map(|chat| async move {
        let mut outcomes = Vec::with_capacity(chat.len());
        for claimed in chat {
            let outcome = deliver(gateway, &claimed).await;
            outcomes.push((claimed, outcome));
        }
        outcomes
    });
    let outcomes: Vec<_> = futures_util::future::join_all(sends)
        .await
        .into_iter()
        .flatten()
        .collect();
    // A failure is counted by the breaker before the number may be claimed again.
    let mut guard = Some(guard);
    if outcomes.iter().all(|(_, outcome)| outcome.is_ok()) {
        release(gateway, guard.take());
    }
    let records = outcomes
        .into_iter()
        .map(|(claimed, outcome)| async move { record(gateway, config, &claimed, outcome).await });
    futures_util::future::join_all(records).await;
    release(gateway, guard);
}

/// Frees a lane's instance and lets the dispatcher claim for it again.
fn release(gateway: &Gateway, guard: Option<BusyGuard>) {
    if let Some(guard) = guard {
        drop(guard);
        gateway.dispatcher_wake().notify_one();
    }
}

/// Hands a claimed message to its session: "typing…" first when asked, then the send.
async fn deliver(gateway: &Gateway, claimed: &ClaimedMessage) -> Result<SendReceipt, EngineError> {
    let message = &claimed.message;
    let (session, outgoing) = gateway.outgoing(claimed).await?;
    let typing = if claimed.simulate_typing || claimed.typing_ms.is_some() {
        let lasting = claimed.typing_ms.map_or_else(
            || gateway.typing_time(&outgoing.content),
            |ms| Duration::from_millis(u64::from(ms)),
        );
        show_typing(session.as_ref(), &outgoing, lasting).await
    } else {
        Duration::ZERO
    };
    let outcome = session.send(&outgoing).await;
    if let Err(error) = gateway.after_paced_send(claimed, typing).await {
        tracing::error!(instance = %message.instance_id, %error, "could not move the pacing gate");
    }
    outcome
}

/// Stores what became of a send: `sent`, or a retry or failure (and the breaker's count).
async fn record(
    gateway: &Gateway,
    config: &DispatcherConfig,
    claimed: &ClaimedMessage,
    outcome: Result<SendReceipt, EngineError>,
) {
    let message = &claimed.message;
    let result = match outcome {
        Ok(receipt) => {
            if let Err(error) = gateway
                .on_engine_success(&message.instance_id, claimed.breaker_failures)
                .await
            {
                tracing::error!(instance = %message.instance_id, %error, "could not reset the breaker");
            }
            gateway.on_message_sent(message, receipt).await
        }
        Err(error) => {
            tracing::warn!(message = %message.id, %error, "send failed");
            if let Err(error) = gateway
                .on_engine_failure(
                    &message.instance_id,
                    &error,
                    config.breaker_threshold,
                    Duration::from_secs(config.breaker_pause_secs),
                )
                .await
            {
                tracing::error!(instance = %message.instance_id, %error, "could not count an engine failure");
            }
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

/// "typing…" (or "recording audio…" before audio) for `typing`, in the lane rather than in
/// any request; answers how long it showed.
async fn show_typing(
    session: &dyn wagate_engine::Session,
    outgoing: &OutgoingMessage,
    typing: Duration,
) -> Duration {
    let presence = match outgoing.content {
        wagate_core::MessageContent::Audio { .. } => wagate_engine::ChatPresence::Recording,
        _ => wagate_engine::ChatPresence::Composing,
    };
    if let Err(error) = session.set_chat_presence(&outgoing.to, presence).await {
        tracing::debug!(%error, "typing not shown");
        return Duration::ZERO;
    }
    tokio::time::sleep(typing).await;
    if let Err(error) = session
        .set_chat_presence(&outgoing.to, wagate_engine::ChatPresence::Paused)
        .await
    {
        tracing::debug!(%error, "typing not stopped");
    }
    typing
}

impl Gateway {
    /// The session and the engine's view of a claimed message; a message the number may not
    /// send (outside a cloud number's service window) fails here, before it is sent.
    async fn outgoing(
        &self,
        claimed: &ClaimedMessage,
    ) -> Result<(std::sync::Arc<dyn wagate_engine::Session>, OutgoingMessage), EngineError> {
        let message = &claimed.message;
        if claimed.engine == EngineKind::Cloud {
            self.check_service_window(message).await?;
        }
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
                status_post: message.status_post.clone(),
            },
        ))
    }
}
