//! Acting on messages already in a chat: react, edit, revoke, mark read, forward, pin.
//!
//! Each goes to WhatsApp at once through the instance's session and is answered with what
//! happened; where WhatsApp would refuse (editing someone else's message, revoking twice,
//! editing after 15 minutes) the answer is 409 and nothing is sent.

use super::event_payloads::{message_data, rfc3339};
use super::send_parse::{SendRequest, is_emoji};
use super::{Gateway, Principal, ServiceError, ServiceResult};
use chrono::{Duration, Utc};
use serde::Deserialize;
use serde_json::json;
use wagate_core::status_post::STATUS_LIFETIME_HOURS;
use wagate_core::{Capability, EventKind, Jid, MessageContent, MessageStatus, TextBody};
use wagate_engine::MessageOperation;
use wagate_store::{Direction, InstanceRecord, MessageChange, MessageRecord, NewEvent};

/// WhatsApp lets a sender edit a message for 15 minutes.
const EDIT_WINDOW_MINUTES: i64 = 15;
/// WhatsApp lets a sender delete a message for everyone for about two and a half days.
const REVOKE_WINDOW_HOURS: i64 = 60;

/// `POST /api/v1/messages/{id}/react`.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
pub struct ReactRequest {
    /// One emoji; an empty string removes your reaction.
    #[schema(example = "👍")]
    pub emoji: Option<String>,
}

/// `POST /api/v1/messages/{id}/edit`.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
pub struct EditRequest {
    #[schema(example = "Hello (edited)")]
    pub text: Option<String>,
}

/// `POST /api/v1/messages/{id}/forward`.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
pub struct ForwardRequest {
    /// A phone number or JID, as for sends.
    #[schema(example = "15550003333")]
    pub to: Option<String>,
}

/// `POST /api/v1/messages/{id}/pin`.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
pub struct PinRequest {
    /// How long the pin lasts: `24h`, `7d` (default) or `30d`, as WhatsApp offers.
    #[schema(example = "7d")]
    pub duration: Option<String>,
}

fn pin_seconds(duration: Option<&str>) -> ServiceResult<u32> {
    match duration.unwrap_or("7d") {
        "24h" => Ok(24 * 3600),
        "7d" => Ok(7 * 24 * 3600),
        "30d" => Ok(30 * 24 * 3600),
        other => Err(ServiceError::field(
            "duration",
            format!("'{other}' is not one of 24h, 7d, 30d"),
        )),
    }
}

fn operation_event(
    instance: &InstanceRecord,
    kind: EventKind,
    message: &MessageRecord,
    extra: serde_json::Value,
) -> NewEvent {
    let mut data = message_data(message);
    if let (Some(data), Some(extra)) = (data.as_object_mut(), extra.as_object()) {
        data.extend(extra.clone());
    }
    NewEvent {
        account_id: instance.account_id.clone(),
        instance_id: Some(instance.id.clone()),
        instance_name: Some(instance.name.as_str().to_owned()),
        kind,
        data,
    }
}

fn conflict(message: &str) -> ServiceError {
    ServiceError::Conflict(message.to_owned())
}

/// A message, its instance and what WhatsApp calls it, ready for an operation.
struct Target {
    instance: InstanceRecord,
    message: MessageRecord,
    chat: Jid,
    provider_id: String,
}

impl Gateway {
    async fn operation_target(
        &self,
        principal: &Principal,
        id: &str,
        needs: Capability,
    ) -> ServiceResult<Target> {
        let message = self.get_message(principal, id).await?.message;
        let instance = self
            .store
            .get_instance(&message.instance_id)
            .await?
            .ok_or(ServiceError::NotFound("message"))?;
        if !self.capabilities(instance.engine).contains(&needs) {
            return Err(ServiceError::NotSupported(format!(
                "the {} engine cannot do this to messages",
                instance.engine.as_str()
            )));
        }
        if message.status_post.is_some() && needs != Capability::RevokeMessages {
            return Err(conflict(
                "a status cannot be edited, reacted to or pinned; it can only be deleted",
            ));
        }
        let provider_id = message
            .provider_message_id
            .clone()
            .ok_or_else(|| conflict("the message has not reached WhatsApp yet (it is not sent)"))?;
        let chat = Jid::parse(&message.chat_jid)
            .map_err(|e| ServiceError::Conflict(format!("the message's chat is invalid: {e}")))?;
        Ok(Target {
            instance,
            message,
            chat,
            provider_id,
        })
    }

