//! Every event in the OpenAPI document: the envelope and each event's `data` as component
//! schemas, and one entry per event under `webhooks` (what a receiver is sent).
//!
//! The payloads are built in the services; these types describe them for readers. A test
//! validates real events of every kind against the schemas published here, so the two cannot
//! drift apart unnoticed.

#![allow(dead_code)] // The types exist to be described, never built.

use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::Value;
use utoipa::openapi::path::{HttpMethod, OperationBuilder, PathItem, PathsBuilder};
use utoipa::openapi::request_body::RequestBodyBuilder;
use utoipa::openapi::response::ResponseBuilder;
use utoipa::openapi::schema::{AllOfBuilder, ObjectBuilder, Type};
use utoipa::openapi::{ContentBuilder, OpenApi, Ref};
use utoipa::{PartialSchema, ToSchema};
use wagate_core::{EngineKind, EventKind, InstanceStatus, LinkedAccount, MessageStatus};

/// What every webhook delivery, live-stream message and broker message carries. Webhook
/// deliveries repeat `id` in the `webhook-id` header; receivers deduplicate on it.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct EventEnvelope {
    /// `evt_` and 32 hex digits; unique per event.
    #[schema(example = "evt_01a2069fbbea77f8b61518f46566c8cf")]
    id: String,
    #[schema(value_type = String, example = "message.status_updated")]
    event: EventKind,
    /// The instance the event is about (none for account-wide events such as `webhook.test`).
    instance_id: Option<String>,
    /// The instance's name when the event happened.
    instance: Option<String>,
    /// When the event was written, RFC 3339 with milliseconds.
    timestamp: DateTime<Utc>,
    /// The event's own fields (see each event).
    #[schema(value_type = Object)]
    data: Value,
    /// Live streams only: the event's position, to resume after with `Last-Event-ID`.
    seq: Option<i64>,
}

/// Seed 004's message status shape; `message.queued`, `message.sent`,
/// `message.status_updated` and `message.failed` carry exactly this.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct MessageEventData {
    #[schema(example = "01a206a7-080d-7106-9f6f-07939d7c5ec3")]
    message_id: String,
    status: MessageStatus,
    /// The recipient as given (a phone number or a JID).
    to: String,
    /// The message type (`text`, `image`, `poll`, …).
    #[serde(rename = "type")]
    kind: String,
    sent_at: Option<DateTime<Utc>>,
    delivered_at: Option<DateTime<Utc>>,
    read_at: Option<DateTime<Utc>>,
    failed_at: Option<DateTime<Utc>>,
    /// Why it failed (`NOT_ON_WHATSAPP`, `RETRIES_EXHAUSTED`, …).
    error_code: Option<String>,
    error_message: Option<String>,
    /// The `metadata` object given when the message was sent.
    #[schema(value_type = Option<Object>)]
    metadata: Option<Value>,
}

/// `message.received`: the message fields above (`to` is our number), who sent it, and the
/// content in the message model of the send API.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct MessageReceivedData {
    #[serde(flatten)]
    message: MessageEventData,
    /// WhatsApp's id of the message.
    provider_message_id: Option<String>,
    /// The sender's phone number (or LID when WhatsApp hides the number).
    from: Option<String>,
    from_lid: Option<String>,
    push_name: Option<String>,
    /// The chat's JID (a group's for group messages).
    chat: String,
    is_group: bool,
    /// A text summary: the text, a caption, or the type in brackets.
    body: String,
    /// The content, as in the send API (`{"type": "image", "media": {…}, "caption": …}`);
    /// media is stored in wagate and downloadable from `GET /api/v1/media/{id}`.
    #[schema(value_type = Object)]
    content: Value,
    /// WhatsApp's id of the quoted message.
    reply_to: Option<String>,
    timestamp: Option<DateTime<Utc>>,
}

/// Who did something to a message: `"me"` when it was done through wagate, otherwise the other
/// side as WhatsApp tells it.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Actor {
    #[schema(example = "15550002222")]
    from: Option<String>,
    from_phone: Option<String>,
    from_lid: Option<String>,
    push_name: Option<String>,
}

