//! What the API answers with: the JSON shapes of accounts, instances, messages and events.

use crate::services::MessageView as MessageDetails;
use chrono::{DateTime, SecondsFormat, Utc};
use serde::Serialize;
use wagate_core::{
    Capability, EngineKind, InstanceSettings, InstanceStatus, LinkedAccount, MessageStatus,
};
use wagate_store::{AccountRecord, EventRecord, InstanceRecord, MessageRecord, TimelineEntry};

pub fn time(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Millis, true)
}

/// When a message waiting for its time (scheduled, or retrying later) will be tried.
fn scheduled_for(message: &MessageRecord) -> Option<String> {
    matches!(
        message.status,
        MessageStatus::Scheduled | MessageStatus::Retrying
    )
    .then(|| time(message.run_at))
}

#[derive(Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AccountView {
    #[schema(example = "acc_0192f0c5e2b47a39b1d2c3e4f5a6b7c8")]
    pub id: String,
    pub name: String,
    /// Sets the request limit per minute.
    pub plan: wagate_core::Plan,
    pub created_at: String,
}

impl From<&AccountRecord> for AccountView {
    fn from(account: &AccountRecord) -> Self {
        Self {
            id: account.id.to_string(),
            name: account.name.clone(),
            plan: account.plan,
            created_at: time(account.created_at),
        }
    }
}

/// A new account and its key. The key is shown only in this answer.
#[derive(Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CreatedAccountView {
    #[serde(flatten)]
    pub account: AccountView,
    #[schema(example = "wgk_3f1a…")]
    pub api_key: String,
}

#[derive(Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct InstanceView {
    #[schema(example = "ins_0192f0c5e2b47a39b1d2c3e4f5a6b7c8")]
    pub id: String,
    pub name: String,
    pub engine: EngineKind,
    pub status: InstanceStatus,
    /// Why the instance is in its status, when there is more to say.
    pub status_reason: Option<String>,
    /// The linked WhatsApp account, once linked.
    pub me: Option<LinkedAccount>,
    /// What this instance's engine can do.
    pub capabilities: Vec<Capability>,
    /// Its own settings (pacing overrides); what is absent follows the server's defaults.
    pub settings: InstanceSettings,
    /// Until when the daily cap holds its sends back (new sends are scheduled for then).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub capped_until: Option<String>,
    /// Until when the circuit breaker pauses its sending (new sends answer 503).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub paused_until: Option<String>,
    pub created_at: String,
    pub updated_at: String,
}

impl InstanceView {
    /// `now` is the gateway's time: holds that have ended are not shown.
    pub fn new(
        instance: &InstanceRecord,
        capabilities: &[Capability],
        now: chrono::DateTime<chrono::Utc>,
    ) -> Self {
        Self {
            id: instance.id.to_string(),
            name: instance.name.as_str().to_owned(),
            engine: instance.engine,
            status: instance.status,
            status_reason: instance.status_reason.clone(),
            me: instance.me.clone(),
            capabilities: capabilities.to_vec(),
            settings: instance.settings.clone(),
            capped_until: instance.capped_until.filter(|until| *until > now).map(time),
            paused_until: instance.paused_until.filter(|until| *until > now).map(time),
            created_at: time(instance.created_at),
            updated_at: time(instance.updated_at),
        }
    }
}

/// A new instance and its key. The key reaches only this instance and is shown only here.
#[derive(Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CreatedInstanceView {
    #[serde(flatten)]
    pub instance: InstanceView,
    #[schema(example = "wgi_9c2e…")]
    pub api_key: String,
    /// The webhook created with the instance, with its secret (shown only now).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Object>)]
    pub webhook: Option<serde_json::Value>,
    /// A cloud instance's number: the webhook path and verify token to enter at Meta.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cloud: Option<crate::services::CloudNumberView>,
}

#[derive(Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct QrView {
    /// The text the QR code encodes.
    pub code: String,
    /// The QR code as a PNG data URL, ready for an `<img src>`.
    #[schema(example = "data:image/png;base64,iVBORw0KGgo…")]
    pub image: String,
    pub expires_at: String,
}

/// The state of a linking attempt: a QR code to scan, a pairing code to type, or open.
#[derive(Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ConnectView {
    pub status: InstanceStatus,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub qr: Option<QrView>,
    /// Type this on the phone: WhatsApp → Linked devices → Link with phone number.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(example = "ABCD-EFGH")]
    pub pairing_code: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub me: Option<LinkedAccount>,
}

#[derive(Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct StatusView {
    pub status: InstanceStatus,
    pub status_reason: Option<String>,
    pub me: Option<LinkedAccount>,
}

