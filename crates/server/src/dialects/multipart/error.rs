//! How seed 003's API refuses a request: its status codes (400 for a bad parameter or a
//! session that cannot send yet, 401 without a valid `X-API-Key`, 404 when no session belongs
//! to the key, 413, 415, 429, 500) and a body `{success: false, error, details}` that says
//! which field or file is wrong and why.

use super::form::FormError;
use crate::services::ServiceError;
use axum::Json;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use wagate_core::FieldError;

/// A refused request.
#[derive(Debug)]
pub struct Refusal {
    pub status: StatusCode,
    pub message: String,
    pub details: Vec<FieldError>,
    pub retry_after_secs: Option<u64>,
}

pub type Answer<T> = Result<T, Refusal>;

/// The body of a refusal, as the OpenAPI document shows it.
#[derive(Serialize, utoipa::ToSchema)]
pub struct RefusalBody {
    /// Always false.
    pub success: bool,
    /// What went wrong and how to fix it.
    pub error: String,
    /// The fields (or files) that are wrong, when any are.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub details: Vec<FieldError>,
}

impl Refusal {
    pub fn new(status: StatusCode, message: impl Into<String>) -> Self {
        Self {
            status,
            message: message.into(),
            details: Vec::new(),
            retry_after_secs: None,
        }
    }

    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, message)
    }

    /// A required field the body left out.
    pub fn missing(field: &str) -> Self {
        Self {
            details: vec![FieldError::new(field, "is required")],
            ..Self::bad_request(format!("{field} is required"))
        }
    }

    pub fn unauthorized() -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            "missing or invalid API key: send the key of your WhatsApp session in the X-API-Key header",
        )
    }

    pub fn no_session() -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            "no WhatsApp session found for this API key: use the session's own key (or name the session in X-Instance-Id)",
        )
    }
}

impl From<ServiceError> for Refusal {
    fn from(error: ServiceError) -> Self {
        let status = match &error {
            ServiceError::NotFound("instance") => return Self::no_session(),
            ServiceError::NotFound(_) => StatusCode::NOT_FOUND,
            ServiceError::Unauthorized(_) => StatusCode::UNAUTHORIZED,
            ServiceError::Forbidden(_) => StatusCode::FORBIDDEN,
            ServiceError::Validation(_)
            | ServiceError::CredentialsInvalid(_)
            | ServiceError::Conflict(_)
            | ServiceError::InstanceNotConnected(_) => StatusCode::BAD_REQUEST,
            ServiceError::IdempotencyConflict(_) => StatusCode::CONFLICT,
            ServiceError::NotSupported(_) => StatusCode::NOT_IMPLEMENTED,
            ServiceError::EngineUnavailable(_) | ServiceError::Paused { .. } => {
                StatusCode::SERVICE_UNAVAILABLE
            }
            ServiceError::PayloadTooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            ServiceError::UnsupportedMediaType(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ServiceError::Store(_) => StatusCode::INTERNAL_SERVER_ERROR,
        };
        let retry_after_secs = match &error {
            ServiceError::Paused {
                retry_after_secs, ..
            } => Some(*retry_after_secs),
            _ => None,
        };
        let (message, details) = match error {
            ServiceError::Validation(errors) => (errors.to_string(), errors.0),
            ServiceError::Store(store) => {
                tracing::error!(error = %store, "a seed 003 route failed on the database");
                (
                    "internal error; the server log has the details".to_owned(),
                    Vec::new(),
                )
            }
            other => (other.to_string(), Vec::new()),
        };
        Self {
            status,
            message,
            details,
            retry_after_secs,
        }
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

impl IntoResponse for Refusal {
    fn into_response(self) -> Response {
        let body = RefusalBody {
            success: false,
            error: self.message,
            details: self.details,
        };
        let mut response = (self.status, Json(body)).into_response();
        if let Some(secs) = self.retry_after_secs {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, secs.into());
        }
        response
    }
}
