//! Chats: the instance's chats as the gateway saw them (last message, unread count), a chat's
//! messages, marking a whole chat read or unread, archiving, pinning and muting chats, their
//! disappearing messages, and deleting chats.

use super::paging::{Paging, offset};
use super::{Gateway, Principal, ServiceError, ServiceResult};
use chrono::{DateTime, Utc};
use wagate_core::{Capability, Jid, Recipient};
use wagate_engine::ChatAction;
use wagate_store::{ChatState, ChatStateChange, ChatSummary, MessageFilter, MessageRecord, Page};

const PAGING: Paging = Paging {
    default_size: 20,
    max_size: 200,
};
/// How many unread messages one `read` call marks; older ones are read on WhatsApp anyway
/// once a newer message of the chat is.
const MAX_MARKED_READ: i64 = 100;

/// A chat from the path: a phone number, or a user or group JID.
pub fn parse_chat(raw: &str) -> ServiceResult<Jid> {
    Ok(Recipient::parse(raw)
        .map_err(|e| ServiceError::field("chat", e.to_string()))?
        .jid())
}

/// A mute for good is kept as a mute until the last day of year 9999.
pub fn muted_for_good() -> DateTime<Utc> {
    DateTime::<Utc>::from_naive_utc_and_offset(
        chrono::NaiveDate::from_ymd_opt(9999, 12, 31)
            .and_then(|day| day.and_hms_opt(0, 0, 0))
            .expect("a valid date"),
        Utc,
    )
}

/// `archive`, `unarchive`, `pin`, `unpin`, `mute` (until `until`, RFC 3339, or for good),
/// `unmute` or `disappearing` (`seconds`).
fn parse_action(
    action: &str,
    until: Option<&str>,
    seconds: Option<u32>,
    now: DateTime<Utc>,
) -> ServiceResult<ChatAction> {
    Ok(match action {
        "disappearing" => {
            let seconds = seconds.ok_or_else(|| ServiceError::field("seconds", "is required"))?;
            ChatAction::Disappearing(super::groups::parse_ephemeral("seconds", seconds)?)
        }
        "archive" => ChatAction::Archive,
        "unarchive" => ChatAction::Unarchive,
        "pin" => ChatAction::Pin,
        "unpin" => ChatAction::Unpin,
        "unmute" => ChatAction::Unmute,
        "unread" => ChatAction::MarkUnread(true),
        "mute" => {
            let until = until
                .map(|raw| {
                    DateTime::parse_from_rfc3339(raw)
                        .map(|at| at.with_timezone(&Utc))
                        .map_err(|_| ServiceError::field("until", "must be an RFC 3339 time"))
                })
                .transpose()?;
            if until.is_some_and(|at| at <= now) {
                return Err(ServiceError::field("until", "must be in the future"));
            }
            ChatAction::Mute(until)
        }
        _ => return Err(ServiceError::NotFound("chat action")),
    })
}

impl Gateway {
    /// Archives, pins, mutes or marks a chat unread (or undoes it) on WhatsApp, and records
    /// it; answers the chat and its state.
    pub async fn chat_action(
        &self,
        principal: &Principal,
        id_or_name: &str,
        chat: &str,
        action: &str,
        until: Option<&str>,
        seconds: Option<u32>,
    ) -> ServiceResult<(Jid, ChatState)> {
        let action = parse_action(action, until, seconds, self.now())?;
        self.apply_chat_action(principal, id_or_name, chat, action)
            .await
    }

    /// Deletes a chat on the number's WhatsApp; its messages so far leave the chat list and
    /// the chat's messages (their delivery records stay in the messages list).
    pub async fn delete_chat(
        &self,
        principal: &Principal,
        id_or_name: &str,
        chat: &str,
    ) -> ServiceResult<Jid> {
        let (chat, _) = self
            .apply_chat_action(principal, id_or_name, chat, ChatAction::Delete)
            .await?;
        Ok(chat)
    }

