//! Intake: what arrives from WhatsApp — messages, reactions, edits, revokes, poll votes — is
//! stored with its event in one transaction. A repeated delivery changes nothing twice.

use super::event_payloads::{message_data, rfc3339};
use super::{Gateway, ServiceResult};
use serde_json::json;
use wagate_core::{EventKind, InstanceId, Jid, JidKind, MessageContent, TextBody};
use wagate_engine::{IncomingChange, IncomingMessage, Sender};
use wagate_store::{InstanceRecord, MessageChange, MessageRecord, NewEvent, NewInboundMessage};

/// How a sender is named: their number when WhatsApp tells it, their LID otherwise.
pub(super) fn sender_id(sender: &Sender) -> String {
    sender
        .phone
        .as_ref()
        .map(|p| p.as_str().to_owned())
        .or_else(|| sender.lid.clone())
        .unwrap_or_else(|| "unknown".to_owned())
}

fn sender_json(sender: &Sender) -> serde_json::Value {
    json!({
        "from": sender_id(sender),
        "fromPhone": sender.phone.as_ref().map(|p| p.as_str()),
        "fromLid": sender.lid,
        "pushName": sender.push_name,
    })
}

pub(super) fn event(
    instance: &InstanceRecord,
    kind: EventKind,
    data: serde_json::Value,
) -> NewEvent {
    NewEvent {
        account_id: instance.account_id.clone(),
        instance_id: Some(instance.id.clone()),
        instance_name: Some(instance.name.as_str().to_owned()),
        kind,
        data,
    }
}

/// `message.received`: the message as the API shows it, with who sent it.
fn received_data(message: &MessageRecord) -> serde_json::Value {
    let mut data = message_data(message);
    data["providerMessageId"] = json!(message.provider_message_id);
    data["from"] = json!(message.sender);
    data["fromLid"] = json!(message.sender_lid);
    data["pushName"] = json!(message.push_name);
    data["chat"] = json!(message.chat_jid);
    data["isGroup"] = json!(message.chat_jid.ends_with("@g.us"));
    data["body"] = json!(message.content.summary());
    data["content"] = serde_json::to_value(&message.content).unwrap_or_default();
    data["replyTo"] = json!(message.reply_to);
    data["timestamp"] = json!(message.sent_at.map(rfc3339));
    data
}

impl Gateway {
    pub(crate) async fn on_incoming(
        &self,
        instance_id: &InstanceId,
        incoming: IncomingMessage,
    ) -> ServiceResult<()> {
        let Some(instance) = self.store.get_instance(instance_id).await? else {
            return Ok(());
        };
        if instance.settings.ignore_groups && incoming.chat.kind() == JidKind::Group {
            tracing::debug!(instance = %instance.id, chat = %incoming.chat, "a group message ignored (ignoreGroups)");
            return Ok(());
        }
        if instance.settings.ignore_status && incoming.chat.is_status_broadcast() {
            tracing::debug!(instance = %instance.id, "a status update ignored (ignoreStatus)");
            return Ok(());
        }
        self.remember_sender(&instance.id, &incoming.sender).await?;
        let content = self.adopt_media(&instance, incoming.content).await?;
        let new = NewInboundMessage {
            account_id: instance.account_id.clone(),
            instance_id: instance.id.clone(),
            provider_message_id: incoming.provider_message_id,
            chat_jid: incoming.chat.to_string(),
            sender: sender_id(&incoming.sender),
            sender_lid: incoming.sender.lid.clone(),
            push_name: incoming.sender.push_name.clone(),
            content,
            reply_to: incoming.reply_to,
            at: incoming.at,
        };
        let stored = self
            .store
            .insert_inbound_message(new, |message| {
                vec![event(
                    &instance,
                    EventKind::MessageReceived,
                    received_data(message),
                )]
            })
            .await?;
        if let Some(message) = stored
            && instance.settings.auto_read_messages
        {
            // On a task of its own: telling WhatsApp must not hold up what else arrives.
            let gateway = self.clone();
            tokio::spawn(async move { gateway.auto_read(&instance, &message).await });
        }
        Ok(())
    }