/// A change to a message, by us (with the message's fields of `MessageEventData`) or by the
/// other side (with `chat` and `timestamp`). `messageId` is wagate's id of the message, when
/// wagate has it; `providerMessageId` is WhatsApp's.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct MessageChangeData {
    message_id: Option<String>,
    provider_message_id: Option<String>,
    #[serde(flatten)]
    actor: Actor,
    chat: Option<String>,
    timestamp: Option<DateTime<Utc>>,
}

/// `message.reaction`: an emoji on a message; `""` removes the reaction.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct MessageReactionData {
    #[serde(flatten)]
    change: MessageChangeData,
    emoji: String,
}

/// `message.edited`: the new text and the one it replaced.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct MessageEditedData {
    #[serde(flatten)]
    change: MessageChangeData,
    text: String,
    previous_text: String,
    edited_at: Option<DateTime<Utc>>,
}

/// `message.revoked`: deleted for everyone.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct MessageRevokedData {
    #[serde(flatten)]
    change: MessageChangeData,
    revoked_at: Option<DateTime<Utc>>,
}

/// `message.read`: a received message marked read through wagate.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct MessageReadData {
    #[serde(flatten)]
    message: MessageEventData,
    read_at: DateTime<Utc>,
}

/// `message.pinned` and `message.unpinned`.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct MessagePinData {
    #[serde(flatten)]
    message: MessageEventData,
    /// Until when the message stays pinned (`null` when unpinned).
    pinned_until: Option<DateTime<Utc>>,
}

/// `message.poll_vote`: the options someone chose in a poll (all of them, replacing earlier
/// votes; none withdraws the vote).
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct MessagePollVoteData {
    #[serde(flatten)]
    change: MessageChangeData,
    values: Vec<String>,
}

/// A member of a group, by address and (when WhatsApp tells it) phone number.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct GroupMemberRef {
    #[schema(example = "15550002222@s.whatsapp.net")]
    jid: String,
    #[schema(example = "15550002222")]
    phone: Option<String>,
}

/// `group.updated`: a group was created, or its subject, description, settings or picture changed,
/// through wagate or by another member.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct GroupUpdatedData {
    #[schema(example = "120363012345678901@g.us")]
    group_jid: String,
    /// `created`, `subject`, `description`, `settings` or `picture`.
    #[schema(example = "subject")]
    change: String,
    /// Who made the change, when WhatsApp tells.
    by: Option<GroupMemberRef>,
    at: DateTime<Utc>,
    /// With `created` and `subject`.
    subject: Option<String>,
    /// With `description`; `null` when it was removed.
    description: Option<String>,
    /// With `settings`: only the settings that changed (`announce`, `locked`, `approval`,
    /// `ephemeral` in seconds).
    #[schema(value_type = Option<Object>)]
    settings: Option<Value>,
    /// With `picture`: `set` or `removed`.
    #[schema(example = "set")]
    picture: Option<String>,
}

/// `group.participants_updated`: members were added, removed, promoted or demoted, or
/// joined (`add` by themselves) or left (`remove` by themselves).
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct GroupParticipantsUpdatedData {
    #[schema(example = "120363012345678901@g.us")]
    group_jid: String,
    #[schema(example = "add")]
    action: String,
    participants: Vec<GroupMemberRef>,
    by: Option<GroupMemberRef>,
    at: DateTime<Utc>,
}

/// `label.updated`: a label was created, renamed, recoloured or deleted, through wagate or on
/// another of the number's devices.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct LabelUpdatedData {
    #[schema(example = "3")]
    label_id: String,
    /// `null` when it was deleted.
    #[schema(example = "New customer")]
    name: Option<String>,
    /// An index into WhatsApp's palette of 20 colours; `null` when it was deleted.
    #[schema(example = 4)]
    color: Option<u8>,
    deleted: bool,
}

/// `label.chat_updated`: a label was put on a chat or taken off it.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct LabelChatUpdatedData {
    #[schema(example = "3")]
    label_id: String,
    #[schema(example = "15550002222@s.whatsapp.net")]
    chat: String,
    /// `true`: put on; `false`: taken off.
    labeled: bool,
}

