//! Presence: "typing…" or "recording…" in a chat, and the number online or offline (by hand,
//! or whenever it is connected with `alwaysOnline`).

use super::{Gateway, Principal, ServiceError, ServiceResult};
use wagate_core::{Capability, InstanceStatus, Jid, Recipient};
use wagate_engine::ChatPresence;
use wagate_store::InstanceRecord;

const WHAT: &str = "show presence";

impl Gateway {
    /// Shows `state` (`composing`, `recording` or `paused`) in a chat (a phone number, or a
    /// user or group JID); answers the chat.
    pub async fn set_chat_presence(
        &self,
        principal: &Principal,
        id_or_name: &str,
        chat: &str,
        state: &str,
    ) -> ServiceResult<(Jid, ChatPresence)> {
        let chat = Recipient::parse(chat)
            .map_err(|e| ServiceError::field("chat", e.to_string()))?
            .jid();
        let presence = ChatPresence::parse(state).ok_or_else(|| {
            ServiceError::field("state", "must be composing, recording or paused")
        })?;
        let (_, session) = self
            .open_session_for(principal, id_or_name, Capability::Presence, WHAT)
            .await?;
        session.set_chat_presence(&chat, presence).await?;
        Ok((chat, presence))
    }

    /// Shows the number `available` (online) or `unavailable` to its contacts.
    pub async fn set_presence(
        &self,
        principal: &Principal,
        id_or_name: &str,
        presence: &str,
    ) -> ServiceResult<()> {
        let available = match presence {
            "available" => true,
            "unavailable" => false,
            _ => {
                return Err(ServiceError::field(
                    "presence",
                    "must be available or unavailable",
                ));
            }
        };
        let (_, session) = self
            .open_session_for(principal, id_or_name, Capability::Presence, WHAT)
            .await?;
        Ok(session.set_presence(available).await?)
    }

    /// With `alwaysOnline`: shows an open number online (or, turned off, offline). A failure
    /// is only logged: the setting is applied again at the next connect.
    pub(crate) async fn show_online(&self, instance: &InstanceRecord, available: bool) {
        if instance.status != InstanceStatus::Open {
            return;
        }
        let Some(session) = self.sessions.live(&instance.id) else {
            return;
        };
        if let Err(error) = session.set_presence(available).await {
            tracing::warn!(instance = %instance.id, %error, "alwaysOnline: presence not set");
        }
    }
}
