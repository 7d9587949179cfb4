//! whatsapi.cc's error answer: `{success: false, error, details}` (and wagate's `code`), with
//! the statuses seed 004's table gives — 400 for a body that fails validation (with `details`
//! per field), 401, 403, 404, 409, 429 with `Retry-After`, and 503 while sending is paused —
//! chosen here once for every route of the dialect.

use crate::services::ServiceError;
use axum::Json;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};
use wagate_core::{ErrorCode, FieldError};

/// A failure of a whatsapi.cc route.
#[derive(Debug)]
pub struct WaError {
    pub status: StatusCode,
    pub code: ErrorCode,
    pub message: String,
    pub details: Vec<FieldError>,
    pub retry_after_secs: Option<u64>,
}

pub type WaResult<T> = Result<T, WaError>;

impl WaError {
    pub fn new(status: StatusCode, code: ErrorCode, message: impl Into<String>) -> Self {
        Self {
            status,
            code,
            message: message.into(),
            details: Vec::new(),
            retry_after_secs: None,
        }
    }

    pub fn unauthorized() -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            ErrorCode::Unauthorized,
            "Invalid API key. Send it as 'Authorization: Bearer <key>'.",
        )
    }

    /// One field the body got wrong (400 with its `details`).
    pub fn field(field: &str, message: impl Into<String>) -> Self {
        let mut error = Self::new(
            StatusCode::BAD_REQUEST,
            ErrorCode::ValidationError,
            "Validation failed; see details.",
        );
        error.details.push(FieldError {
            field: field.to_owned(),
            message: message.into(),
        });
        error
    }

    /// A body that is not JSON of the route's shape.
    pub fn bad_body(error: impl std::fmt::Display) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            ErrorCode::BadRequest,
            format!("The request body is not valid JSON for this route: {error}"),
        )
    }

    /// What whatsapi.cc offers and this server does not: said plainly, never faked.
    pub fn not_implemented(message: impl Into<String>) -> Self {
        Self::new(
            StatusCode::NOT_IMPLEMENTED,
            ErrorCode::NotSupportedByEngine,
            message,
        )
    }

    /// A validation error answered with 422 instead of 400: the request is well formed, but
    /// the server cannot tell what the caller means (which of its numbers to send from).
    pub fn unprocessable(error: ServiceError) -> Self {
        let mut error = Self::from(error);
        if error.status == StatusCode::BAD_REQUEST && error.code == ErrorCode::ValidationError {
            error.status = StatusCode::UNPROCESSABLE_ENTITY;
            if let [only] = error.details.as_slice() {
                error.message = only.message.clone();
            }
        }
        error
    }
}

impl From<ServiceError> for WaError {
    fn from(error: ServiceError) -> Self {
        if let Some(what) = error.duplicate() {
            return Self::new(
                StatusCode::CONFLICT,
                ErrorCode::Conflict,
                format!("{what} already exists"),
            );
        }
        let message = error.to_string();
        let (status, code) = match &error {
            ServiceError::NotFound(_) => (StatusCode::NOT_FOUND, ErrorCode::NotFound),
            ServiceError::Forbidden(_) => (StatusCode::FORBIDDEN, ErrorCode::Forbidden),
            ServiceError::Unauthorized(_) => (StatusCode::UNAUTHORIZED, ErrorCode::Unauthorized),
            ServiceError::CredentialsInvalid(_) => (
                StatusCode::UNPROCESSABLE_ENTITY,
                ErrorCode::CredentialsInvalid,
            ),
            ServiceError::Validation(_) => (StatusCode::BAD_REQUEST, ErrorCode::ValidationError),
            ServiceError::Conflict(_) => (StatusCode::CONFLICT, ErrorCode::Conflict),
            ServiceError::IdempotencyConflict(_) => {
                (StatusCode::CONFLICT, ErrorCode::IdempotencyConflict)
            }
            ServiceError::InstanceNotConnected(_) => {
                (StatusCode::CONFLICT, ErrorCode::InstanceNotConnected)
            }
            ServiceError::NotSupported(_) => {
                (StatusCode::NOT_IMPLEMENTED, ErrorCode::NotSupportedByEngine)
            }
            ServiceError::EngineUnavailable(_) | ServiceError::Paused { .. } => (
                StatusCode::SERVICE_UNAVAILABLE,
                ErrorCode::EngineUnavailable,
            ),
            ServiceError::PayloadTooLarge(_) => {
                (StatusCode::PAYLOAD_TOO_LARGE, ErrorCode::PayloadTooLarge)
            }
            ServiceError::UnsupportedMediaType(_) => (
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                ErrorCode::UnsupportedMediaType,
            ),
            ServiceError::Store(_) => (StatusCode::INTERNAL_SERVER_ERROR, ErrorCode::InternalError),
        };
        let mut answer = Self::new(status, code, message);
        match error {
            ServiceError::Validation(errors) => {
                answer.message = "Validation failed; see details.".to_owned();
                answer.details = errors.0;
            }
            ServiceError::Paused {
                retry_after_secs, ..
            } => answer.retry_after_secs = Some(retry_after_secs),
            ServiceError::Store(store) => {
                tracing::error!(error = %store, "a whatsapi.cc route failed on the database");
                answer.message = "internal error; the server log has the details".to_owned();
            }
            _ => {}
        }
        answer
    }
}

impl IntoResponse for WaError {
    fn into_response(self) -> Response {
        let mut body = json!({
            "success": false,
            "error": self.message,
            "code": self.code,
        });
        if !self.details.is_empty() {
            body["details"] = serde_json::to_value(&self.details).unwrap_or(Value::Null);
        }
        let mut response = (self.status, Json(body)).into_response();
        if let Some(secs) = self.retry_after_secs {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, secs.into());
        }
        response
    }
}

/// The error answer, as the OpenAPI document shows it.
#[derive(serde::Serialize, utoipa::ToSchema)]
#[schema(example = json!({"success": false, "error": "Validation failed; see details.", "code": "VALIDATION_ERROR", "details": [{"field": "to", "message": "is required"}]}))]
pub struct WaErrorBody {
    pub success: bool,
    pub error: String,
    pub code: ErrorCode,
    #[schema(value_type = Option<Vec<Object>>)]
    pub details: Option<Vec<Value>>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn validation_is_400_with_details_and_a_pause_says_when_to_come_back() {
        let error = WaError::from(ServiceError::field("to", "is required"));
        assert_eq!(error.status, StatusCode::BAD_REQUEST);
        assert_eq!(error.details[0].field, "to");
        let error = WaError::from(ServiceError::Paused {
            message: "paused".to_owned(),
            retry_after_secs: 30,
        });
        assert_eq!(error.status, StatusCode::SERVICE_UNAVAILABLE);
        let response = error.into_response();
        assert_eq!(response.headers()[header::RETRY_AFTER], "30");
        let choose = WaError::unprocessable(ServiceError::field("instance", "name one: 'a', 'b'"));
        assert_eq!(choose.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(choose.message, "name one: 'a', 'b'");
        assert_eq!(
            WaError::from(ServiceError::NotFound("message")).status,
            StatusCode::NOT_FOUND
        );
    }
}
