//! The sessions API's error answer: the native envelope `{success: false, error, code,
//! details}` with the seed's codes — `UNAUTHORIZED` 401, `SESSION_NOT_FOUND` 404,
//! `SESSION_DISCONNECTED` 409, `VALIDATION_ERROR` 422, `RATE_LIMITED` 429 (with
//! `Retry-After`), `INTERNAL_ERROR` 500 — and wagate's own code where the seed has none.

use crate::services::ServiceError;
use axum::Json;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};
use wagate_core::{ErrorCode, FieldError};

/// The seed's codes, beside wagate's own (which it answers where the seed names none).
pub const SESSION_NOT_FOUND: &str = "SESSION_NOT_FOUND";
pub const SESSION_DISCONNECTED: &str = "SESSION_DISCONNECTED";

/// A failure of a sessions route.
#[derive(Debug)]
pub struct SessionsError {
    pub status: StatusCode,
    pub code: &'static str,
    pub message: String,
    pub details: Vec<FieldError>,
    pub retry_after_secs: Option<u64>,
}

pub type SessionsResult<T> = Result<T, SessionsError>;

impl SessionsError {
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
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
            ErrorCode::Unauthorized.as_str(),
            "Missing or invalid auth: send a session key as 'Authorization: Bearer <key>' or a personal access token as 'X-API-Token: <token>'.",
        )
    }

    pub fn session_not_found() -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            SESSION_NOT_FOUND,
            "Session does not exist",
        )
    }

    pub fn session_disconnected(message: impl Into<String>) -> Self {
        Self::new(StatusCode::CONFLICT, SESSION_DISCONNECTED, message)
    }

    /// One field the request got wrong (422 with its `details`).
    pub fn field(field: &str, message: impl Into<String>) -> Self {
        let mut error = Self::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            ErrorCode::ValidationError.as_str(),
            "Invalid request body or params; see details.",
        );
        error.details.push(FieldError {
            field: field.to_owned(),
            message: message.into(),
        });
        error
    }

    /// A body that is not JSON of the route's shape (the seed's 422 for an invalid body).
    pub fn bad_body(error: impl std::fmt::Display) -> Self {
        Self::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            ErrorCode::ValidationError.as_str(),
            format!("Invalid request body: {error}"),
        )
    }
}

impl From<ServiceError> for SessionsError {
    fn from(error: ServiceError) -> Self {
        if let Some(what) = error.duplicate() {
            return Self::new(
                StatusCode::CONFLICT,
                ErrorCode::Conflict.as_str(),
                format!("{what} already exists"),
            );
        }
        let message = error.to_string();
        let (status, code) = match &error {
            ServiceError::NotFound("instance") => (StatusCode::NOT_FOUND, SESSION_NOT_FOUND),
            ServiceError::NotFound(_) => (StatusCode::NOT_FOUND, ErrorCode::NotFound.as_str()),
            ServiceError::Forbidden(_) => (StatusCode::FORBIDDEN, ErrorCode::Forbidden.as_str()),
            ServiceError::Unauthorized(_) => {
                (StatusCode::UNAUTHORIZED, ErrorCode::Unauthorized.as_str())
            }
            ServiceError::CredentialsInvalid(_) => (
                StatusCode::UNPROCESSABLE_ENTITY,
                ErrorCode::CredentialsInvalid.as_str(),
            ),
            ServiceError::Validation(_) => (
                StatusCode::UNPROCESSABLE_ENTITY,
                ErrorCode::ValidationError.as_str(),
            ),
            ServiceError::Conflict(_) => (StatusCode::CONFLICT, ErrorCode::Conflict.as_str()),
            ServiceError::IdempotencyConflict(_) => (
                StatusCode::CONFLICT,
                ErrorCode::IdempotencyConflict.as_str(),
            ),
            ServiceError::InstanceNotConnected(_) => (StatusCode::CONFLICT, SESSION_DISCONNECTED),
            ServiceError::NotSupported(_) => (
                StatusCode::NOT_IMPLEMENTED,
                ErrorCode::NotSupportedByEngine.as_str(),
            ),
            ServiceError::EngineUnavailable(_) | ServiceError::Paused { .. } => (
                StatusCode::SERVICE_UNAVAILABLE,
                ErrorCode::EngineUnavailable.as_str(),
            ),
            ServiceError::PayloadTooLarge(_) => (
                StatusCode::PAYLOAD_TOO_LARGE,
                ErrorCode::PayloadTooLarge.as_str(),
            ),
            ServiceError::UnsupportedMediaType(_) => (
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                ErrorCode::UnsupportedMediaType.as_str(),
            ),
            ServiceError::Store(_) => (
                StatusCode::INTERNAL_SERVER_ERROR,
                ErrorCode::InternalError.as_str(),
            ),
        };
        let mut answer = Self::new(status, code, message);
        match error {
            ServiceError::NotFound("instance") => answer.message = "Session does not exist".into(),
            ServiceError::Validation(errors) => {
                answer.message = "Invalid request body or params; see details.".to_owned();
                answer.details = errors.0;
            }
            ServiceError::Paused {
                retry_after_secs, ..
            } => answer.retry_after_secs = Some(retry_after_secs),
            ServiceError::Store(store) => {
                tracing::error!(error = %store, "a sessions route failed on the database");
                answer.message = "internal error; the server log has the details".to_owned();
            }
            _ => {}
        }
        answer
    }
}

impl IntoResponse for SessionsError {
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
#[schema(example = json!({"success": false, "error": "Session does not exist", "code": "SESSION_NOT_FOUND"}))]
pub struct SessionsErrorBody {
    pub success: bool,
    pub error: String,
    /// `UNAUTHORIZED`, `SESSION_NOT_FOUND`, `SESSION_DISCONNECTED`, `VALIDATION_ERROR`,
    /// `RATE_LIMITED`, `INTERNAL_ERROR`, or another of wagate's codes.
    pub code: String,
    #[schema(value_type = Option<Vec<Object>>)]
    pub details: Option<Vec<Value>>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_seeds_codes_and_statuses() {
        let cases = [
            (ServiceError::NotFound("instance"), 404, SESSION_NOT_FOUND),
            (
                ServiceError::InstanceNotConnected("not linked".into()),
                409,
                SESSION_DISCONNECTED,
            ),
            (
                ServiceError::field("to", "is required"),
                422,
                "VALIDATION_ERROR",
            ),
            (
                ServiceError::Unauthorized("no key".into()),
                401,
                "UNAUTHORIZED",
            ),
        ];
        for (error, status, code) in cases {
            let error = SessionsError::from(error);
            assert_eq!((error.status.as_u16(), error.code), (status, code));
        }
        let error = SessionsError::from(ServiceError::field("to", "is required"));
        assert_eq!(error.details[0].field, "to");
        let paused = SessionsError::from(ServiceError::Paused {
            message: "paused".to_owned(),
            retry_after_secs: 30,
        });
        assert_eq!(paused.into_response().headers()[header::RETRY_AFTER], "30");
    }
}
