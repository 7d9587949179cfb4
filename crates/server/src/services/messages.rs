//! Messages: accepting sends, following them through the dispatcher and the receipts, and
//! reading them back.
//!
//! A send is validated, then stored as `queued` with its `message.queued` event in one
//! transaction before the caller gets its id. The dispatcher and the engines' receipts move it
//! forward only — `queued → processing → sent → delivered → read`, or `retrying` / `failed`.

use super::event_payloads::message_event;
use super::media::MediaReach;
use super::send_parse::{
    MediaKind, ParsedSend, PendingContent, SendHandling, SendRequest, Typing, parse_send,
};
use super::{Gateway, Principal, ServiceError, ServiceResult};
use chrono::{DateTime, Utc};
use rand::Rng;
use serde::Deserialize;
use std::time::Duration;
use wagate_core::{
    EventKind, InstanceId, MessageContent, MessageId, MessageStatus, OutboundMessage, Recipient,
    StatusPost, ValidationErrors,
};
use wagate_engine::{EngineError, SendReceipt};
use wagate_store::{
    Direction, InstanceRecord, MessageFilter, MessageRecord, MessageTransition, NewEvent,
    NewOutboundMessage, Page, ReactionRecord, TimelineEntry,
};

/// `GET /api/v1/messages` filters.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct MessageListQuery {
    /// Only messages in this status.
    pub status: Option<String>,
    /// Only messages of this instance (id or name).
    pub instance: Option<String>,
    /// Page size, 1 to 200 (default 20).
    pub limit: Option<i64>,
    /// Page number from 1 (default 1).
    pub page: Option<i64>,
    /// `inbound` (received) or `outbound` (sent).
    pub direction: Option<String>,
    /// Only messages of this chat: a phone number or JID.
    pub chat: Option<String>,
    /// Only the messages of this bulk request.
    #[serde(rename = "batchId")]
    pub batch_id: Option<String>,
}

/// A message with its timeline.
pub struct MessageView {
    pub message: MessageRecord,
    pub timeline: Vec<TimelineEntry>,
    pub reactions: Vec<ReactionRecord>,
}

const DEFAULT_PAGE_SIZE: i64 = 20;
const MAX_PAGE_SIZE: i64 = 200;

/// The events of one transition: `message.sent` when it reaches sent, `message.failed` when it
/// fails, and `message.status_updated` for every visible status it passes through.
pub(super) fn transition_events(
    transition: &MessageTransition,
    message: &MessageRecord,
) -> Vec<NewEvent> {
    let mut events = Vec::new();
    for (status, _) in &transition.steps {
        let mut updated = message_event(EventKind::MessageStatusUpdated, message);
        updated.data["status"] = serde_json::json!(status);
        match status {
            MessageStatus::Sent => {
                let mut sent = message_event(EventKind::MessageSent, message);
                sent.data["status"] = serde_json::json!(status);
                events.push(sent);
            }
            MessageStatus::Failed => events.push(message_event(EventKind::MessageFailed, message)),
            MessageStatus::Processing => continue,
            _ => {}
        }
        events.push(updated);
    }
    events
}

/// Exponential backoff with up to 20% jitter: base, 2×base, 4×base, …
pub fn retry_delay(base: Duration, attempt: i64) -> Duration {
    let exponent = u32::try_from(attempt.saturating_sub(1))
        .unwrap_or(0)
        .min(16);
    let delay = base.saturating_mul(2u32.saturating_pow(exponent));
    let jitter = rand::rng().random_range(0.0..=0.2);
    delay.mul_f64(1.0 + jitter)
}

impl Gateway {
    /// The id WhatsApp knows (or, before sending, will know) an outbound message by, when its
    /// engine chooses it; WhatsApp's own id once sent.
    pub fn whatsapp_id(
        &self,
        engine: wagate_core::EngineKind,
        message: &MessageRecord,
    ) -> Option<String> {
        message
            .provider_message_id
            .clone()
            .or_else(|| self.sessions.planned_message_id(engine, &message.id))
    }

    /// Accepts a message for sending. It is stored before this returns.
    pub async fn send_message(
        &self,
        principal: &Principal,
        id_or_name: &str,
        request: SendRequest,
    ) -> ServiceResult<MessageRecord> {
        self.send_content(principal, id_or_name, request, None)
            .await
    }

