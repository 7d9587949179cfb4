//! The web engine: makes one [`WebSession`] per instance, all sharing the store, the media
//! store and the start stagger.

use std::sync::Arc;
use wagate_core::{Capability, EngineKind, InstanceId};
use wagate_engine::{Engine, EventSink, MediaSink, MediaSource, Session};
use wagate_store::Store;

use crate::session::{Shared, Stagger, WebConfig, WebSession};

/// What a WhatsApp Web session can do.
pub const CAPABILITIES: &[Capability] = &[
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
    Capability::SendInteractive,
    Capability::Replies,
    Capability::Mentions,
    Capability::ReceiveMessages,
    Capability::EditMessages,
    Capability::RevokeMessages,
    Capability::MarkRead,
    Capability::PinMessages,
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

pub struct WebEngine {
    shared: Arc<Shared>,
}

impl WebEngine {
    pub fn new(
        store: Store,
        media: Arc<dyn MediaSource>,
        files: Arc<dyn MediaSink>,
        config: WebConfig,
    ) -> Self {
        let stagger = Stagger::new(config.start_spacing);
        Self {
            shared: Arc::new(Shared {
                store,
                media,
                files,
                config,
                stagger,
            }),
        }
    }
}

impl Engine for WebEngine {
    fn kind(&self) -> EngineKind {
        EngineKind::Web
    }

    fn capabilities(&self) -> &'static [Capability] {
        CAPABILITIES
    }

    fn session(&self, instance: InstanceId, events: EventSink) -> Arc<dyn Session> {
        Arc::new(WebSession::new(instance, self.shared.clone(), events))
    }

    fn planned_message_id(&self, id: &wagate_core::MessageId) -> Option<String> {
        Some(crate::outbound::whatsapp_message_id(id))
    }
}