    async fn perform(&self, target: &Target, operation: MessageOperation) -> ServiceResult<()> {
        let session = self.sessions.live(&target.instance.id).ok_or_else(|| {
            ServiceError::InstanceNotConnected(format!(
                "the instance is not connected (status: {}); try again once it is",
                target.instance.status.as_str()
            ))
        })?;
        session.perform(&operation).await?;
        Ok(())
    }

    /// Reacts to a message (sent or received) with one emoji; an empty emoji removes it.
    pub async fn react_to_message(
        &self,
        principal: &Principal,
        id: &str,
        request: ReactRequest,
    ) -> ServiceResult<MessageRecord> {
        let emoji = request.emoji.ok_or_else(|| {
            ServiceError::field("emoji", "is required (empty removes the reaction)")
        })?;
        if !emoji.is_empty() && !is_emoji(&emoji) {
            return Err(ServiceError::field(
                "emoji",
                "must be one emoji, or empty to remove the reaction",
            ));
        }
        let target = self
            .operation_target(principal, id, Capability::SendReaction)
            .await?;
        self.perform(
            &target,
            MessageOperation::React {
                chat: target.chat.clone(),
                target: target.provider_id.clone(),
                emoji: emoji.clone(),
            },
        )
        .await?;
        let event = operation_event(
            &target.instance,
            EventKind::MessageReaction,
            &target.message,
            json!({ "emoji": emoji, "from": "me", "providerMessageId": target.provider_id }),
        );
        self.store
            .set_reaction(&target.message, "me", &emoji, Utc::now(), vec![event])
            .await?;
        Ok(target.message)
    }

    /// Replaces the text of one of our own text messages, within WhatsApp's 15 minutes.
    pub async fn edit_message(
        &self,
        principal: &Principal,
        id: &str,
        request: EditRequest,
    ) -> ServiceResult<MessageRecord> {
        let text = request
            .text
            .ok_or_else(|| ServiceError::field("text", "is required"))?;
        let body = TextBody::parse(&text).map_err(|e| ServiceError::field("text", e))?;
        let target = self
            .operation_target(principal, id, Capability::EditMessages)
            .await?;
        let editable = |message: &MessageRecord| -> Result<bool, ServiceError> {
            if message.direction != Direction::Outbound {
                return Err(conflict("only your own messages can be edited"));
            }
            if !matches!(message.content, MessageContent::Text { .. }) {
                return Err(conflict("only text messages can be edited"));
            }
            if message.revoked_at.is_some() {
                return Err(conflict("the message was deleted for everyone"));
            }
            let sent = message
                .sent_at
                .ok_or_else(|| conflict("the message is not sent yet"))?;
            if Utc::now() - sent > Duration::minutes(EDIT_WINDOW_MINUTES) {
                return Err(conflict(
                    "WhatsApp allows edits for 15 minutes after sending",
                ));
            }
            Ok(true)
        };
        editable(&target.message)?;
        self.perform(
            &target,
            MessageOperation::Edit {
                chat: target.chat.clone(),
                target: target.provider_id.clone(),
                text: text.clone(),
            },
        )
        .await?;
        let now = Utc::now();
        let instance = target.instance.clone();
        self.store
            .modify_message(
                &target.instance.id,
                &target.message.id,
                |current| {
                    let MessageContent::Text { preview_url, .. } = current.content else { return None };
                    editable(current).ok()?;
                    Some(MessageChange {
                        content: Some(MessageContent::Text { body: body.clone(), preview_url }),
                        edited_at: Some(now),
                        ..Default::default()
                    })
                },
                |before, after| {
                    vec![operation_event(
                        &instance,
                        EventKind::MessageEdited,
                        after,
                        json!({ "text": after.content.summary(), "previousText": before.content.summary(), "editedAt": rfc3339(now) }),
                    )]
                },
            )
            .await?
            .ok_or_else(|| conflict("the message changed meanwhile; try again"))
    }

