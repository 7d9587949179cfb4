//! Presence: "typing…" or "recording…" in a chat, and the number online or offline (by hand,
//! or whenever it is connected with `alwaysOnline`).
//!
//! A chat presence may be shown for a while: the call answers at once, and a timer sends it
//! again while it lasts (WhatsApp's apps drop "typing…" after about 25 seconds without news)
//! and `paused` when it ends. The newest call on a chat wins: an earlier call's timer neither
//! refreshes nor ends what a later call showed. The timers live in memory: a restart ends
//! them, and WhatsApp's apps then stop showing the presence on their own.

use super::{Gateway, Principal, ServiceError, ServiceResult};
use std::collections::HashMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;
use wagate_core::{Capability, InstanceId, InstanceStatus, Jid, Recipient};
use wagate_engine::ChatPresence;
use wagate_store::InstanceRecord;

const WHAT: &str = "show presence";
/// How often a presence shown for a while is sent again.
const PRESENCE_REFRESH: Duration = Duration::from_secs(20);
/// The longest a chat presence may be shown for.
pub const MAX_PRESENCE_MS: u64 = 300_000;

type PresenceKey = (InstanceId, Jid);

/// The chats showing a presence for a while, each with the call that shows it.
#[derive(Default)]
pub(crate) struct PresenceTimers {
    calls: AtomicU64,
    current: Mutex<HashMap<PresenceKey, u64>>,
}

impl PresenceTimers {
    fn chats(&self) -> std::sync::MutexGuard<'_, HashMap<PresenceKey, u64>> {
        self.current
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// A new call shows a presence in the chat; answers its number.
    fn begin(&self, key: PresenceKey) -> u64 {
        let call = self.calls.fetch_add(1, Ordering::Relaxed) + 1;
        self.chats().insert(key, call);
        call
    }

    /// Whatever the chat showed for a while has been replaced.
    fn cancel(&self, key: &PresenceKey) {
        self.chats().remove(key);
    }

    fn is_current(&self, key: &PresenceKey, call: u64) -> bool {
        self.chats().get(key) == Some(&call)
    }

    /// The call's presence ended (unless a later call replaced it meanwhile).
    fn finish(&self, key: &PresenceKey, call: u64) {
        let mut chats = self.chats();
        if chats.get(key) == Some(&call) {
            chats.remove(key);
        }
    }
}

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
        let (instance, chat, presence) = self
            .show_chat_presence(principal, id_or_name, chat, state)
            .await?;
        // It replaces whatever a timer would still show or end.
        self.presence_timers.cancel(&(instance.id, chat.clone()));
        Ok((chat, presence))
    }

    /// Shows `state` (`composing`, `recording` or `paused`) in a chat for `for_ms`
    /// milliseconds (at most [`MAX_PRESENCE_MS`]), then `paused`, without waiting for it;
    /// answers the chat. A later call on the chat replaces it.
    pub async fn show_chat_presence_for(
        &self,
        principal: &Principal,
        id_or_name: &str,
        chat: &str,
        state: &str,
        for_ms: u64,
    ) -> ServiceResult<(Jid, ChatPresence)> {
        if for_ms > MAX_PRESENCE_MS {
            return Err(ServiceError::field(
                "delay",
                format!("a presence is shown for at most {MAX_PRESENCE_MS} milliseconds"),
            ));
        }
        let (instance, chat, presence) = self
            .show_chat_presence(principal, id_or_name, chat, state)
            .await?;
        let key = (instance.id, chat.clone());
        if presence == ChatPresence::Paused {
            self.presence_timers.cancel(&key);
        } else {
            let call = self.presence_timers.begin(key.clone());
            let gateway = self.clone();
            let shown_for = Duration::from_millis(for_ms);
            tokio::spawn(async move { gateway.end_presence(key, presence, call, shown_for).await });
        }
        Ok((chat, presence))
    }

    async fn show_chat_presence(
        &self,
        principal: &Principal,
        id_or_name: &str,
        chat: &str,
        state: &str,
    ) -> ServiceResult<(InstanceRecord, Jid, ChatPresence)> {
        let chat = Recipient::parse(chat)
            .map_err(|e| ServiceError::field("chat", e.to_string()))?
            .jid();
        let presence = ChatPresence::parse(state).ok_or_else(|| {
            ServiceError::field("state", "must be composing, recording or paused")
        })?;
        let (instance, session) = self
            .open_session_for(principal, id_or_name, Capability::Presence, WHAT)
            .await?;
        session.set_chat_presence(&chat, presence).await?;
        Ok((instance, chat, presence))
    }

    /// Keeps `presence` shown in the chat for `shown_for`, then shows `paused`, unless a later
    /// call replaced it. A failure is only logged: WhatsApp's apps drop a presence on their own.
    async fn end_presence(
        &self,
        key: PresenceKey,
        presence: ChatPresence,
        call: u64,
        shown_for: Duration,
    ) {
        let mut left = shown_for;
        loop {
            let step = left.min(PRESENCE_REFRESH);
            tokio::time::sleep(step).await;
            left -= step;
            if !self.presence_timers.is_current(&key, call) {
                return;
            }
            let Some(session) = self.sessions.live(&key.0) else {
                self.presence_timers.finish(&key, call);
                return;
            };
            let shown = if left.is_zero() {
                ChatPresence::Paused
            } else {
                presence
            };
            if let Err(error) = session.set_chat_presence(&key.1, shown).await {
                tracing::warn!(instance = %key.0, %error, "a chat presence could not be sent");
            }
            if left.is_zero() {
                self.presence_timers.finish(&key, call);
                return;
            }
        }
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
