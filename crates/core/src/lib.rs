//! wagate's one vocabulary.
//!
//! Everything the gateway talks about — ids, WhatsApp addresses, message content, the status
//! machines of messages and instances, event names and error codes — is defined here once,
//! parsed at the boundary into types that cannot hold invalid values, and serialised with
//! stable wire names. This crate does no I/O, so every other crate can depend on it.

pub mod address;
pub mod content;
pub mod error_code;
pub mod event;
pub mod ids;
pub mod instance;
pub mod message;
pub mod plan;
pub mod settings;
pub mod status_post;
pub mod validation;
pub mod webhook;

pub use address::{Jid, JidKind, PhoneNumber, Recipient};
pub use content::{
    ContactCard, InteractiveAction, InteractiveButton, ListRow, ListSection, MediaRef, Mention,
    MessageContent, TextBody,
};
pub use error_code::ErrorCode;
pub use event::{EventKind, EventSeq};
pub use ids::{AccountId, ApiKeyId, EventId, InstanceId, MessageId};
pub use instance::{Capability, EngineKind, InstanceName, InstanceStatus, LinkedAccount};
pub use message::{MessageStatus, OutboundMessage};
pub use plan::Plan;
pub use settings::{InstanceSettings, PacingSettings};
pub use status_post::{StatusBackground, StatusFont, StatusPost};
pub use validation::{FieldError, ValidationErrors};
pub use webhook::WebhookFormat;
