//! What can go wrong at the engine, in terms the dispatcher can act on.

use wagate_core::ErrorCode;

/// Why WhatsApp will never accept a message, whatever the number of retries.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SendFailure {
    /// The recipient's number has no WhatsApp account.
    NotOnWhatsApp,
    /// The recipient blocked this number.
    Blocked,
    /// The content was refused (for example corrupt media).
    InvalidContent,
}

impl SendFailure {
    /// The stable code stored with a failed message.
    pub fn code(self) -> &'static str {
        match self {
            Self::NotOnWhatsApp => "NOT_ON_WHATSAPP",
            Self::Blocked => "BLOCKED",
            Self::InvalidContent => "INVALID_CONTENT",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum EngineError {
    /// The session is not connected; the message stays queued until it is.
    #[error("the WhatsApp session is not connected")]
    NotConnected,
    /// This engine cannot do that at all.
    #[error("the {engine} engine does not support {what}")]
    NotSupported {
        engine: &'static str,
        what: &'static str,
    },
    /// WhatsApp refused for good: retrying will not help.
    #[error("{message}")]
    Permanent {
        failure: SendFailure,
        message: String,
    },
    /// The provider refused the message for good with a code of its own (Meta's `131047`
    /// becomes `META_131047`), kept as the message's error code.
    #[error("{message}")]
    Refused { code: String, message: String },
    /// A passing failure (network, rate limit): retrying may help.
    #[error("{0}")]
    Transient(String),
    /// The request does not fit the session's state (for example linking a linked number).
    #[error("{0}")]
    InvalidState(String),
    /// What the call names does not exist for this number (a group it is not in).
    #[error("{what} not found")]
    NotFound { what: &'static str },
    /// WhatsApp allows that only to others (a group change only admins may make).
    #[error("{0}")]
    Forbidden(String),
}

impl EngineError {
    /// The API error code for this failure when it answers a request directly.
    pub fn error_code(&self) -> ErrorCode {
        match self {
            Self::NotConnected => ErrorCode::InstanceNotConnected,
            Self::NotSupported { .. } => ErrorCode::NotSupportedByEngine,
            Self::Permanent { .. } | Self::Refused { .. } => ErrorCode::ValidationError,
            Self::Transient(_) => ErrorCode::EngineUnavailable,
            Self::InvalidState(_) => ErrorCode::Conflict,
            Self::NotFound { .. } => ErrorCode::NotFound,
            Self::Forbidden(_) => ErrorCode::Forbidden,
        }
    }
}