impl From<&InstanceRecord> for StatusView {
    fn from(instance: &InstanceRecord) -> Self {
        Self {
            status: instance.status,
            status_reason: instance.status_reason.clone(),
            me: instance.me.clone(),
        }
    }
}

/// A sandbox instance the simulated phone linked.
#[derive(Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SandboxLinkView {
    pub instance_id: String,
    pub instance: String,
    pub status: InstanceStatus,
    pub me: Option<LinkedAccount>,
}

/// The answer to a send: the message is stored and queued.
#[derive(Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AcceptedMessageView {
    #[schema(example = "0192f0c5-e2b4-7a39-b1d2-c3e4f5a6b7c8")]
    pub id: String,
    pub status: MessageStatus,
    pub to: String,
    /// When a scheduled message will be sent; null when it is due now.
    pub scheduled_for: Option<String>,
}

impl From<&MessageRecord> for AcceptedMessageView {
    fn from(message: &MessageRecord) -> Self {
        Self {
            id: message.id.to_string(),
            status: message.status,
            to: message.recipient.clone(),
            scheduled_for: scheduled_for(message),
        }
    }
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct TimelineView {
    pub status: MessageStatus,
    pub at: String,
}

impl From<&TimelineEntry> for TimelineView {
    fn from(entry: &TimelineEntry) -> Self {
        Self {
            status: entry.status,
            at: time(entry.at),
        }
    }
}

/// A message as seed 004's `GET /messages/:id` shows it, with wagate's additions.
#[derive(Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct MessageJson {
    pub id: String,
    pub instance_id: String,
    pub direction: String,
    /// The recipient, normalised: international digits, or a JID.
    pub to: String,
    #[serde(rename = "type")]
    pub message_type: String,
    /// A short rendering: the text, caption, poll question, location name…
    pub body: String,
    /// The whole content, tagged by `type`.
    #[schema(value_type = Object)]
    pub content: serde_json::Value,
    /// WhatsApp's id of the quoted message.
    pub reply_to: Option<String>,
    #[schema(value_type = Vec<String>)]
    pub mentions: Vec<wagate_core::Mention>,
    pub status: MessageStatus,
    /// When a scheduled (or retrying) message will be tried next.
    pub scheduled_for: Option<String>,
    pub sent_at: Option<String>,
    pub delivered_at: Option<String>,
    pub read_at: Option<String>,
    pub failed_at: Option<String>,
    pub error_code: Option<String>,
    pub error_message: Option<String>,
    #[schema(value_type = Option<Object>)]
    pub metadata: Option<serde_json::Map<String, serde_json::Value>>,
    /// WhatsApp's id for the message, once sent.
    pub provider_message_id: Option<String>,
    pub attempts: i64,
    pub created_at: String,
    pub updated_at: String,
    /// Who sent a received message: their number, or their LID when WhatsApp hides it.
    pub from: Option<String>,
    pub from_lid: Option<String>,
    pub push_name: Option<String>,
    /// The chat: a phone number's or a group's JID.
    pub chat: String,
    pub edited_at: Option<String>,
    /// When the message was deleted for everyone.
    pub revoked_at: Option<String>,
    pub pinned_until: Option<String>,
    /// Who a status (story) went to, when this message is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status_post: Option<StatusPostView>,
    /// Every status the message went through, oldest first (only on single messages).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub timeline: Option<Vec<TimelineView>>,
    /// Each party's current reaction (only on single messages).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reactions: Option<Vec<ReactionView>>,
}

/// The audience and look of a status.
#[derive(Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct StatusPostView {
    /// Posted to the whole address book (as it was then) rather than to listed numbers.
    pub all_contacts: bool,
    /// How many numbers it was sent to.
    #[schema(example = 2)]
    pub recipients: usize,
    #[schema(example = "#FF1E6E4F")]
    pub background_color: Option<String>,
    pub font: Option<wagate_core::StatusFont>,
}

