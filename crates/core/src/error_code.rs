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
    /// The route exists, but not with this method (the `Allow` header lists those it takes).
    MethodNotAllowed,
    /// The request (its headers or a pause in its body) did not arrive in time.
    RequestTimeout,
    InstanceNotConnected,
    IdempotencyConflict,
    Conflict,
    PayloadTooLarge,
    UriTooLong,
    UnsupportedMediaType,
    ValidationError,
    RateLimited,
    /// Too many request headers, or too large ones.
    HeadersTooLarge,
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
            Self::MethodNotAllowed => "METHOD_NOT_ALLOWED",
            Self::RequestTimeout => "REQUEST_TIMEOUT",
            Self::InstanceNotConnected => "INSTANCE_NOT_CONNECTED",
            Self::IdempotencyConflict => "IDEMPOTENCY_CONFLICT",
            Self::Conflict => "CONFLICT",
            Self::PayloadTooLarge => "PAYLOAD_TOO_LARGE",
            Self::UriTooLong => "URI_TOO_LONG",
            Self::UnsupportedMediaType => "UNSUPPORTED_MEDIA_TYPE",
            Self::ValidationError => "VALIDATION_ERROR",
            Self::RateLimited => "RATE_LIMITED",
            Self::HeadersTooLarge => "HEADERS_TOO_LARGE",
            Self::NotSupportedByEngine => "NOT_SUPPORTED_BY_ENGINE",
            Self::EngineUnavailable => "ENGINE_UNAVAILABLE",
            Self::CredentialsInvalid => "CREDENTIALS_INVALID",
            Self::InternalError => "INTERNAL_ERROR",
        }
    }

    /// The HTTP status the native API answers the code with (dialects may answer others).
    pub fn http_status(self) -> u16 {
        match self {
            Self::BadRequest => 400,
            Self::Unauthorized => 401,
            Self::Forbidden => 403,
            Self::NotFound => 404,
            Self::MethodNotAllowed => 405,
            Self::RequestTimeout => 408,
            Self::InstanceNotConnected | Self::IdempotencyConflict | Self::Conflict => 409,
            Self::PayloadTooLarge => 413,
            Self::UriTooLong => 414,
            Self::UnsupportedMediaType => 415,
            Self::ValidationError | Self::CredentialsInvalid => 422,
            Self::RateLimited => 429,
            Self::HeadersTooLarge => 431,
            Self::InternalError => 500,
            Self::NotSupportedByEngine => 501,
            Self::EngineUnavailable => 503,
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
            ErrorCode::MethodNotAllowed,
            ErrorCode::RequestTimeout,
            ErrorCode::UriTooLong,
            ErrorCode::HeadersTooLarge,
        ] {
            let json = serde_json::to_value(code).unwrap();
            assert_eq!(json, code.as_str());
        }
    }
}
