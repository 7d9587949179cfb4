//! Taking a message out of the queue before it is sent, and putting a failed one back in.

use super::event_payloads::message_event;
use super::messages::transition_events;
use super::{Gateway, Principal, ServiceError, ServiceResult};
use chrono::Utc;
use wagate_core::{EventKind, MessageStatus};
use wagate_store::{MessageRecord, MessageTransition};

impl Gateway {
    /// Cancels a message that is still waiting: `queued`, `scheduled` or `retrying`. Once the
    /// dispatcher has claimed it, it is too late (409).
    pub async fn cancel_message(
        &self,
        principal: &Principal,
        id: &str,
    ) -> ServiceResult<MessageRecord> {
        let message = self.get_message(principal, id).await?.message;
        let waiting = |status: MessageStatus| {
            matches!(
                status,
                MessageStatus::Queued | MessageStatus::Scheduled | MessageStatus::Retrying
            )
        };
        let cancelled = self
            .store
            .transition_message(
                &message.instance_id,
                &message.id.to_string(),
                |current| {
                    waiting(current.status).then(|| MessageTransition {
                        steps: vec![(MessageStatus::Cancelled, Utc::now())],
                        ..Default::default()
                    })
                },
                transition_events,
            )
            .await?;
        cancelled.ok_or_else(|| {
            ServiceError::Conflict(format!(
                "only queued, scheduled or retrying messages can be cancelled; this one is {}",
                message.status.as_str()
            ))
        })
    }

    /// Queues a failed message again, due now, with its attempts counted afresh.
    pub async fn retry_message(
        &self,
        principal: &Principal,
        id: &str,
    ) -> ServiceResult<MessageRecord> {
        let message = self.get_message(principal, id).await?.message;
        let requeued = self
            .store
            .requeue_failed_message(&message.id, |record| {
                vec![message_event(EventKind::MessageQueued, record)]
            })
            .await?
            .ok_or_else(|| {
                ServiceError::Conflict(format!(
                    "only failed messages can be retried; this one is {}",
                    message.status.as_str()
                ))
            })?;
        self.dispatcher_wake.notify_one();
        Ok(requeued)
    }
}