    /// Sends `content` when given (a forward), else the content of `request`.
    pub(crate) async fn send_content(
        &self,
        principal: &Principal,
        id_or_name: &str,
        request: SendRequest,
        content: Option<MessageContent>,
    ) -> ServiceResult<MessageRecord> {
        let instance = self.resolve_instance(principal, id_or_name).await?;
        let parsed = match content {
            None => parse_send(request)?,
            Some(content) => ParsedSend {
                to: Some(
                    Recipient::parse(request.to.as_deref().unwrap_or_default())
                        .map_err(|e| ServiceError::field("to", e.to_string()))?,
                ),
                content: PendingContent::Ready(content),
                reply_to: None,
                mentions: Vec::new(),
                metadata: None,
                send_at: None,
                typing: Typing::Off,
                dry_run: false,
            },
        };
        self.accept_parsed(&instance, MediaReach::of(principal), parsed, None)
            .await
    }

    /// Queues a parsed send (a status with its audience) on a linked instance that may send.
    pub(crate) async fn accept_parsed(
        &self,
        instance: &InstanceRecord,
        reach: MediaReach,
        parsed: ParsedSend,
        status_post: Option<StatusPost>,
    ) -> ServiceResult<MessageRecord> {
        if !instance.linked {
            return Err(ServiceError::InstanceNotConnected(format!(
                "the instance has not been linked to a WhatsApp number (status: {}); connect it first",
                instance.status.as_str()
            )));
        }
        super::breaker::refuse_if_paused(instance, self.now())?;
        let handling = parsed.handling();
        let mut outbound = self.complete_outbound(instance, reach, parsed).await?;
        outbound.status_post = status_post;
        self.queue_outbound(instance, outbound, handling).await
    }

    /// A parsed send made whole (media stored, quoted and reacted messages found) and checked
    /// against what the instance's engine can send. A `mediaId` must be within `reach`.
    pub(crate) async fn complete_outbound(
        &self,
        instance: &InstanceRecord,
        reach: MediaReach,
        parsed: ParsedSend,
    ) -> ServiceResult<OutboundMessage> {
        let outbound = self.complete_send(instance, reach, parsed).await?;
        let needed = outbound.content.required_capability();
        if !self.capabilities(instance.engine).contains(&needed) {
            return Err(ServiceError::NotSupported(format!(
                "the {} engine cannot send {} messages",
                instance.engine.as_str(),
                outbound.content.type_name()
            )));
        }
        Ok(outbound)
    }

    /// Stores a complete outbound message as queued (scheduled for `send_at`, simulated for a
    /// dry run), with its event, and wakes the dispatcher.
    pub(crate) async fn queue_outbound(
        &self,
        instance: &InstanceRecord,
        outbound: OutboundMessage,
        handling: SendHandling,
    ) -> ServiceResult<MessageRecord> {
        let SendHandling {
            send_at,
            typing,
            dry_run,
        } = handling;
        let (simulate_typing, typing_ms) = typing.stored();
        let new = NewOutboundMessage {
            account_id: instance.account_id.clone(),
            instance_id: instance.id.clone(),
            recipient: outbound.to.normalized(),
            chat_jid: outbound.to.jid().to_string(),
            content: outbound.content,
            reply_to: outbound.reply_to,
            mentions: outbound.mentions,
            metadata: outbound.metadata,
            send_at,
            batch_id: None,
            simulate_typing,
            typing_ms,
            respect_cap: self.paces(instance) && !dry_run,
            status_post: outbound.status_post,
            dry_run,
        };
        Ok(self.sends.insert(new).await?)
    }

    /// The content of a parsed send with its media stored (for simulated inbound messages).
    pub(crate) async fn complete_content(
        &self,
        instance: &InstanceRecord,
        reach: MediaReach,
        parsed: ParsedSend,
    ) -> ServiceResult<MessageContent> {
        Ok(self.complete_send(instance, reach, parsed).await?.content)
    }

