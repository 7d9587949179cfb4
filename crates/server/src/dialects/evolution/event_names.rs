//! Evolution API's event names and how wagate's events become them.
//!
//! Evolution emits dotted lower-case names (`messages.upsert`) and lets clients subscribe with
//! upper-case ones (`MESSAGES_UPSERT`). An Evolution-format endpoint keeps its filter in
//! wagate's names; this module translates subscriptions both ways and names each event that
//! has an Evolution rendering. Events without one (a message queued, a poll vote, a pin, a
//! history batch, a breaker pause, …) never reach an Evolution endpoint.

use serde_json::Value;
use wagate_core::{EventKind, MessageStatus};

/// The Evolution event a wagate event is delivered as, or `None` when it has no counterpart.
pub fn evolution_event(kind: EventKind, data: &Value) -> Option<&'static str> {
    Some(match kind {
        EventKind::MessageReceived => "messages.upsert",
        EventKind::MessageSent => "send.message",
        EventKind::MessageReaction if data["from"] == "me" => "send.message",
        EventKind::MessageReaction => "messages.upsert",
        EventKind::MessageStatusUpdated => {
            let status = serde_json::from_value::<MessageStatus>(data["status"].clone()).ok()?;
            reported_status(status)?;
            "messages.update"
        }
        EventKind::MessageRead => "messages.update",
        EventKind::MessageRevoked => "messages.delete",
        EventKind::MessageEdited => "messages.edited",
        EventKind::GroupUpdated if data["change"] == "created" => "groups.upsert",
        EventKind::GroupUpdated => "groups.update",
        EventKind::GroupParticipantsUpdated => "group-participants.update",
        EventKind::CallReceived => "call",
        EventKind::PresenceUpdated => "presence.update",
        EventKind::LabelUpdated => "labels.edit",
        EventKind::LabelChatUpdated => "labels.association",
        EventKind::QrcodeUpdated => "qrcode.updated",
        EventKind::SessionStatus => "connection.update",
        EventKind::SessionLoggedOut => "logout.instance",
        EventKind::InstanceCreated => "instance.create",
        EventKind::InstanceDeleted => "instance.delete",
        // Only ever sent to one endpoint, on request (`POST /webhooks/{id}/test`).
        EventKind::WebhookTest => "webhook.test",
        EventKind::MessageQueued
        | EventKind::MessageFailed
        | EventKind::MessagePinned
        | EventKind::MessageUnpinned
        | EventKind::MessagePollVote
        | EventKind::HistorySynced
        | EventKind::SessionConnected
        | EventKind::SessionPaused
        | EventKind::SessionResumed
        | EventKind::WebhookDisabled => return None,
    })
}

/// Whether some events of `kind` have an Evolution rendering.
pub fn renders_kind(kind: EventKind) -> bool {
    kind != EventKind::WebhookTest && SUBSCRIPTIONS.iter().any(|(_, kinds)| kinds.contains(&kind))
}

/// The Evolution name of a message status `messages.update` reports, `None` for the ones it
/// does not (a message waiting in wagate's queue has not reached WhatsApp).
pub fn reported_status(status: MessageStatus) -> Option<&'static str> {
    match status {
        MessageStatus::Sent => Some("SERVER_ACK"),
        MessageStatus::Delivered => Some("DELIVERY_ACK"),
        MessageStatus::Read => Some("READ"),
        MessageStatus::Played => Some("PLAYED"),
        MessageStatus::Failed => Some("ERROR"),
        MessageStatus::Queued
        | MessageStatus::Scheduled
        | MessageStatus::Processing
        | MessageStatus::Retrying
        | MessageStatus::Cancelled
        | MessageStatus::Simulated => None,
    }
}

/// `messages.upsert` → `messages-upsert`: the path segment Evolution's `webhookByEvents`
/// appends to the URL.
pub fn url_segment(event: &str) -> String {
    event.replace(['.', '_'], "-")
}

/// Every subscription name Evolution takes that wagate renders, with the wagate events it
/// stands for. The first names are the ones `/webhook/find` shows; aliases follow.
const SUBSCRIPTIONS: &[(&str, &[EventKind])] = &[
    ("QRCODE_UPDATED", &[EventKind::QrcodeUpdated]),
    ("CONNECTION_UPDATE", &[EventKind::SessionStatus]),
    (
        "MESSAGES_UPSERT",
        &[EventKind::MessageReceived, EventKind::MessageReaction],
    ),
    ("MESSAGES_EDITED", &[EventKind::MessageEdited]),
    (
        "MESSAGES_UPDATE",
        &[EventKind::MessageStatusUpdated, EventKind::MessageRead],
    ),
    ("MESSAGES_DELETE", &[EventKind::MessageRevoked]),
    (
        "SEND_MESSAGE",
        &[EventKind::MessageSent, EventKind::MessageReaction],
    ),
    ("GROUPS_UPSERT", &[EventKind::GroupUpdated]),
    ("GROUP_UPDATE", &[EventKind::GroupUpdated]),
    (
        "GROUP_PARTICIPANTS_UPDATE",
        &[EventKind::GroupParticipantsUpdated],
    ),
    ("LABELS_EDIT", &[EventKind::LabelUpdated]),
    ("LABELS_ASSOCIATION", &[EventKind::LabelChatUpdated]),
    ("CALL", &[EventKind::CallReceived]),
    ("PRESENCE_UPDATE", &[EventKind::PresenceUpdated]),
    ("LOGOUT_INSTANCE", &[EventKind::SessionLoggedOut]),
    ("INSTANCE_CREATE", &[EventKind::InstanceCreated]),
    ("INSTANCE_DELETE", &[EventKind::InstanceDeleted]),
    // Aliases: the name the event is emitted under, and Evolution's own edits.
    ("GROUPS_UPDATE", &[EventKind::GroupUpdated]),
    ("SEND_MESSAGE_UPDATE", &[EventKind::MessageEdited]),
    ("REMOVE_INSTANCE", &[EventKind::InstanceDeleted]),
];