impl From<&wagate_core::StatusPost> for StatusPostView {
    fn from(post: &wagate_core::StatusPost) -> Self {
        Self {
            all_contacts: post.all_contacts,
            recipients: post.recipients.len(),
            background_color: post.background_color.map(|colour| colour.to_string()),
            font: post.font,
        }
    }
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct ReactionView {
    /// `me`, or the reacting party's number (or LID).
    pub from: String,
    pub emoji: String,
    pub at: String,
}

impl MessageJson {
    pub fn summary(message: &MessageRecord) -> Self {
        Self {
            id: message.id.to_string(),
            instance_id: message.instance_id.to_string(),
            direction: message.direction.as_str().to_owned(),
            to: message.recipient.clone(),
            message_type: message.content.type_name().to_owned(),
            body: message.content.summary(),
            content: serde_json::to_value(&message.content).unwrap_or_default(),
            reply_to: message.reply_to.clone(),
            mentions: message.mentions.clone(),
            status: message.status,
            scheduled_for: scheduled_for(message),
            sent_at: message.sent_at.map(time),
            delivered_at: message.delivered_at.map(time),
            read_at: message.read_at.map(time),
            failed_at: message.failed_at.map(time),
            error_code: message.error_code.clone(),
            error_message: message.error_message.clone(),
            metadata: message.metadata.clone(),
            provider_message_id: message.provider_message_id.clone(),
            attempts: message.attempts,
            created_at: time(message.created_at),
            updated_at: time(message.updated_at),
            from: message.sender.clone(),
            from_lid: message.sender_lid.clone(),
            push_name: message.push_name.clone(),
            chat: message.chat_jid.clone(),
            edited_at: message.edited_at.map(time),
            revoked_at: message.revoked_at.map(time),
            pinned_until: message.pinned_until.map(time),
            status_post: message.status_post.as_ref().map(StatusPostView::from),
            timeline: None,
            reactions: None,
        }
    }

    pub fn detailed(details: &MessageDetails) -> Self {
        Self {
            timeline: Some(details.timeline.iter().map(TimelineView::from).collect()),
            reactions: Some(
                details
                    .reactions
                    .iter()
                    .map(|r| ReactionView {
                        from: r.actor.clone(),
                        emoji: r.emoji.clone(),
                        at: time(r.at),
                    })
                    .collect(),
            ),
            ..Self::summary(&details.message)
        }
    }
}

/// One event of the outbox, in the envelope webhooks use too.
#[derive(Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct EventJson {
    /// Unique; receivers deduplicate on it.
    #[schema(example = "evt_0192f0c5e2b47a39b1d2c3e4f5a6b7c8")]
    pub id: String,
    /// Position in the outbox; pass as `after` to read on.
    pub seq: i64,
    /// The event name, e.g. `message.status_updated`.
    pub event: String,
    pub instance_id: Option<String>,
    /// The instance's name.
    pub instance: Option<String>,
    pub timestamp: String,
    #[schema(value_type = Object)]
    pub data: serde_json::Value,
}

impl From<&EventRecord> for EventJson {
    fn from(event: &EventRecord) -> Self {
        Self {
            id: crate::services::public_event_id(event),
            seq: event.seq.0,
            event: event.kind.as_str().to_owned(),
            instance_id: event.instance_id.as_ref().map(ToString::to_string),
            instance: event.instance_name.clone(),
            timestamp: time(event.created_at),
            data: event.data.clone(),
        }
    }
}

/// A stored file.
#[derive(Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct MediaView {
    #[schema(example = "med_0192f0c5e2b47a39b1d2c3e4f5a6b7c8")]
    pub id: String,
    /// What the bytes are (detected from them, not taken from the upload's claim).
    pub mimetype: String,
    pub size: i64,
    /// Hex SHA-256 of the bytes.
    pub sha256: String,
    pub file_name: Option<String>,
    pub created_at: String,
}

impl From<&wagate_store::MediaRecord> for MediaView {
    fn from(media: &wagate_store::MediaRecord) -> Self {
        Self {
            id: media.id.clone(),
            mimetype: media.mimetype.clone(),
            size: media.size,
            sha256: media.sha256.clone(),
            file_name: media.file_name.clone(),
            created_at: time(media.created_at),
        }
    }
}

/// The answer to a bulk send (seed 004's shape, with the queued messages).
#[derive(Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct BulkView {
    /// Lists the batch: `GET /api/v1/messages?batchId=`.
    #[schema(example = "bat_0192f0c5e2b47a39b1d2c3e4f5a6b7c8")]
    pub batch_id: String,
    pub total_messages: usize,
    /// How many were queued (or scheduled).
    pub queued: usize,
    pub failed_count: usize,
    pub errors: Vec<crate::services::BulkItemError>,
    pub messages: Vec<AcceptedMessageView>,
}

impl From<crate::services::BulkOutcome> for BulkView {
    fn from(outcome: crate::services::BulkOutcome) -> Self {
        Self {
            batch_id: outcome.batch_id,
            total_messages: outcome.total,
            queued: outcome.queued.len(),
            failed_count: outcome.errors.len(),
            messages: outcome
                .queued
                .iter()
                .map(AcceptedMessageView::from)
                .collect(),
            errors: outcome.errors,
        }
    }
}