    /// Finishes what parsing could not: stores media, finds the quoted and reacted messages.
    async fn complete_send(
        &self,
        instance: &InstanceRecord,
        reach: MediaReach,
        parsed: ParsedSend,
    ) -> ServiceResult<OutboundMessage> {
        let mut to = parsed.to;
        let reply_to = match parsed.reply_to {
            None => None,
            Some(id) => {
                let quoted = self
                    .store
                    .find_instance_message(&instance.id, &id)
                    .await?
                    .ok_or_else(|| {
                        ServiceError::field("replyTo", "no such message in this instance")
                    })?;
                Some(
                    quoted
                        .provider_message_id
                        .unwrap_or_else(|| quoted.id.to_string()),
                )
            }
        };
        let content = match parsed.content {
            PendingContent::Ready(content) => content,
            PendingContent::Reaction { message_id, emoji } => {
                let target = self
                    .store
                    .find_instance_message(&instance.id, &message_id)
                    .await?
                    .ok_or_else(|| {
                        ServiceError::field(
                            "reaction.messageId",
                            "no such message in this instance",
                        )
                    })?;
                if to.is_none() {
                    to = Some(Recipient::parse(&target.chat_jid).map_err(|e| {
                        ServiceError::field("to", format!("the reacted message's chat: {e}"))
                    })?);
                }
                let target_id = target.provider_message_id.ok_or_else(|| {
                    ServiceError::Conflict(
                        "the message has not reached WhatsApp yet; react once it is sent"
                            .to_owned(),
                    )
                })?;
                MessageContent::Reaction { target_id, emoji }
            }
            PendingContent::Media {
                kind,
                source,
                caption,
                file_name,
                gif,
                voice,
                view_once,
            } => {
                let media = self
                    .media_for_send(instance, reach, kind, source, file_name.clone())
                    .await?;
                match kind {
                    MediaKind::Image => MessageContent::Image {
                        media,
                        caption,
                        view_once,
                    },
                    MediaKind::Video => MessageContent::Video {
                        media,
                        caption,
                        gif,
                        view_once,
                    },
                    MediaKind::Audio => MessageContent::Audio {
                        media,
                        voice,
                        view_once,
                    },
                    MediaKind::Document => MessageContent::Document {
                        media,
                        caption,
                        file_name,
                    },
                    MediaKind::Sticker => MessageContent::Sticker { media },
                }
            }
        };
        let to = to.ok_or_else(|| ServiceError::field("to", "is required"))?;
        Ok(OutboundMessage {
            to,
            content,
            reply_to,
            mentions: parsed.mentions,
            metadata: parsed.metadata,
            status_post: None,
        })
    }

    pub async fn get_message(&self, principal: &Principal, id: &str) -> ServiceResult<MessageView> {
        let account = principal.account()?;
        let id = MessageId::parse(id.trim()).ok_or(ServiceError::NotFound("message"))?;
        let (message, timeline) = self
            .store
            .find_message_with_timeline(account, &id)
            .await?
            .ok_or(ServiceError::NotFound("message"))?;
        if principal
            .instance_limit()
            .is_some_and(|only| only != &message.instance_id)
        {
            return Err(ServiceError::NotFound("message"));
        }
        let reactions = self.store.message_reactions(&id).await?;
        Ok(MessageView {
            message,
            timeline,
            reactions,
        })
    }

    pub async fn list_messages(
        &self,
        principal: &Principal,
        query: MessageListQuery,
    ) -> ServiceResult<(Page<MessageRecord>, i64, i64)> {
        let account = principal.account()?.clone();
        let mut errors = ValidationErrors::default();
        let status = query
            .status
            .as_deref()
            .map(str::parse::<MessageStatus>)
            .transpose()
            .map_err(|e| errors.push("status", e))
            .ok()
            .flatten();
        let limit = query.limit.unwrap_or(DEFAULT_PAGE_SIZE);
        if !(1..=MAX_PAGE_SIZE).contains(&limit) {
            errors.push("limit", format!("must be between 1 and {MAX_PAGE_SIZE}"));
        }
        let direction = match query.direction.as_deref() {
            None => None,
            Some("inbound") => Some(Direction::Inbound),
            Some("outbound") => Some(Direction::Outbound),
            Some(_) => {
                errors.push("direction", "must be inbound or outbound");
                None
            }
        };
        let chat = query
            .chat
            .as_deref()
            .map(Recipient::parse)
            .transpose()
            .map_err(|e| errors.push("chat", e.to_string()))
            .ok()
            .flatten()
            .map(|recipient| recipient.jid().to_string());
        let page = query.page.unwrap_or(1);
        if page < 1 {
            errors.push("page", "must be 1 or more");
        }
        if !errors.is_empty() {
            return Err(errors.into());
        }
        let instance_id = match (&query.instance, principal.instance_limit()) {
            (Some(ident), _) => Some(self.resolve_instance(principal, ident).await?.id),
            (None, only) => only.cloned(),
        };
        let filter = MessageFilter {
            account_id: account,
            instance_id,
            status,
            direction,
            chat,
            batch_id: query
                .batch_id
                .map(|b| b.trim().to_owned())
                .filter(|b| !b.is_empty()),
            created_after: None,
            limit,
            offset: (page - 1).saturating_mul(limit),
        };
        Ok((self.store.list_messages(&filter).await?, page, limit))
    }