/// `history.synced`: a chunk of the chat history WhatsApp hands a newly linked device was
/// imported (`syncHistory`).
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct HistorySyncedData {
    /// Messages stored from this chunk (those already stored are not counted).
    #[schema(example = 120)]
    messages: usize,
    /// The chats they belong to.
    #[schema(example = 8)]
    chats: usize,
    /// Messages not carried over (media, which is not downloaded, and kinds not known).
    #[schema(example = 14)]
    skipped: usize,
    /// How far the whole sync is, 0–100, when WhatsApp says.
    #[schema(example = 40)]
    progress: Option<u32>,
}

/// `call.received`: someone is calling the number.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CallReceivedData {
    /// WhatsApp's id of the call, to reject it by (`POST …/calls/{callId}/reject`).
    #[schema(example = "5C3B1A0E8F2D4B6A")]
    call_id: String,
    /// The caller's phone number (their LID when WhatsApp does not tell the number).
    #[schema(example = "15550002222")]
    from: Option<String>,
    #[schema(example = "15550002222@s.whatsapp.net")]
    from_jid: String,
    from_lid: Option<String>,
    push_name: Option<String>,
    video: bool,
    /// A group call's group.
    group_jid: Option<String>,
    at: DateTime<Utc>,
    /// The instance's `rejectCalls` setting rejects it (and sends `callRejectMessage`).
    auto_rejected: bool,
}

/// `presence.updated`: someone came online or went offline, or is typing, recording or
/// stopped in a chat with the number.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PresenceUpdatedData {
    /// The chat: their own for online and offline, or a group they type in.
    #[schema(example = "15550002222@s.whatsapp.net")]
    chat_jid: String,
    is_group: bool,
    /// Their phone number (their JID when the address holds none).
    #[schema(example = "15550002222")]
    from: String,
    #[schema(example = "15550002222@s.whatsapp.net")]
    from_jid: String,
    #[schema(example = "composing")]
    state: PresenceStateName,
    /// When they were last online, going offline, if their privacy settings show it.
    last_seen: Option<DateTime<Utc>>,
    at: DateTime<Utc>,
}

/// A presence as WhatsApp names it.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum PresenceStateName {
    Available,
    Unavailable,
    Composing,
    Recording,
    Paused,
}

/// `qrcode.updated`: a new QR code to scan (`code`) or a pairing code to type
/// (`pairingCode`), and when it expires.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct QrcodeUpdatedData {
    code: Option<String>,
    #[schema(example = "ABCD-EFGH")]
    pairing_code: Option<String>,
    expires_at: DateTime<Utc>,
}

/// `session.status`: the connection moved from one status to another.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SessionStatusData {
    status: InstanceStatus,
    previous_status: InstanceStatus,
    /// Why, for `failed`, `logged_out` and the like.
    reason: Option<String>,
}

/// `session.connected`: the number is linked and online.
#[derive(Serialize, ToSchema)]
pub struct SessionConnectedData {
    me: LinkedAccount,
}

/// `session.logged_out`: the phone removed the device, or `logout` was called.
#[derive(Serialize, ToSchema)]
pub struct SessionLoggedOutData {
    reason: String,
}

/// `session.paused`: the circuit breaker stopped the instance's sending.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SessionPausedData {
    /// Why, with the last engine error.
    reason: String,
    /// Transient engine failures in a row.
    failures: i64,
    /// When one message is let through as a probe.
    paused_until: String,
}

/// `session.resumed`: a probe send succeeded and sending goes on.
#[derive(Serialize, ToSchema)]
pub struct SessionResumedData {
    reason: String,
}

/// `instance.created`.
#[derive(Serialize, ToSchema)]
pub struct InstanceCreatedData {
    name: String,
    engine: EngineKind,
}

/// `instance.deleted`.
#[derive(Serialize, ToSchema)]
pub struct InstanceDeletedData {
    name: String,
}

/// `webhook.disabled`: an endpoint stopped receiving (it answered 410, or failed for longer
/// than `webhooks.disable_after_hours`).
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct WebhookDisabledData {
    webhook_id: String,
    url: String,
    reason: String,
}

/// `webhook.test`: sent by `POST /api/v1/webhooks/{id}/test` to that endpoint only.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct WebhookTestData {
    webhook_id: String,
    message: String,
}