    /// Media a message carries belongs to the instance that received it: a file of another
    /// instance or account (one sandbox number writing to another) is copied over.
    async fn adopt_media(
        &self,
        instance: &InstanceRecord,
        mut content: MessageContent,
    ) -> ServiceResult<MessageContent> {
        let Some(media) = content.media().cloned() else {
            return Ok(content);
        };
        if self
            .store
            .find_media(&instance.account_id, Some(&instance.id), &media.media_id)
            .await?
            .is_some()
        {
            return Ok(content);
        }
        let Some(original) = self.store.find_media_anywhere(&media.media_id).await? else {
            return Ok(content);
        };
        let stream = self.open_media(&original).await?;
        let stream = Box::pin(futures_util::TryStreamExt::map_err(stream, |e| {
            crate::media::MediaError::Read(e.to_string())
        }));
        let copy = self
            .store_media(
                crate::media::Owner::instance(instance),
                stream,
                Some(&original.mimetype),
                original.file_name.clone(),
                original.size as u64,
            )
            .await?;
        if let MessageContent::Image { media, .. }
        | MessageContent::Video { media, .. }
        | MessageContent::Audio { media, .. }
        | MessageContent::Document { media, .. }
        | MessageContent::Sticker { media } = &mut content
        {
            media.media_id = copy.id;
        }
        Ok(content)
    }

    pub(crate) async fn on_changed(
        &self,
        instance_id: &InstanceId,
        chat: Jid,
        target: String,
        sender: Sender,
        change: IncomingChange,
        at: chrono::DateTime<chrono::Utc>,
    ) -> ServiceResult<()> {
        let Some(instance) = self.store.get_instance(instance_id).await? else {
            return Ok(());
        };
        let original = self
            .store
            .find_instance_message(instance_id, &target)
            .await?;
        let mut data = sender_json(&sender);
        data["messageId"] = json!(original.as_ref().map(|m| m.id));
        data["providerMessageId"] = json!(target);
        data["chat"] = json!(chat.to_string());
        data["timestamp"] = json!(rfc3339(at));
        match change {
            IncomingChange::Reaction { emoji } => {
                data["emoji"] = json!(emoji);
                let reaction = event(&instance, EventKind::MessageReaction, data);
                match original {
                    Some(message) => {
                        self.store
                            .set_reaction(&message, &sender_id(&sender), &emoji, at, vec![reaction])
                            .await?
                    }
                    None => self.store.append_events(vec![reaction]).await?,
                }
            }
            IncomingChange::PollVote { values } => {
                data["values"] = json!(values);
                self.store
                    .append_events(vec![event(&instance, EventKind::MessagePollVote, data)])
                    .await?;
            }
            IncomingChange::Edit { text } => {
                let Some(message) = original else {
                    return Ok(());
                };
                let Ok(body) = TextBody::parse(&text) else {
                    return Ok(());
                };
                let from = sender_id(&sender);
                self.store
                    .modify_message(
                        instance_id,
                        &message.id,
                        |current| {
                            let MessageContent::Text { preview_url, .. } = current.content else {
                                return None;
                            };
                            (current.sender.as_deref() == Some(from.as_str())).then(|| {
                                MessageChange {
                                    content: Some(MessageContent::Text {
                                        body: body.clone(),
                                        preview_url,
                                    }),
                                    edited_at: Some(at),
                                    ..Default::default()
                                }
                            })
                        },
                        |before, after| {
                            let mut data = data.clone();
                            data["text"] = json!(after.content.summary());
                            data["previousText"] = json!(before.content.summary());
                            vec![event(&instance, EventKind::MessageEdited, data)]
                        },
                    )
                    .await?;
            }
            IncomingChange::Revoke => {
                let Some(message) = original else {
                    return Ok(());
                };
                let from = sender_id(&sender);
                self.store
                    .modify_message(
                        instance_id,
                        &message.id,
                        |current| {
                            (current.revoked_at.is_none()
                                && current.sender.as_deref() == Some(from.as_str()))
                            .then(|| MessageChange {
                                revoked_at: Some(at),
                                ..Default::default()
                            })
                        },
                        |_, _| vec![event(&instance, EventKind::MessageRevoked, data.clone())],
                    )
                    .await?;
            }
        }
        Ok(())
    }
}
