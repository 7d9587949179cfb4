//! The error codes of the API, with their stable wire names.
//!
//! The HTTP status of each code is decided once, in the server's error mapping; the code
//! itself is part of the vocabulary because engines and services report failures with it.

use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ErrorCode {
    BadRequest,
    Unauthorized,
    Forbidden,
    NotFound,
    InstanceNotConnected,
    IdempotencyConflict,
    Conflict,
    PayloadTooLarge,
    UnsupportedMediaType,
    ValidationError,
    RateLimited,
    NotSupportedByEngine,
    EngineUnavailable,
    /// Meta refused a cloud number's credentials.
    CredentialsInvalid,
    InternalError,
}

impl ErrorCode {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::BadRequest => "BAD_REQUEST",
            Self::Unauthorized => "UNAUTHORIZED",
            Self::Forbidden => "FORBIDDEN",
            Self::NotFound => "NOT_FOUND",
            Self::InstanceNotConnected => "INSTANCE_NOT_CONNECTED",
            Self::IdempotencyConflict => "IDEMPOTENCY_CONFLICT",
            Self::Conflict => "CONFLICT",
            Self::PayloadTooLarge => "PAYLOAD_TOO_LARGE",
            Self::UnsupportedMediaType => "UNSUPPORTED_MEDIA_TYPE",
            Self::ValidationError => "VALIDATION_ERROR",
            Self::RateLimited => "RATE_LIMITED",
            Self::NotSupportedByEngine => "NOT_SUPPORTED_BY_ENGINE",
            Self::EngineUnavailable => "ENGINE_UNAVAILABLE",
            Self::CredentialsInvalid => "CREDENTIALS_INVALID",
            Self::InternalError => "INTERNAL_ERROR",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wire_name_matches_serde() {
        for code in [
            ErrorCode::InstanceNotConnected,
            ErrorCode::NotSupportedByEngine,
            ErrorCode::CredentialsInvalid,
        ] {
            let json = serde_json::to_value(code).unwrap();
            assert_eq!(json, code.as_str());
        }
    }
}
