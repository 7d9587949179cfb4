//! The sessions API's error answer: the native envelope `{success: false, error, code,
//! details}` with the seed's codes — `UNAUTHORIZED` 401, `SESSION_NOT_FOUND` 404,
//! `SESSION_DISCONNECTED` 409, `VALIDATION_ERROR` 422, `RATE_LIMITED` 429 (with
//! `Retry-After`), `INTERNAL_ERROR` 500 — and wagate's own code where the seed has none.

use crate::dialects::refusal::{self, RefusalStyle};
use crate::services::ServiceError;
use axum::http::StatusCode;
use serde_json::Value;
use wagate_core::ErrorCode;

/// The seed's codes, beside wagate's own (which it answers where the seed names none).
pub const SESSION_NOT_FOUND: &str = "SESSION_NOT_FOUND";
pub const SESSION_DISCONNECTED: &str = "SESSION_DISCONNECTED";

const INVALID_FIELDS: &str = "Invalid request body or params; see details.";
const NO_SESSION: &str = "Session does not exist";

/// Seed 002's answers: the native API's statuses, with the seed's names for a session that
/// does not exist or is not connected.
pub struct Sessions;

impl RefusalStyle for Sessions {
    const DIALECT: &'static str = "sessions";
    const INVALID_FIELDS: Option<&'static str> = Some(INVALID_FIELDS);

    fn code(error: &ServiceError, code: ErrorCode) -> &'static str {
        match error {
            ServiceError::NotFound("instance") => SESSION_NOT_FOUND,
            ServiceError::InstanceNotConnected(_) => SESSION_DISCONNECTED,
            _ => code.as_str(),
        }
    }

    fn sentence(error: &ServiceError) -> Option<&'static str> {
        matches!(error, ServiceError::NotFound("instance")).then_some(NO_SESSION)
    }
}

/// A failure of a sessions route.
pub type SessionsError = refusal::Refusal<Sessions>;

pub type SessionsResult<T> = Result<T, SessionsError>;

impl SessionsError {
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        Self::coded(status, code, message)
    }

    pub fn unauthorized() -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            ErrorCode::Unauthorized.as_str(),
            "Missing or invalid auth: send a session key as 'Authorization: Bearer <key>' or a personal access token as 'X-API-Token: <token>'.",
        )
    }

    pub fn session_not_found() -> Self {
        Self::new(StatusCode::NOT_FOUND, SESSION_NOT_FOUND, NO_SESSION)
    }

    pub fn session_disconnected(message: impl Into<String>) -> Self {
        Self::new(StatusCode::CONFLICT, SESSION_DISCONNECTED, message)
    }

    /// One field the request got wrong (422 with its `details`).
    pub fn field(field: &str, message: impl Into<String>) -> Self {
        Self::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            ErrorCode::ValidationError.as_str(),
            INVALID_FIELDS,
        )
        .with_field(field, message)
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
        let response = axum::response::IntoResponse::into_response(paused);
        assert_eq!(response.headers()[axum::http::header::RETRY_AFTER], "30");
    }
}