    /// Deletes one of our own messages for everyone.
    pub async fn revoke_message(
        &self,
        principal: &Principal,
        id: &str,
    ) -> ServiceResult<MessageRecord> {
        let target = self
            .operation_target(principal, id, Capability::RevokeMessages)
            .await?;
        let revocable = |message: &MessageRecord| -> Result<(), ServiceError> {
            if message.direction != Direction::Outbound {
                return Err(conflict(
                    "only your own messages can be deleted for everyone",
                ));
            }
            if message.revoked_at.is_some() {
                return Err(conflict("the message was already deleted for everyone"));
            }
            let sent = message
                .sent_at
                .ok_or_else(|| conflict("the message is not sent yet"))?;
            let age = Utc::now() - sent;
            if message.status_post.is_some() && age > Duration::hours(STATUS_LIFETIME_HOURS) {
                return Err(conflict(
                    "a status disappears 24 hours after it is posted; it is gone already",
                ));
            }
            if age > Duration::hours(REVOKE_WINDOW_HOURS) {
                return Err(conflict(
                    "WhatsApp allows deleting for everyone for 60 hours after sending",
                ));
            }
            Ok(())
        };
        revocable(&target.message)?;
        let operation = match &target.message.status_post {
            Some(post) => MessageOperation::RevokeStatus {
                target: target.provider_id.clone(),
                recipients: post.recipients.clone(),
            },
            None => MessageOperation::Revoke {
                chat: target.chat.clone(),
                target: target.provider_id.clone(),
            },
        };
        self.perform(&target, operation).await?;
        let now = Utc::now();
        let instance = target.instance.clone();
        self.store
            .modify_message(
                &target.instance.id,
                &target.message.id,
                |current| {
                    revocable(current).ok()?;
                    Some(MessageChange {
                        revoked_at: Some(now),
                        ..Default::default()
                    })
                },
                |_, after| {
                    vec![operation_event(
                        &instance,
                        EventKind::MessageRevoked,
                        after,
                        json!({ "revokedAt": rfc3339(now), "from": "me" }),
                    )]
                },
            )
            .await?
            .ok_or_else(|| conflict("the message was already deleted for everyone"))
    }

    /// Marks a received message read: the sender sees blue ticks. Marking it again is a no-op.
    pub async fn mark_read(&self, principal: &Principal, id: &str) -> ServiceResult<MessageRecord> {
        let target = self
            .operation_target(principal, id, Capability::MarkRead)
            .await?;
        if target.message.direction != Direction::Inbound {
            return Err(conflict("only received messages can be marked read"));
        }
        if target.message.status == MessageStatus::Read {
            return Ok(target.message);
        }
        let updated = self.mark_target_read(&target).await?;
        match updated {
            Some(message) => Ok(message),
            None => Ok(self.get_message(principal, id).await?.message),
        }
    }

    /// Tells WhatsApp a received message was read and records it (`message.read`); `None`
    /// when it was read meanwhile.
    async fn mark_target_read(&self, target: &Target) -> ServiceResult<Option<MessageRecord>> {
        let sender = target
            .message
            .sender
            .as_deref()
            .and_then(|s| wagate_core::Recipient::parse(s).ok())
            .map(|r| r.jid());
        self.perform(
            target,
            MessageOperation::MarkRead {
                chat: target.chat.clone(),
                target: target.provider_id.clone(),
                sender,
            },
        )
        .await?;
        let now = Utc::now();
        let instance = target.instance.clone();
        Ok(self
            .store
            .modify_message(
                &target.instance.id,
                &target.message.id,
                |current| {
                    (current.status != MessageStatus::Read).then(|| MessageChange {
                        read_at: Some(now),
                        ..Default::default()
                    })
                },
                |_, after| {
                    vec![operation_event(
                        &instance,
                        EventKind::MessageRead,
                        after,
                        json!({ "readAt": rfc3339(now) }),
                    )]
                },
            )
            .await?)
    }