/// The schema of an event's `data`, and what the event means.
fn describe(kind: EventKind) -> (&'static str, &'static str) {
    use EventKind::*;
    match kind {
        MessageQueued => (
            "MessageEventData",
            "A message was accepted and queued (or scheduled).",
        ),
        MessageSent => (
            "MessageEventData",
            "WhatsApp accepted the message (one tick).",
        ),
        MessageStatusUpdated => (
            "MessageEventData",
            "A sent message moved on: `sent`, `delivered`, `read`, `played` or `failed`.",
        ),
        MessageFailed => (
            "MessageEventData",
            "A message failed for good; `errorCode` and `errorMessage` say why.",
        ),
        MessageReceived => (
            "MessageReceivedData",
            "Someone wrote to the number (any message type).",
        ),
        MessageReaction => (
            "MessageReactionData",
            "A reaction was set or removed, by us or by the other side.",
        ),
        MessageEdited => ("MessageEditedData", "A text message was edited."),
        MessageRevoked => ("MessageRevokedData", "A message was deleted for everyone."),
        MessageRead => (
            "MessageReadData",
            "A received message was marked read through wagate.",
        ),
        MessagePinned => ("MessagePinData", "A message was pinned in its chat."),
        MessageUnpinned => ("MessagePinData", "A message was unpinned."),
        MessagePollVote => ("MessagePollVoteData", "Someone voted in a poll."),
        GroupUpdated => (
            "GroupUpdatedData",
            "A group was created, or its subject, description, settings or picture changed (by anyone).",
        ),
        GroupParticipantsUpdated => (
            "GroupParticipantsUpdatedData",
            "Members of a group were added, removed, promoted or demoted, or joined or left.",
        ),
        CallReceived => (
            "CallReceivedData",
            "Someone is calling the number (rejected at once with the `rejectCalls` setting).",
        ),
        PresenceUpdated => (
            "PresenceUpdatedData",
            "Someone came online or went offline (contacts the number follows), or is typing, recording or stopped in a chat.",
        ),
        LabelUpdated => (
            "LabelUpdatedData",
            "A label was created, renamed, recoloured or deleted (through wagate or on the phone).",
        ),
        LabelChatUpdated => (
            "LabelChatUpdatedData",
            "A label was put on a chat or taken off it.",
        ),
        HistorySynced => (
            "HistorySyncedData",
            "A chunk of the chat history WhatsApp hands a newly linked device was imported (`syncHistory`).",
        ),
        QrcodeUpdated => (
            "QrcodeUpdatedData",
            "A new QR code (or pairing code) is waiting to be scanned (typed).",
        ),
        SessionStatus => (
            "SessionStatusData",
            "The instance's connection status changed.",
        ),
        SessionConnected => (
            "SessionConnectedData",
            "The number is linked and connected.",
        ),
        SessionLoggedOut => ("SessionLoggedOutData", "The number was unlinked."),
        SessionPaused => (
            "SessionPausedData",
            "The engine kept failing: sending is paused and new sends answer 503 until a probe send succeeds.",
        ),
        SessionResumed => (
            "SessionResumedData",
            "A probe send succeeded after a pause: sending goes on.",
        ),
        InstanceCreated => ("InstanceCreatedData", "An instance was created."),
        InstanceDeleted => ("InstanceDeletedData", "An instance was deleted."),
        WebhookDisabled => (
            "WebhookDisabledData",
            "A webhook endpoint was disabled and receives nothing more until re-enabled.",
        ),
        WebhookTest => (
            "WebhookTestData",
            "A test delivery asked for with `POST /api/v1/webhooks/{id}/test`.",
        ),
    }
}

/// Adds the event schemas and the `webhooks` section.
pub struct EventDocs;

