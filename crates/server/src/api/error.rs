//! Every failure leaves the API in one envelope:
//! `{"success": false, "error": "<sentence>", "code": "<CODE>", "details": [...]}`.
//! This is the only place that chooses HTTP statuses.

use crate::services::ServiceError;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use wagate_core::{ErrorCode, FieldError};
use wagate_store::StoreError;

/// What a 5xx says: the details are in the server log, never in the answer.
pub const INTERNAL_SENTENCE: &str = "internal error; the server log has the details";

#[derive(Debug)]
pub struct ApiError {
    pub code: ErrorCode,
    pub message: String,
    pub details: Vec<FieldError>,
    /// Sent as `Retry-After` when the caller should come back later.
    pub retry_after_secs: Option<u64>,
}

/// The error envelope, as documented in the OpenAPI document.
#[derive(Serialize, utoipa::ToSchema)]
pub struct ErrorBody {
    /// Always false.
    pub success: bool,
    /// What went wrong and how to fix it, for a person.
    pub error: String,
    /// A stable code, for a program.
    pub code: ErrorCode,
    /// The fields that failed validation, when any did.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub details: Vec<FieldError>,
}

impl ApiError {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
            details: Vec::new(),
            retry_after_secs: None,
        }
    }

    pub fn status(&self) -> StatusCode {
        StatusCode::from_u16(self.code.http_status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
    }

    /// The code for a status answered by something other than our handlers (axum's
    /// rejections, its method router), so it can be put in the envelope.
    pub fn code_for(status: StatusCode) -> ErrorCode {
        match status {
            StatusCode::UNAUTHORIZED => ErrorCode::Unauthorized,
            StatusCode::FORBIDDEN => ErrorCode::Forbidden,
            StatusCode::NOT_FOUND => ErrorCode::NotFound,
            StatusCode::METHOD_NOT_ALLOWED => ErrorCode::MethodNotAllowed,
            StatusCode::REQUEST_TIMEOUT => ErrorCode::RequestTimeout,
            StatusCode::CONFLICT => ErrorCode::Conflict,
            StatusCode::PAYLOAD_TOO_LARGE => ErrorCode::PayloadTooLarge,
            StatusCode::URI_TOO_LONG => ErrorCode::UriTooLong,
            StatusCode::UNSUPPORTED_MEDIA_TYPE => ErrorCode::UnsupportedMediaType,
            StatusCode::UNPROCESSABLE_ENTITY => ErrorCode::ValidationError,
            StatusCode::TOO_MANY_REQUESTS => ErrorCode::RateLimited,
            StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE => ErrorCode::HeadersTooLarge,
            status if status.is_server_error() => ErrorCode::InternalError,
            _ => ErrorCode::BadRequest,
        }
    }

    pub fn internal() -> Self {
        Self::new(ErrorCode::InternalError, INTERNAL_SENTENCE)
    }

    /// The answer to a request body that sent nothing for the configured idle time.
    pub fn body_timeout() -> Self {
        Self::new(
            ErrorCode::RequestTimeout,
            "the request body stopped arriving; send it without long pauses",
        )
    }

    pub fn unauthorized() -> Self {
        Self::new(
            ErrorCode::Unauthorized,
            "missing or invalid API key: send it as 'Authorization: Bearer <key>', 'X-API-Key', 'apikey' or 'X-API-Token'",
        )
    }

    pub fn not_found_route() -> Self {
        Self::new(ErrorCode::NotFound, "no such route; see /docs for the API")
    }
}

impl From<ServiceError> for ApiError {
    fn from(error: ServiceError) -> Self {
        let code = error.code();
        match error {
            ServiceError::Validation(errors) => Self {
                details: errors.0,
                ..Self::new(code, "the request has invalid fields; see details")
            },
            ServiceError::Paused {
                message,
                retry_after_secs,
            } => Self {
                retry_after_secs: Some(retry_after_secs),
                ..Self::new(code, message)
            },
            ServiceError::Store(StoreError::Conflict(what)) => {
                Self::new(code, format!("{what} already exists"))
            }
            ServiceError::Store(store) => {
                tracing::error!(error = %store, "store error");
                Self::internal()
            }
            other => Self::new(code, other.to_string()),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = self.status();
        let retry_after = self.retry_after_secs;
        let body = ErrorBody {
            success: false,
            error: self.message,
            code: self.code,
            details: self.details,
        };
        let mut response = (status, axum::Json(body)).into_response();
        if let Some(secs) = retry_after {
            response
                .headers_mut()
                .insert(axum::http::header::RETRY_AFTER, secs.into());
        }
        response
    }
}

pub type ApiResult<T> = Result<T, ApiError>;

/// Whether reading a request body failed because it paused longer than the body idle timeout
/// (the serve loop wraps every body in a [`tower_http::timeout::TimeoutBody`]); axum and the
/// multipart parser wrap that error, so its sources are searched.
pub fn body_timed_out(error: &(dyn std::error::Error + 'static)) -> bool {
    let mut current = Some(error);
    while let Some(error) = current {
        if error.is::<tower_http::timeout::TimeoutError>() {
            return true;
        }
        current = error.source();
    }
    false
}
