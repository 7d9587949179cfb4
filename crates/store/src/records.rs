//! What the store hands back: typed records, never raw rows.

use chrono::{DateTime, Utc};
use wagate_core::{
    AccountId, ApiKeyId, EngineKind, EventKind, EventSeq, InstanceId, InstanceName,
    InstanceSettings, InstanceStatus, LinkedAccount, Mention, MessageContent, MessageId,
    MessageStatus,
};

#[derive(Clone, Debug, PartialEq)]
pub struct AccountRecord {
    pub id: AccountId,
    pub name: String,
    /// The address it registered with (seed 004's `POST /auth/register`); none for accounts
    /// the admin made.
    pub email: Option<String>,
    pub plan: wagate_core::Plan,
    pub created_at: DateTime<Utc>,
}

/// What an API key lets its holder reach.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum KeyScope {
    /// Manages accounts.
    Admin,
    /// Manages one account's instances, messages and events.
    Account(AccountId),
    /// Reaches one instance of one account.
    Instance(AccountId, InstanceId),
}

#[derive(Clone, Debug, PartialEq)]
pub struct ApiKeyRecord {
    pub id: ApiKeyId,
    pub scope: KeyScope,
    pub created_at: DateTime<Utc>,
}

/// One of an account's own keys, without its secret.
#[derive(Clone, Debug, PartialEq)]
pub struct AccountKeyRecord {
    pub id: ApiKeyId,
    /// The name it was created with (seed 002's personal access tokens have one).
    pub name: Option<String>,
    pub created_at: DateTime<Utc>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct InstanceRecord {
    pub id: InstanceId,
    pub account_id: AccountId,
    pub name: InstanceName,
    pub engine: EngineKind,
    pub status: InstanceStatus,
    pub status_reason: Option<String>,
    /// Whether the engine holds credentials for this instance (it reconnects at start-up).
    pub linked: bool,
    pub me: Option<LinkedAccount>,
    pub qr_code: Option<String>,
    pub qr_expires_at: Option<DateTime<Utc>>,
    pub pairing_code: Option<String>,
    /// How many QR codes the current linking attempt has shown.
    pub qr_count: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub settings: InstanceSettings,
    /// When the instance was first linked to a number: the start of its warm-up.
    pub linked_at: Option<DateTime<Utc>>,
    /// Until when the daily cap holds the instance's sends back.
    pub capped_until: Option<DateTime<Utc>>,
    /// Until when the circuit breaker keeps the instance from sending.
    pub paused_until: Option<DateTime<Utc>>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Direction {
    Outbound,
    Inbound,
}

impl Direction {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Outbound => "outbound",
            Self::Inbound => "inbound",
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct TimelineEntry {
    pub status: MessageStatus,
    pub at: DateTime<Utc>,
    pub detail: Option<String>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct MessageRecord {
    pub id: MessageId,
    pub account_id: AccountId,
    pub instance_id: InstanceId,
    pub direction: Direction,
    /// The normalised recipient as the API shows it (digits, or a JID).
    pub recipient: String,
    pub chat_jid: String,
    pub content: MessageContent,
    /// WhatsApp's id of the quoted message.
    pub reply_to: Option<String>,
    pub mentions: Vec<Mention>,
    pub status: MessageStatus,
    pub provider_message_id: Option<String>,
    pub error_code: Option<String>,
    pub error_message: Option<String>,
    pub metadata: Option<serde_json::Map<String, serde_json::Value>>,
    pub attempts: i64,
    pub run_at: DateTime<Utc>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub sent_at: Option<DateTime<Utc>>,
    pub delivered_at: Option<DateTime<Utc>>,
    pub read_at: Option<DateTime<Utc>>,
    pub failed_at: Option<DateTime<Utc>>,
    /// Who sent an inbound message.
    pub sender: Option<String>,
    pub sender_lid: Option<String>,
    pub push_name: Option<String>,
    pub edited_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
    pub pinned_until: Option<DateTime<Utc>>,
    /// The audience of a status (story) we posted.
    pub status_post: Option<wagate_core::StatusPost>,
}

/// One party's reaction to a message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReactionRecord {
    /// `me`, or the reacting party's phone number or LID.
    pub actor: String,
    pub emoji: String,
    pub at: DateTime<Utc>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct EventRecord {
    pub seq: EventSeq,
    pub id: String,
    pub account_id: AccountId,
    pub instance_id: Option<InstanceId>,
    pub instance_name: Option<String>,
    pub kind: EventKind,
    pub data: serde_json::Value,
    pub created_at: DateTime<Utc>,
}

/// One page of a listing with the total number of matches.
#[derive(Clone, Debug, PartialEq)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub total: i64,
}
