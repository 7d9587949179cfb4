//! Other people's presence as the number sees it, recorded as `presence.updated` events: a
//! contact online or offline, or typing, recording or stopped in a chat. Presence is not
//! kept anywhere else: it is news, not state, and the event is all a subscriber needs.

use super::Gateway;
use super::ServiceResult;
use super::event_payloads::rfc3339;
use chrono::{DateTime, Utc};
use serde_json::json;
use wagate_core::{EventKind, InstanceId, Jid, JidKind};
use wagate_engine::PresenceState;
use wagate_store::NewEvent;

/// What one presence change says.
pub(crate) struct PresenceChange {
    pub chat: Jid,
    pub from: Jid,
    pub state: PresenceState,
    pub last_seen: Option<DateTime<Utc>>,
}

impl Gateway {
    pub(crate) async fn on_presence(
        &self,
        instance: &InstanceId,
        change: PresenceChange,
    ) -> ServiceResult<()> {
        let Some(instance) = self.store.get_instance(instance).await? else {
            return Ok(());
        };
        self.store
            .append_events(vec![NewEvent {
                account_id: instance.account_id.clone(),
                instance_id: Some(instance.id.clone()),
                instance_name: Some(instance.name.as_str().to_owned()),
                kind: EventKind::PresenceUpdated,
                data: presence_data(&change, self.now()),
            }])
            .await?;
        Ok(())
    }
}

/// The event's data: the chat, who (by phone number when the address holds one), and what.
fn presence_data(change: &PresenceChange, at: DateTime<Utc>) -> serde_json::Value {
    let from = change
        .from
        .phone()
        .map(|phone| phone.as_str().to_owned())
        .unwrap_or_else(|| change.from.to_string());
    json!({
        "chatJid": change.chat.to_string(),
        "isGroup": change.chat.kind() == JidKind::Group,
        "from": from,
        "fromJid": change.from.to_string(),
        "state": change.state.as_str(),
        "lastSeen": change.last_seen.map(rfc3339),
        "at": rfc3339(at),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_typing_member_is_named_by_phone_with_the_group() {
        let change = PresenceChange {
            chat: Jid::parse("120363000000000001@g.us").unwrap(),
            from: Jid::parse("15550002222@s.whatsapp.net").unwrap(),
            state: PresenceState::Composing,
            last_seen: None,
        };
        let data = presence_data(&change, Utc::now());
        assert_eq!(data["chatJid"], "120363000000000001@g.us");
        assert_eq!(data["isGroup"], true);
        assert_eq!(data["from"], "15550002222");
        assert_eq!(data["fromJid"], "15550002222@s.whatsapp.net");
        assert_eq!(data["state"], "composing");
        assert_eq!(data["lastSeen"], serde_json::Value::Null);
    }
}