impl utoipa::Modify for EventDocs {
    fn modify(&self, openapi: &mut OpenApi) {
        let mut schemas = Vec::new();
        <EventEnvelope as ToSchema>::schemas(&mut schemas);
        for (name, schema) in [
            (EventEnvelope::name(), EventEnvelope::schema()),
            (MessageEventData::name(), MessageEventData::schema()),
            (MessageReceivedData::name(), MessageReceivedData::schema()),
            (Actor::name(), Actor::schema()),
            (MessageChangeData::name(), MessageChangeData::schema()),
            (MessageReactionData::name(), MessageReactionData::schema()),
            (MessageEditedData::name(), MessageEditedData::schema()),
            (MessageRevokedData::name(), MessageRevokedData::schema()),
            (MessageReadData::name(), MessageReadData::schema()),
            (MessagePinData::name(), MessagePinData::schema()),
            (MessagePollVoteData::name(), MessagePollVoteData::schema()),
            (GroupMemberRef::name(), GroupMemberRef::schema()),
            (GroupUpdatedData::name(), GroupUpdatedData::schema()),
            (
                GroupParticipantsUpdatedData::name(),
                GroupParticipantsUpdatedData::schema(),
            ),
            (CallReceivedData::name(), CallReceivedData::schema()),
            (PresenceUpdatedData::name(), PresenceUpdatedData::schema()),
            (PresenceStateName::name(), PresenceStateName::schema()),
            (LabelUpdatedData::name(), LabelUpdatedData::schema()),
            (LabelChatUpdatedData::name(), LabelChatUpdatedData::schema()),
            (HistorySyncedData::name(), HistorySyncedData::schema()),
            (QrcodeUpdatedData::name(), QrcodeUpdatedData::schema()),
            (SessionStatusData::name(), SessionStatusData::schema()),
            (SessionConnectedData::name(), SessionConnectedData::schema()),
            (SessionLoggedOutData::name(), SessionLoggedOutData::schema()),
            (SessionPausedData::name(), SessionPausedData::schema()),
            (SessionResumedData::name(), SessionResumedData::schema()),
            (InstanceCreatedData::name(), InstanceCreatedData::schema()),
            (InstanceDeletedData::name(), InstanceDeletedData::schema()),
            (WebhookDisabledData::name(), WebhookDisabledData::schema()),
            (WebhookTestData::name(), WebhookTestData::schema()),
        ] {
            schemas.push((name.into_owned(), schema));
        }
        for schema in [
            <MessageReceivedData as ToSchema>::schemas,
            <MessageChangeData as ToSchema>::schemas,
            <SessionStatusData as ToSchema>::schemas,
            <SessionConnectedData as ToSchema>::schemas,
            <InstanceCreatedData as ToSchema>::schemas,
            <MessageEventData as ToSchema>::schemas,
        ] {
            schema(&mut schemas);
        }
        let components = openapi.components.get_or_insert_with(Default::default);
        for (name, schema) in schemas {
            components.schemas.entry(name).or_insert(schema);
        }

        let mut webhooks = PathsBuilder::new();
        for kind in EventKind::ALL {
            let (data_schema, meaning) = describe(kind);
            let body = AllOfBuilder::new()
                .item(Ref::from_schema_name("EventEnvelope"))
                .item(
                    ObjectBuilder::new()
                        .property(
                            "event",
                            ObjectBuilder::new()
                                .schema_type(Type::String)
                                .enum_values(Some([kind.as_str()])),
                        )
                        .property("data", Ref::from_schema_name(data_schema))
                        .required("event")
                        .required("data"),
                );
            let operation = OperationBuilder::new()
                .summary(Some(kind.as_str()))
                .description(Some(format!(
                    "{meaning} Sent to webhooks subscribed to `{}` or `*`, to live streams and \
                     to brokers. Signed per Standard Webhooks (`webhook-id`, \
                     `webhook-timestamp`, `webhook-signature`).",
                    kind.as_str()
                )))
                .tag("events")
                .request_body(Some(
                    RequestBodyBuilder::new()
                        .content(
                            "application/json",
                            ContentBuilder::new().schema(Some(body)).build(),
                        )
                        .required(Some(utoipa::openapi::Required::True))
                        .build(),
                ))
                .response(
                    "2XX",
                    ResponseBuilder::new()
                        .description("Received. Anything else (or no answer within `webhooks.timeout_secs`) is retried.")
                        .build(),
                );
            webhooks = webhooks.path(kind.as_str(), PathItem::new(HttpMethod::Post, operation));
        }
        openapi.webhooks = Some(webhooks.build());
    }
}
