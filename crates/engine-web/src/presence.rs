//! Someone else's presence as WhatsApp tells the number: online or offline (for contacts the
//! number follows), and typing or recording in a chat with it. Turned into the engine-neutral
//! [`SessionEvent::Presence`]; our own echoes are not reported.

use crate::inbound::jid;
use wagate_engine::{PresenceState, SessionEvent};
use whatsapp_rust::types::events::{ChatPresenceUpdate, PresenceUpdate};
use whatsapp_rust::wacore::types::presence::{ChatPresence, ChatPresenceMedia};

/// A contact came online or went offline: reported in their own chat.
pub(crate) fn online(update: &PresenceUpdate) -> Option<SessionEvent> {
    let from = jid(&update.from)?;
    Some(SessionEvent::Presence {
        chat: from.clone(),
        from,
        state: if update.unavailable {
            PresenceState::Unavailable
        } else {
            PresenceState::Available
        },
        last_seen: update.last_seen.filter(|_| update.unavailable),
    })
}

/// Someone types, records or stops in a chat.
pub(crate) fn in_chat(update: &ChatPresenceUpdate) -> Option<SessionEvent> {
    if update.source.is_from_me {
        return None;
    }
    let state = match (update.state, update.media) {
        (ChatPresence::Composing, ChatPresenceMedia::Audio) => PresenceState::Recording,
        (ChatPresence::Composing, ChatPresenceMedia::Text) => PresenceState::Composing,
        (ChatPresence::Paused, _) => PresenceState::Paused,
    };
    Some(SessionEvent::Presence {
        chat: jid(&update.source.chat)?,
        from: jid(&update.source.sender)?,
        state,
        last_seen: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use whatsapp_rust::Jid as WaJid;
    use whatsapp_rust::wacore::types::message::MessageSource;

    fn wa(raw: &str) -> WaJid {
        raw.parse().expect("a JID")
    }

    fn typing(state: ChatPresence, media: ChatPresenceMedia, from_me: bool) -> ChatPresenceUpdate {
        ChatPresenceUpdate::builder()
            .source(MessageSource {
                chat: wa("120363000000000001@g.us"),
                sender: wa("15550002222:3@s.whatsapp.net"),
                is_from_me: from_me,
                is_group: true,
                ..Default::default()
            })
            .state(state)
            .media(media)
            .build()
    }

    #[test]
    fn typing_and_recording_are_told_apart_and_our_own_echo_is_dropped() {
        let Some(SessionEvent::Presence {
            chat, from, state, ..
        }) = in_chat(&typing(
            ChatPresence::Composing,
            ChatPresenceMedia::Audio,
            false,
        ))
        else {
            panic!("a presence");
        };
        assert_eq!(chat.to_string(), "120363000000000001@g.us");
        assert_eq!(from.to_string(), "15550002222@s.whatsapp.net");
        assert_eq!(state, PresenceState::Recording);
        let Some(SessionEvent::Presence { state, .. }) = in_chat(&typing(
            ChatPresence::Composing,
            ChatPresenceMedia::Text,
            false,
        )) else {
            panic!("a presence");
        };
        assert_eq!(state, PresenceState::Composing);
        assert_eq!(
            in_chat(&typing(ChatPresence::Paused, ChatPresenceMedia::Text, true)),
            None
        );
    }

    #[test]
    fn going_offline_carries_the_last_seen_time() {
        let seen = chrono::Utc::now();
        let update = PresenceUpdate::builder()
            .from(wa("15550002222@s.whatsapp.net"))
            .unavailable(true)
            .last_seen(seen)
            .build();
        let Some(SessionEvent::Presence {
            chat,
            from,
            state,
            last_seen,
        }) = online(&update)
        else {
            panic!("a presence");
        };
        assert_eq!(chat, from);
        assert_eq!(state, PresenceState::Unavailable);
        assert_eq!(last_seen, Some(seen));
    }
}
