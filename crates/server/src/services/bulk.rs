//! Bulk sends (seed 004's `POST /messages/bulk`): many messages in one request, each checked
//! like a single send. Invalid items are reported by index; the valid ones are stored together
//! in one transaction under one batch id, so the batch is queued whole or not at all.

use super::send_parse::{SendRequest, parse_send};
use super::{Gateway, Principal, ServiceError, ServiceResult};
use serde::Deserialize;
use serde_json::Value;
use wagate_core::{FieldError, ValidationErrors};
use wagate_store::{MessageRecord, NewOutboundMessage};

/// `POST /api/v1/instances/{id}/messages/bulk`.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct BulkRequest {
    /// Sends, each with the fields of a single send (`to`, `text`, `image`, …, `sendAt`).
    #[schema(value_type = Vec<SendRequest>)]
    pub messages: Vec<Value>,
}

/// Why one item of a bulk request was not queued.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct BulkItemError {
    /// The item's position in `messages`, from 0.
    pub index: usize,
    pub details: Vec<FieldError>,
}

pub struct BulkOutcome {
    pub batch_id: String,
    pub total: usize,
    pub queued: Vec<MessageRecord>,
    pub errors: Vec<BulkItemError>,
}

impl Gateway {
    pub async fn send_bulk(
        &self,
        principal: &Principal,
        id_or_name: &str,
        request: BulkRequest,
    ) -> ServiceResult<BulkOutcome> {
        let total = request.messages.len();
        if total == 0 || total > self.max_bulk_messages {
            return Err(ServiceError::field(
                "messages",
                format!("must hold 1 to {} messages", self.max_bulk_messages),
            ));
        }
        let instance = self.resolve_instance(principal, id_or_name).await?;
        if !instance.linked {
            return Err(ServiceError::InstanceNotConnected(format!(
                "the instance has not been linked to a WhatsApp number (status: {}); connect it first",
                instance.status.as_str()
            )));
        }
        super::breaker::refuse_if_paused(&instance, self.now())?;
        let reach = super::media::MediaReach::of(principal);
        let batch_id = uuid::Uuid::now_v7().to_string();
        let mut news = Vec::new();
        let mut errors = Vec::new();
        for (index, item) in request.messages.into_iter().enumerate() {
            let item: Result<SendRequest, _> = serde_json::from_value(item);
            let checked = match item {
                Ok(send) => self.checked_item(&instance, reach, send).await,
                Err(error) => {
                    let mut invalid = ValidationErrors::default();
                    invalid.push("messages", format!("not a send: {error}"));
                    Err(ServiceError::Validation(invalid))
                }
            };
            match checked {
                Ok((outbound, handling)) => news.push(NewOutboundMessage {
                    account_id: instance.account_id.clone(),
                    instance_id: instance.id.clone(),
                    recipient: outbound.to.normalized(),
                    chat_jid: outbound.to.jid().to_string(),
                    content: outbound.content,
                    reply_to: outbound.reply_to,
                    mentions: outbound.mentions,
                    metadata: outbound.metadata,
                    send_at: handling.send_at,
                    batch_id: Some(batch_id.clone()),
                    simulate_typing: handling.typing.stored().0,
                    typing_ms: handling.typing.stored().1,
                    respect_cap: self.paces(&instance) && !handling.dry_run,
                    status_post: outbound.status_post,
                    dry_run: handling.dry_run,
                }),
                Err(ServiceError::Validation(invalid)) => errors.push(BulkItemError {
                    index,
                    details: invalid.0,
                }),
                Err(
                    error @ (ServiceError::NotSupported(_)
                    | ServiceError::PayloadTooLarge(_)
                    | ServiceError::UnsupportedMediaType(_)),
                ) => errors.push(BulkItemError {
                    index,
                    details: vec![FieldError {
                        field: "messages".to_owned(),
                        message: error.to_string(),
                    }],
                }),
                Err(other) => return Err(other),
            }
        }
        let queued = if news.is_empty() {
            Vec::new()
        } else {
            let stored = self
                .store
                .insert_outbound_messages(news, super::send_batcher::queued_event)
                .await?;
            self.dispatcher_wake.notify_one();
            stored
        };
        Ok(BulkOutcome {
            batch_id,
            total,
            queued,
            errors,
        })
    }

    async fn checked_item(
        &self,
        instance: &wagate_store::InstanceRecord,
        reach: super::media::MediaReach,
        send: SendRequest,
    ) -> ServiceResult<(
        wagate_core::OutboundMessage,
        super::send_parse::SendHandling,
    )> {
        let parsed = parse_send(send)?;
        let handling = parsed.handling();
        Ok((
            self.complete_outbound(instance, reach, parsed).await?,
            handling,
        ))
    }
}