/// How many leading entries of [`SUBSCRIPTIONS`] are shown back.
const SHOWN: usize = 17;

/// Names Evolution takes for events wagate does not emit: accepted, and they select nothing.
const WITHOUT_COUNTERPART: &[&str] = &[
    "APPLICATION_STARTUP",
    "MESSAGES_SET",
    "MESSAGING_HISTORY_SET",
    "CONTACTS_SET",
    "CONTACTS_UPSERT",
    "CONTACTS_UPDATE",
    "CHATS_SET",
    "CHATS_UPSERT",
    "CHATS_UPDATE",
    "CHATS_DELETE",
    "TYPEBOT_START",
    "TYPEBOT_CHANGE_STATUS",
    "STATUS_INSTANCE",
    "CREDS_UPDATE",
];

/// A subscription name as Evolution normalises it: `messages.upsert` and `MESSAGES_UPSERT`
/// alike.
fn normalised(name: &str) -> String {
    name.trim().replace(['.', '-'], "_").to_ascii_uppercase()
}

/// The wagate events an Evolution subscription name stands for; `Err` for a name Evolution
/// does not have.
pub fn subscription_kinds(name: &str) -> Result<&'static [EventKind], String> {
    let name = normalised(name);
    if let Some((_, kinds)) = SUBSCRIPTIONS.iter().find(|(known, _)| *known == name) {
        return Ok(kinds);
    }
    if WITHOUT_COUNTERPART.contains(&name.as_str()) {
        return Ok(&[]);
    }
    Err(format!("'{name}' is not an Evolution API event"))
}

/// The Evolution names a stored filter shows as: each name all of whose events it holds
/// (`*`: every name wagate renders).
pub fn subscription_names(filter: &[String]) -> Vec<&'static str> {
    let all = filter.iter().any(|name| name == "*");
    SUBSCRIPTIONS[..SHOWN]
        .iter()
        .filter(|(_, kinds)| {
            all || kinds
                .iter()
                .all(|kind| filter.iter().any(|name| name == kind.as_str()))
        })
        .map(|(name, _)| *name)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn wagate_events_take_evolution_names() {
        let none = Value::Null;
        assert_eq!(
            evolution_event(EventKind::MessageReceived, &none),
            Some("messages.upsert")
        );
        assert_eq!(
            evolution_event(EventKind::MessageSent, &none),
            Some("send.message")
        );
        assert_eq!(
            evolution_event(EventKind::SessionStatus, &none),
            Some("connection.update")
        );
        assert_eq!(
            evolution_event(EventKind::MessageReaction, &json!({ "from": "me" })),
            Some("send.message")
        );
        assert_eq!(
            evolution_event(EventKind::GroupUpdated, &json!({ "change": "created" })),
            Some("groups.upsert")
        );
        assert_eq!(
            evolution_event(
                EventKind::MessageStatusUpdated,
                &json!({ "status": "delivered" })
            ),
            Some("messages.update")
        );
        assert_eq!(
            evolution_event(
                EventKind::MessageStatusUpdated,
                &json!({ "status": "retrying" })
            ),
            None,
            "a status only wagate's queue knows"
        );
        assert_eq!(evolution_event(EventKind::MessageQueued, &none), None);
        assert_eq!(evolution_event(EventKind::SessionPaused, &none), None);
        // Every kind that renders is reachable by some subscription, and the rest are not.
        for kind in EventKind::ALL {
            if kind == EventKind::WebhookTest {
                continue;
            }
            let sometimes = evolution_event(kind, &json!({ "status": "sent" })).is_some()
                || evolution_event(kind, &json!({ "from": "me" })).is_some();
            assert_eq!(renders_kind(kind), sometimes, "{kind:?}");
        }
    }

    #[test]
    fn by_events_segments_are_evolutions() {
        assert_eq!(url_segment("messages.upsert"), "messages-upsert");
        assert_eq!(url_segment("connection.update"), "connection-update");
        assert_eq!(
            url_segment("group-participants.update"),
            "group-participants-update"
        );
        assert_eq!(url_segment("call"), "call");
    }

    #[test]
    fn subscriptions_translate_both_ways() {
        assert_eq!(
            subscription_kinds("MESSAGES_UPSERT").unwrap(),
            &[EventKind::MessageReceived, EventKind::MessageReaction]
        );
        assert_eq!(
            subscription_kinds("messages.upsert").unwrap(),
            subscription_kinds("MESSAGES_UPSERT").unwrap()
        );
        assert!(subscription_kinds("CONTACTS_UPSERT").unwrap().is_empty());
        assert!(subscription_kinds("NO_SUCH_EVENT").is_err());
        let stored: Vec<String> = ["message.received", "message.reaction", "session.status"]
            .into_iter()
            .map(str::to_owned)
            .collect();
        assert_eq!(
            subscription_names(&stored),
            vec!["CONNECTION_UPDATE", "MESSAGES_UPSERT"]
        );
        assert_eq!(subscription_names(&["*".to_owned()]).len(), SHOWN);
        assert!(
            SUBSCRIPTIONS[..SHOWN]
                .iter()
                .all(|(name, _)| !name.is_empty())
        );
    }
}
