//! How seed 003's API refuses a request: its status codes (400 for a bad parameter or a
//! session that cannot send yet, 401 without a valid `X-API-Key`, 404 when no session belongs
//! to the key, 413, 415, 429, 500) and a body `{success: false, error, details}` (plus
//! wagate's `code`) that says which field or file is wrong and why.

use super::form::FormError;
use crate::dialects::refusal::{self, RefusalStyle};
use crate::services::ServiceError;
use axum::http::StatusCode;
use serde::Serialize;
use wagate_core::{ErrorCode, FieldError};

/// Seed 003's statuses: what cannot be sent as asked is a 400, whatever the reason.
pub struct Multipart;

impl RefusalStyle for Multipart {
    const DIALECT: &'static str = "multipart";
    const INVALID_FIELDS: Option<&'static str> = None;

    fn status(error: &ServiceError, code: ErrorCode) -> StatusCode {
        let _ = error;
        match code {
            ErrorCode::ValidationError
            | ErrorCode::CredentialsInvalid
            | ErrorCode::Conflict
            | ErrorCode::InstanceNotConnected => StatusCode::BAD_REQUEST,
            other => refusal::native_status(other),
        }
    }

    fn sentence(error: &ServiceError) -> Option<&'static str> {
        matches!(error, ServiceError::NotFound("instance")).then_some(NO_SESSION)
    }
}

const NO_SESSION: &str = "no WhatsApp session found for this API key: use the session's own key (or name the session in X-Instance-Id)";

/// A refused request.
pub type Refusal = refusal::Refusal<Multipart>;

pub type Answer<T> = Result<T, Refusal>;

/// The body of a refusal, as the OpenAPI document shows it.
#[derive(Serialize, utoipa::ToSchema)]
pub struct RefusalBody {
    /// Always false.
    pub success: bool,
    /// What went wrong and how to fix it.
    pub error: String,
    /// wagate's code for it.
    pub code: ErrorCode,
    /// The fields (or files) that are wrong, when any are.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub details: Vec<FieldError>,
}

impl Refusal {
    pub fn new(status: StatusCode, message: impl Into<String>) -> Self {
        let code = match status {
            StatusCode::PAYLOAD_TOO_LARGE => ErrorCode::PayloadTooLarge,
            StatusCode::UNSUPPORTED_MEDIA_TYPE => ErrorCode::UnsupportedMediaType,
            StatusCode::UNAUTHORIZED => ErrorCode::Unauthorized,
            StatusCode::NOT_FOUND => ErrorCode::NotFound,
            StatusCode::TOO_MANY_REQUESTS => ErrorCode::RateLimited,
            _ => ErrorCode::BadRequest,
        };
        Self::coded(status, code.as_str(), message)
    }

    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, message)
    }

    /// A required field the body left out.
    pub fn missing(field: &str) -> Self {
        Self::bad_request(format!("{field} is required")).with_field(field, "is required")
    }

    pub fn unauthorized() -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            "missing or invalid API key: send the key of your WhatsApp session in the X-API-Key header",
        )
    }

    pub fn no_session() -> Self {
        Self::new(StatusCode::NOT_FOUND, NO_SESSION)
    }
}

impl From<FormError> for Refusal {
    fn from(error: FormError) -> Self {
        match error {
            FormError::Read(read) => {
                let status = match read.status() {
                    StatusCode::PAYLOAD_TOO_LARGE => StatusCode::PAYLOAD_TOO_LARGE,
                    _ => StatusCode::BAD_REQUEST,
                };
                Self::new(status, FormError::Read(read).to_string())
            }
            FormError::Media(media) => media.into(),
            wrong @ FormError::WrongField { .. } => Self::bad_request(wrong.to_string()),
        }
    }
}
