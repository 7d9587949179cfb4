//! whatsapi.cc's error answer: `{success: false, error, details}` (and wagate's `code`), with
//! the statuses seed 004's table gives — 400 for a body that fails validation (with `details`
//! per field), 401, 403, 404, 409, 429 with `Retry-After`, and 503 while sending is paused —
//! chosen here once for every route of the dialect.

use crate::dialects::refusal::{self, RefusalStyle};
use crate::services::ServiceError;
use axum::http::StatusCode;
use serde_json::Value;
use wagate_core::ErrorCode;

/// Seed 004's statuses: the native API's, but 400 for a body that fails validation.
pub struct Whatsapi;

impl RefusalStyle for Whatsapi {
    const DIALECT: &'static str = "whatsapi";
    const INVALID_FIELDS: Option<&'static str> = Some(INVALID_FIELDS);

    fn status(error: &ServiceError, code: ErrorCode) -> StatusCode {
        let _ = error;
        match code {
            ErrorCode::ValidationError => StatusCode::BAD_REQUEST,
            other => refusal::native_status(other),
        }
    }
}

const INVALID_FIELDS: &str = "Validation failed; see details.";

/// A failure of a whatsapi.cc route.
pub type WaError = refusal::Refusal<Whatsapi>;

pub type WaResult<T> = Result<T, WaError>;

impl WaError {
    pub fn new(status: StatusCode, code: ErrorCode, message: impl Into<String>) -> Self {
        Self::coded(status, code.as_str(), message)
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
        Self::new(
            StatusCode::BAD_REQUEST,
            ErrorCode::ValidationError,
            INVALID_FIELDS,
        )
        .with_field(field, message)
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
        if error.status == StatusCode::BAD_REQUEST
            && error.code == ErrorCode::ValidationError.as_str()
        {
            error.status = StatusCode::UNPROCESSABLE_ENTITY;
            if let [only] = error.details.as_slice() {
                error.message = only.message.clone();
            }
        }
        error
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
        let response = axum::response::IntoResponse::into_response(error);
        assert_eq!(response.headers()[axum::http::header::RETRY_AFTER], "30");
        let choose = WaError::unprocessable(ServiceError::field("instance", "name one: 'a', 'b'"));
        assert_eq!(choose.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(choose.message, "name one: 'a', 'b'");
        assert_eq!(
            WaError::from(ServiceError::NotFound("message")).status,
            StatusCode::NOT_FOUND
        );
    }
}
