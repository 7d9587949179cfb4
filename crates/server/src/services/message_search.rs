//! Finding an instance's messages by what a caller knows of them: WhatsApp's id for one (the
//! id webhooks and chats show), or its chat, direction, kind and time. Callers that act on a
//! message they heard of through WhatsApp's ids (Evolution API's `key.id`) find wagate's
//! record here, then act on it through the same services as the native API.

use super::paging::{Paging, offset};
use super::{Gateway, Principal, ServiceError, ServiceResult};
use chrono::{DateTime, Utc};
use wagate_core::Recipient;
use wagate_store::{Direction, InstanceRecord, MessageRecord, MessageSearch, Page};

const PAGING: Paging = Paging {
    default_size: 50,
    max_size: 500,
};

/// Which of an instance's messages to find; `None` matches every message.
#[derive(Clone, Debug, Default)]
pub struct MessageQuery {
    /// wagate's id or WhatsApp's id of the one message wanted.
    pub id: Option<String>,
    /// Its chat: a phone number, or a user or group JID.
    pub chat: Option<String>,
    pub direction: Option<Direction>,
    /// Its content type as wagate names it (`text`, `image`, `video`, …).
    pub message_type: Option<String>,
    /// Stored at or after then.
    pub from: Option<DateTime<Utc>>,
    /// Stored at or before then.
    pub until: Option<DateTime<Utc>>,
    /// Page size, 1 to 500 (default 50).
    pub limit: Option<i64>,
    /// Page number from 1.
    pub page: Option<i64>,
}

/// The content types messages are stored under.
const MESSAGE_TYPES: [&str; 12] = [
    "text",
    "image",
    "video",
    "audio",
    "document",
    "sticker",
    "location",
    "contacts",
    "poll",
    "reaction",
    "template",
    "interactive",
];

fn chat_jid(raw: &str) -> ServiceResult<String> {
    Ok(Recipient::parse(raw)
        .map_err(|e| ServiceError::field("chat", e.to_string()))?
        .jid()
        .to_string())
}

fn matches(message: &MessageRecord, search: &MessageSearch) -> bool {
    search
        .chat
        .as_ref()
        .is_none_or(|chat| &message.chat_jid == chat)
        && search.direction.is_none_or(|d| message.direction == d)
        && search
            .message_type
            .as_deref()
            .is_none_or(|kind| message.content.type_name() == kind)
        && search.from.is_none_or(|from| message.created_at >= from)
        && search.until.is_none_or(|until| message.created_at <= until)
}

impl Gateway {
    /// One message of the instance by wagate's id or WhatsApp's; with `chat`, only when it is
    /// that chat's (a phone number or JID).
    pub async fn find_instance_message(
        &self,
        principal: &Principal,
        id_or_name: &str,
        id: &str,
        chat: Option<&str>,
    ) -> ServiceResult<(InstanceRecord, MessageRecord)> {
        let chat = chat.map(chat_jid).transpose()?;
        let instance = self.resolve_instance(principal, id_or_name).await?;
        let message = self
            .store
            .find_instance_message(&instance.id, id.trim())
            .await?
            .filter(|message| chat.as_ref().is_none_or(|chat| &message.chat_jid == chat))
            .ok_or(ServiceError::NotFound("message"))?;
        Ok((instance, message))
    }

    /// The instance's messages that match, newest first; answers the instance, the page, and
    /// its number and size.
    pub async fn search_messages(
        &self,
        principal: &Principal,
        id_or_name: &str,
        query: MessageQuery,
    ) -> ServiceResult<(InstanceRecord, Page<MessageRecord>, i64, i64)> {
        let (limit, page) = PAGING.parse(query.limit, query.page)?;
        if let Some(kind) = &query.message_type
            && !MESSAGE_TYPES.contains(&kind.as_str())
        {
            return Err(ServiceError::field(
                "messageType",
                format!("one of {}", MESSAGE_TYPES.join(", ")),
            ));
        }
        let search = MessageSearch {
            chat: query.chat.as_deref().map(chat_jid).transpose()?,
            direction: query.direction,
            message_type: query.message_type,
            from: query.from,
            until: query.until,
            limit,
            offset: offset(limit, page),
        };
        let instance = self.resolve_instance(principal, id_or_name).await?;
        let found = match query.id.as_deref().map(str::trim) {
            // WhatsApp's ids are indexed; the other filters are checked on the one message.
            Some(id) => {
                let one = self
                    .store
                    .find_instance_message(&instance.id, id)
                    .await?
                    .filter(|message| matches(message, &search));
                let total = i64::from(one.is_some());
                Page {
                    items: one.into_iter().filter(|_| page == 1).collect(),
                    total,
                }
            }
            None => self.store.search_messages(&instance.id, &search).await?,
        };
        Ok((instance, found, page, limit))
    }
}
