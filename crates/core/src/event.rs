//! Event names and the outbox sequence.
//!
//! Every state change writes an event in the same transaction; consumers (the events API,
//! webhooks, streams, brokers) read them in sequence order and deduplicate on the event id.

use serde::{Deserialize, Serialize};
use std::str::FromStr;

/// The position of an event in the outbox: strictly increasing in commit order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct EventSeq(pub i64);

/// What happened.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
pub enum EventKind {
    #[serde(rename = "message.queued")]
    MessageQueued,
    #[serde(rename = "message.sent")]
    MessageSent,
    #[serde(rename = "message.status_updated")]
    MessageStatusUpdated,
    #[serde(rename = "message.failed")]
    MessageFailed,
    #[serde(rename = "message.received")]
    MessageReceived,
    #[serde(rename = "message.reaction")]
    MessageReaction,
    #[serde(rename = "message.edited")]
    MessageEdited,
    #[serde(rename = "message.revoked")]
    MessageRevoked,
    #[serde(rename = "message.read")]
    MessageRead,
    #[serde(rename = "message.pinned")]
    MessagePinned,
    #[serde(rename = "message.unpinned")]
    MessageUnpinned,
    #[serde(rename = "message.poll_vote")]
    MessagePollVote,
    #[serde(rename = "group.updated")]
    GroupUpdated,
    #[serde(rename = "group.participants_updated")]
    GroupParticipantsUpdated,
    #[serde(rename = "call.received")]
    CallReceived,
    #[serde(rename = "presence.updated")]
    PresenceUpdated,
    #[serde(rename = "label.updated")]
    LabelUpdated,
    #[serde(rename = "label.chat_updated")]
    LabelChatUpdated,
    #[serde(rename = "history.synced")]
    HistorySynced,
    #[serde(rename = "qrcode.updated")]
    QrcodeUpdated,
    #[serde(rename = "session.status")]
    SessionStatus,
    #[serde(rename = "session.connected")]
    SessionConnected,
    #[serde(rename = "session.logged_out")]
    SessionLoggedOut,
    #[serde(rename = "session.paused")]
    SessionPaused,
    #[serde(rename = "session.resumed")]
    SessionResumed,
    #[serde(rename = "instance.created")]
    InstanceCreated,
    #[serde(rename = "instance.deleted")]
    InstanceDeleted,
    #[serde(rename = "webhook.disabled")]
    WebhookDisabled,
    #[serde(rename = "webhook.test")]
    WebhookTest,
}

impl EventKind {
    pub const ALL: [EventKind; 29] = [
        Self::MessageQueued,
        Self::MessageSent,
        Self::MessageStatusUpdated,
        Self::MessageFailed,
        Self::MessageReceived,
        Self::MessageReaction,
        Self::MessageEdited,
        Self::MessageRevoked,
        Self::MessageRead,
        Self::MessagePinned,
        Self::MessageUnpinned,
        Self::MessagePollVote,
        Self::GroupUpdated,
        Self::GroupParticipantsUpdated,
        Self::CallReceived,
        Self::PresenceUpdated,
        Self::LabelUpdated,
        Self::LabelChatUpdated,
        Self::HistorySynced,
        Self::QrcodeUpdated,
        Self::SessionStatus,
        Self::SessionConnected,
        Self::SessionLoggedOut,
        Self::SessionPaused,
        Self::SessionResumed,
        Self::InstanceCreated,
        Self::InstanceDeleted,
        Self::WebhookDisabled,
        Self::WebhookTest,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::MessageQueued => "message.queued",
            Self::MessageSent => "message.sent",
            Self::MessageStatusUpdated => "message.status_updated",
            Self::MessageFailed => "message.failed",
            Self::MessageReceived => "message.received",
            Self::MessageReaction => "message.reaction",
            Self::MessageEdited => "message.edited",
            Self::MessageRevoked => "message.revoked",
            Self::MessageRead => "message.read",
            Self::MessagePinned => "message.pinned",
            Self::MessageUnpinned => "message.unpinned",
            Self::MessagePollVote => "message.poll_vote",
            Self::GroupUpdated => "group.updated",
            Self::GroupParticipantsUpdated => "group.participants_updated",
            Self::CallReceived => "call.received",
            Self::PresenceUpdated => "presence.updated",
            Self::LabelUpdated => "label.updated",
            Self::LabelChatUpdated => "label.chat_updated",
            Self::HistorySynced => "history.synced",
            Self::QrcodeUpdated => "qrcode.updated",
            Self::SessionStatus => "session.status",
            Self::SessionConnected => "session.connected",
            Self::SessionLoggedOut => "session.logged_out",
            Self::SessionPaused => "session.paused",
            Self::SessionResumed => "session.resumed",
            Self::InstanceCreated => "instance.created",
            Self::InstanceDeleted => "instance.deleted",
            Self::WebhookDisabled => "webhook.disabled",
            Self::WebhookTest => "webhook.test",
        }
    }
}

impl FromStr for EventKind {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|kind| kind.as_str() == s)
            .ok_or_else(|| format!("unknown event '{s}'"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn event_names_round_trip() {
        for kind in EventKind::ALL {
            assert_eq!(kind.as_str().parse::<EventKind>(), Ok(kind));
            assert_eq!(serde_json::to_value(kind).unwrap(), kind.as_str());
        }
    }
}
