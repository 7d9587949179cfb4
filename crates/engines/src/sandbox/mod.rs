//! The sandbox engine: a simulated WhatsApp network inside the process.
//!
//! It behaves like the real thing where users can observe it — QR codes that rotate (the
//! first lives 60 s, later ones 20 s, at most six), pairing codes, a phone that links a device
//! by "scanning" a code, sent → delivered → read receipts after configurable delays, and a
//! phone directory in which numbers ending in `0000` are not on WhatsApp — and it is
//! deterministic enough to test against. It is the default for trying wagate without a phone.

mod codes;
mod groups;
pub mod history;
mod network;
mod newsletters;
mod pictures;
mod session;
mod wire;

use crate::{Engine, EventSink, PresenceState, Sender, Session};
use std::sync::Arc;
use std::time::Duration;
use wagate_core::{Capability, EngineKind, InstanceId, Jid, LinkedAccount, MessageId, PhoneNumber};

pub use network::{ConnectionError, LinkError};
pub use session::Inbound;
pub use wire::{FaultKind, WireActivity};

/// How the simulated network behaves.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SandboxConfig {
    /// How long the first QR code of a linking attempt lives.
    pub qr_first_ttl: Duration,
    /// How long each later QR code lives.
    pub qr_next_ttl: Duration,
    /// How many QR codes are shown before linking gives up.
    pub qr_max_codes: u32,
    /// How long a pairing code stays valid.
    pub pairing_code_ttl: Duration,
    /// Delay between a message being sent and its delivery receipt.
    pub delivered_after: Duration,
    /// Delay between the delivery receipt and the read receipt.
    pub read_after: Duration,
    /// A file the delivery ledger is kept in, so it outlives the process (crash tests).
    pub delivery_ledger: Option<std::path::PathBuf>,
}

impl Default for SandboxConfig {
    fn default() -> Self {
        Self {
            qr_first_ttl: Duration::from_secs(60),
            qr_next_ttl: Duration::from_secs(20),
            qr_max_codes: 6,
            pairing_code_ttl: Duration::from_secs(180),
            delivered_after: Duration::from_secs(1),
            read_after: Duration::from_secs(3),
            delivery_ledger: None,
        }
    }
}

/// The sandbox simulates everything, templates and interactive messages included.
pub const CAPABILITIES: &[Capability] = &[
    Capability::ReceiveMessages,
    Capability::EditMessages,
    Capability::RevokeMessages,
    Capability::MarkRead,
    Capability::PinMessages,
    Capability::QrLink,
    Capability::PairingCode,
    Capability::Logout,
    Capability::ReadReceipts,
    Capability::SendText,
    Capability::SendMedia,
    Capability::SendLocation,
    Capability::SendContacts,
    Capability::SendPoll,
    Capability::SendReaction,
    Capability::SendTemplate,
    Capability::SendInteractive,
    Capability::Replies,
    Capability::Mentions,
    Capability::CheckNumbers,
    Capability::BlockContacts,
    Capability::Groups,
    Capability::Presence,
    Capability::Profiles,
    Capability::Calls,
    Capability::ManageChats,
    Capability::SaveContacts,
    Capability::Labels,
    Capability::Communities,
    Capability::Newsletters,
    Capability::PostStatus,
    Capability::HistorySync,
];

/// The sandbox engine. Its sessions share one simulated network.
#[derive(Clone, Debug)]
pub struct SandboxEngine {
    network: Arc<network::Network>,
}

impl SandboxEngine {
    /// Fails only when the delivery ledger file cannot be opened.
    pub fn new(config: SandboxConfig) -> std::io::Result<Self> {
        Ok(Self {
            network: Arc::new(network::Network::new(config)?),
        })
    }

    /// Plays the phone: links the instance that currently shows `code` (a QR code or a
    /// pairing code) to the WhatsApp account of `phone`.
    pub async fn link(
        &self,
        instance: &InstanceId,
        code: &str,
        phone: Option<PhoneNumber>,
    ) -> Result<LinkedAccount, LinkError> {
        self.network.link(instance, code, phone).await
    }

    /// Simulates the network dropping the instance's connection: the session reports
    /// `Reconnecting` and sends nothing until the connection is restored.
    pub async fn drop_connection(&self, instance: &InstanceId) -> Result<(), ConnectionError> {
        self.network.live_session(instance)?.drop_connection().await
    }

    /// Plays someone calling the instance's number; answers the call's id.
    pub async fn ring(
        &self,
        instance: &InstanceId,
        from: Sender,
        video: bool,
    ) -> Result<String, ConnectionError> {
        self.network.live_session(instance)?.ring(from, video).await
    }

    /// Plays someone else's presence: online, offline, or typing in a chat with the number.
    pub async fn show_presence(
        &self,
        instance: &InstanceId,
        from: Jid,
        chat: Jid,
        state: PresenceState,
    ) -> Result<(), ConnectionError> {
        self.network
            .live_session(instance)?
            .show_presence(from, chat, state)
            .await
    }

    /// Ends a simulated drop: the session reports `Connected` again.
    pub async fn restore_connection(&self, instance: &InstanceId) -> Result<(), ConnectionError> {
        self.network
            .live_session(instance)?
            .restore_connection()
            .await
    }

    /// Plays someone else on WhatsApp: delivers `inbound` to the instance as if that person had
    /// sent it. Answers WhatsApp's id of a new message.
    pub async fn inject(
        &self,
        instance: &InstanceId,
        inbound: Inbound,
    ) -> Result<Option<String>, ConnectionError> {
        self.network.live_session(instance)?.receive(inbound).await
    }

    /// What the instance put on the wire: messages and "typing…", oldest first.
    pub fn activity(&self, instance: &InstanceId) -> Vec<WireActivity> {
        self.network.shared.wire.activity(instance)
    }

    /// Makes the instance's next `count` sends fail as `kind` (0 clears).
    pub fn set_fault(&self, instance: &InstanceId, kind: FaultKind, count: u32) {
        self.network.shared.wire.set_fault(instance, kind, count);
    }

    /// How many times the network delivered the message with this id (tests assert one).
    pub fn deliveries(&self, id: &MessageId) -> u32 {
        self.network.deliveries(id)
    }
}

impl Engine for SandboxEngine {
    fn kind(&self) -> EngineKind {
        EngineKind::Sandbox
    }

    fn capabilities(&self) -> &'static [Capability] {
        CAPABILITIES
    }

    fn session(&self, instance: InstanceId, events: EventSink) -> Arc<dyn Session> {
        self.network.session(instance, events)
    }

    fn planned_message_id(&self, id: &wagate_core::MessageId) -> Option<String> {
        // What the sandbox's sessions send a message under (see their `send`).
        Some(id.to_string())
    }
}

/// Whether the sandbox's phone directory has a WhatsApp account for this number.
pub fn is_on_whatsapp(phone: &str) -> bool {
    !phone.ends_with("0000")
}

/// The LID the sandbox gives a phone number: stable, and unlike the number, as WhatsApp's are.
pub fn lid_for(phone: &str) -> String {
    let hash = phone.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    });
    format!("{}@lid", 100_000_000_000_000 + hash % 900_000_000_000_000)
}