    /// Marks a received message of `instance` read, on WhatsApp and here; `None` when it was
    /// read meanwhile.
    pub(crate) async fn read_received(
        &self,
        instance: &InstanceRecord,
        message: &MessageRecord,
    ) -> ServiceResult<Option<MessageRecord>> {
        let provider_id = message
            .provider_message_id
            .clone()
            .ok_or_else(|| conflict("the message has no WhatsApp id"))?;
        let chat = Jid::parse(&message.chat_jid)
            .map_err(|e| ServiceError::Conflict(format!("the message's chat is invalid: {e}")))?;
        let target = Target {
            instance: instance.clone(),
            message: message.clone(),
            chat,
            provider_id,
        };
        self.mark_target_read(&target).await
    }

    /// `autoReadMessages`: marks a message read as it arrives. A failure is logged, not
    /// returned: the message is stored, and can still be marked read through the API.
    pub(crate) async fn auto_read(&self, instance: &InstanceRecord, message: &MessageRecord) {
        if let Err(error) = self.read_received(instance, message).await {
            tracing::warn!(instance = %instance.id, message = %message.id, %error, "an arrived message could not be marked read");
        }
    }

    /// Pins a message in its chat for a while, or unpins it.
    pub async fn pin_message(
        &self,
        principal: &Principal,
        id: &str,
        pin: Option<PinRequest>,
    ) -> ServiceResult<MessageRecord> {
        let seconds = match &pin {
            Some(request) => Some(pin_seconds(request.duration.as_deref())?),
            None => None,
        };
        let target = self
            .operation_target(principal, id, Capability::PinMessages)
            .await?;
        let now = Utc::now();
        let pinned = target.message.pinned_until.is_some_and(|until| until > now);
        if seconds.is_none() && !pinned {
            return Err(conflict("the message is not pinned"));
        }
        if target.message.revoked_at.is_some() {
            return Err(conflict("the message was deleted for everyone"));
        }
        self.perform(
            &target,
            MessageOperation::Pin {
                chat: target.chat.clone(),
                target: target.provider_id.clone(),
                seconds,
            },
        )
        .await?;
        let until = seconds.map(|s| now + Duration::seconds(i64::from(s)));
        let kind = if until.is_some() {
            EventKind::MessagePinned
        } else {
            EventKind::MessageUnpinned
        };
        let instance = target.instance.clone();
        self.store
            .modify_message(
                &target.instance.id,
                &target.message.id,
                |_| {
                    Some(MessageChange {
                        pinned_until: Some(until),
                        ..Default::default()
                    })
                },
                |_, after| {
                    vec![operation_event(
                        &instance,
                        kind,
                        after,
                        json!({ "pinnedUntil": until.map(rfc3339) }),
                    )]
                },
            )
            .await?
            .ok_or_else(|| conflict("the message changed meanwhile; try again"))
    }

    /// Forwards a message's content to another chat: a new message, queued like any send.
    pub async fn forward_message(
        &self,
        principal: &Principal,
        id: &str,
        request: ForwardRequest,
    ) -> ServiceResult<MessageRecord> {
        let message = self.get_message(principal, id).await?.message;
        if message.revoked_at.is_some() {
            return Err(conflict("the message was deleted for everyone"));
        }
        if matches!(message.content, MessageContent::Reaction { .. }) {
            return Err(conflict("reactions cannot be forwarded"));
        }
        let to = request
            .to
            .ok_or_else(|| ServiceError::field("to", "is required"))?;
        let instance = self
            .store
            .get_instance(&message.instance_id)
            .await?
            .ok_or(ServiceError::NotFound("message"))?;
        self.send_content(
            principal,
            instance.id.as_str(),
            SendRequest {
                to: Some(to),
                ..Default::default()
            },
            Some(message.content),
        )
        .await
    }
}