    /// The engine accepted the message. WhatsApp's id is recorded even when a receipt has
    /// already moved the message past `sent`.
    pub async fn on_message_sent(
        &self,
        message: &MessageRecord,
        receipt: SendReceipt,
    ) -> ServiceResult<()> {
        Ok(self
            .sent
            .record(&message.instance_id, message.id, receipt)
            .await?)
    }

    /// The engine could not send the message: retry later, or fail it for good.
    pub async fn on_message_send_failed(
        &self,
        message: &MessageRecord,
        error: &EngineError,
        max_attempts: i64,
        retry_base: Duration,
    ) -> ServiceResult<()> {
        let now = self.now();
        let (status, code, run_at) = match error {
            EngineError::Permanent { failure, .. } => (MessageStatus::Failed, failure.code(), None),
            EngineError::Refused { code, .. } => (MessageStatus::Failed, code.as_str(), None),
            EngineError::NotSupported { .. } => {
                (MessageStatus::Failed, "NOT_SUPPORTED_BY_ENGINE", None)
            }
            _ if message.attempts >= max_attempts => {
                (MessageStatus::Failed, "RETRIES_EXHAUSTED", None)
            }
            _ => {
                let delay = retry_delay(retry_base, message.attempts);
                let run_at = now + chrono::Duration::from_std(delay).unwrap_or_default();
                (MessageStatus::Retrying, "ENGINE_ERROR", Some(run_at))
            }
        };
        let text = match status {
            MessageStatus::Failed if code == "RETRIES_EXHAUSTED" => {
                format!("gave up after {} attempts: {error}", message.attempts)
            }
            _ => error.to_string(),
        };
        self.store
            .transition_message(
                &message.instance_id,
                &message.id.to_string(),
                |current| {
                    (current.status == MessageStatus::Processing).then(|| MessageTransition {
                        steps: vec![(status, now)],
                        error_code: Some(code.to_owned()),
                        error_message: Some(text.clone()),
                        run_at,
                        ..Default::default()
                    })
                },
                transition_events,
            )
            .await?;
        Ok(())
    }

    /// A receipt from the recipient's side. A receipt that overtakes the dispatcher's own
    /// "sent" record implies it; one that would move the message backwards is ignored.
    pub async fn on_receipt(
        &self,
        instance: &InstanceId,
        provider_message_id: &str,
        status: MessageStatus,
        at: DateTime<Utc>,
    ) -> ServiceResult<()> {
        self.store
            .transition_message(
                instance,
                provider_message_id,
                |current| {
                    if !current.status.can_move_to(status) {
                        return None;
                    }
                    let mut steps = Vec::new();
                    if current.sent_at.is_none() && status != MessageStatus::Sent {
                        steps.push((MessageStatus::Sent, at));
                    }
                    steps.push((status, at));
                    // A receipt may overtake the engine's answer to the send; the id it
                    // names is WhatsApp's id for the message either way.
                    Some(MessageTransition {
                        steps,
                        provider_message_id: current
                            .provider_message_id
                            .is_none()
                            .then(|| provider_message_id.to_owned()),
                        ..Default::default()
                    })
                },
                transition_events,
            )
            .await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_delays_grow_and_stay_within_jitter() {
        let base = Duration::from_secs(2);
        for attempt in 1..=5 {
            let expected = base * 2u32.pow(attempt as u32 - 1);
            let delay = retry_delay(base, attempt);
            assert!(
                delay >= expected && delay <= expected.mul_f64(1.2),
                "{attempt}: {delay:?}"
            );
        }
    }
}