    async fn apply_chat_action(
        &self,
        principal: &Principal,
        id_or_name: &str,
        chat: &str,
        action: ChatAction,
    ) -> ServiceResult<(Jid, ChatState)> {
        let chat = parse_chat(chat)?;
        let (instance, session) = self
            .open_session_for(
                principal,
                id_or_name,
                Capability::ManageChats,
                "archive, pin or mute chats",
            )
            .await?;
        session.chat_action(&chat, action).await?;
        let change = match action {
            ChatAction::Archive => ChatStateChange::Archived(true),
            ChatAction::Unarchive => ChatStateChange::Archived(false),
            ChatAction::Pin => ChatStateChange::Pinned(true),
            ChatAction::Unpin => ChatStateChange::Pinned(false),
            ChatAction::Mute(until) => {
                ChatStateChange::MutedUntil(Some(until.unwrap_or_else(muted_for_good)))
            }
            ChatAction::Unmute => ChatStateChange::MutedUntil(None),
            ChatAction::Disappearing(seconds) => ChatStateChange::DisappearingSeconds(seconds),
            ChatAction::MarkUnread(unread) => ChatStateChange::MarkedUnread(unread),
            ChatAction::Delete => ChatStateChange::Deleted,
        };
        let state = self
            .store
            .set_chat_state(&instance.id, &chat.to_string(), change)
            .await?;
        Ok((chat, state))
    }

    /// The instance's chats, most recently active first (a deleted chat shows again once a
    /// message is sent or received in it); answers the page and its number and
    /// size.
    pub async fn list_chats(
        &self,
        principal: &Principal,
        id_or_name: &str,
        limit: Option<i64>,
        page: Option<i64>,
    ) -> ServiceResult<(Page<ChatSummary>, i64, i64)> {
        let (limit, page) = PAGING.parse(limit, page)?;
        let instance = self.resolve_instance(principal, id_or_name).await?;
        let chats = self
            .store
            .list_chats(&instance.id, limit, offset(limit, page))
            .await?;
        Ok((chats, page, limit))
    }

    /// One chat of the instance, as the chat list shows it; `None` when it has no message
    /// (since it was deleted, if it was).
    pub async fn chat_summary(
        &self,
        principal: &Principal,
        id_or_name: &str,
        chat: &str,
    ) -> ServiceResult<Option<ChatSummary>> {
        let chat = parse_chat(chat)?.to_string();
        let instance = self.resolve_instance(principal, id_or_name).await?;
        Ok(self.store.chat_summary(&instance.id, &chat).await?)
    }

    /// A chat's messages, newest first; since its deletion when it was deleted.
    pub async fn chat_messages(
        &self,
        principal: &Principal,
        id_or_name: &str,
        chat: &str,
        limit: Option<i64>,
        page: Option<i64>,
    ) -> ServiceResult<(Page<MessageRecord>, i64, i64)> {
        let chat = parse_chat(chat)?.to_string();
        let (limit, page) = PAGING.parse(limit, page)?;
        let instance = self.resolve_instance(principal, id_or_name).await?;
        let state = self.store.chat_state(&instance.id, &chat).await?;
        let messages = self
            .store
            .list_messages(&MessageFilter {
                account_id: instance.account_id.clone(),
                instance_id: Some(instance.id.clone()),
                status: None,
                direction: None,
                chat: Some(chat),
                batch_id: None,
                created_after: state.cleared_at,
                limit,
                offset: offset(limit, page),
            })
            .await?;
        Ok((messages, page, limit))
    }

    /// Marks the chat's unread received messages read (on WhatsApp too) and clears a mark
    /// unread; answers how many messages.
    pub async fn mark_chat_read(
        &self,
        principal: &Principal,
        id_or_name: &str,
        chat: &str,
    ) -> ServiceResult<usize> {
        let chat = parse_chat(chat)?;
        let (instance, session) = self
            .open_session_for(
                principal,
                id_or_name,
                Capability::MarkRead,
                "mark messages read",
            )
            .await?;
        let chat_key = chat.to_string();
        if self
            .store
            .chat_state(&instance.id, &chat_key)
            .await?
            .marked_unread
        {
            session
                .chat_action(&chat, ChatAction::MarkUnread(false))
                .await?;
            self.store
                .set_chat_state(
                    &instance.id,
                    &chat_key,
                    ChatStateChange::MarkedUnread(false),
                )
                .await?;
        }
        let unread = self
            .store
            .unread_messages(&instance.id, &chat_key, MAX_MARKED_READ)
            .await?;
        let mut marked = 0;
        for message in &unread {
            if self.read_received(&instance, message).await?.is_some() {
                marked += 1;
            }
        }
        Ok(marked)
    }
}
