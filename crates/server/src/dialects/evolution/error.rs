//! Evolution API's error answer: `{status, error, response: {message: [...]}}`, with the
//! statuses Evolution gives (400 for a bad body, 401, 403, 404), chosen here once for every
//! route of the dialect.

use crate::services::ServiceError;
use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::json;

/// A failure of an Evolution route.
#[derive(Debug)]
pub struct EvoError {
    pub status: StatusCode,
    pub messages: Vec<String>,
}

pub type EvoResult<T> = Result<T, EvoError>;

impl EvoError {
    pub fn new(status: StatusCode, message: impl Into<String>) -> Self {
        Self {
            status,
            messages: vec![message.into()],
        }
    }

    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, message)
    }

    pub fn unauthorized() -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            "Unauthorized: send your API key in the apikey header",
        )
    }

    pub fn instance_not_found(name: &str) -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            format!("The \"{name}\" instance does not exist"),
        )
    }

    /// What Evolution has and wagate does not do (yet): said plainly, never faked.
    pub fn not_implemented(what: &str) -> Self {
        Self::new(
            StatusCode::NOT_IMPLEMENTED,
            format!(
                "{what} is not available in wagate's Evolution API dialect; see /docs for what is"
            ),
        )
    }
}

impl From<ServiceError> for EvoError {
    fn from(error: ServiceError) -> Self {
        // Evolution answers a taken instance name with 403.
        if let Some(what) = error.duplicate() {
            return Self::new(StatusCode::FORBIDDEN, format!("{what} is already in use"));
        }
        let status = match &error {
            ServiceError::NotFound(_) => StatusCode::NOT_FOUND,
            ServiceError::Forbidden(_) | ServiceError::Conflict(_) => StatusCode::FORBIDDEN,
            ServiceError::Unauthorized(_) => StatusCode::UNAUTHORIZED,
            ServiceError::Validation(_)
            | ServiceError::CredentialsInvalid(_)
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
        let messages = match error {
            ServiceError::Validation(errors) => errors
                .0
                .into_iter()
                .map(|field| format!("{}: {}", field.field, field.message))
                .collect(),
            ServiceError::Store(store) => {
                tracing::error!(error = %store, "an Evolution route failed on the database");
                vec!["internal error; the server log has the details".to_owned()]
            }
            other => vec![other.to_string()],
        };
        Self { status, messages }
    }
}

impl IntoResponse for EvoError {
    fn into_response(self) -> Response {
        let body = json!({
            "status": self.status.as_u16(),
            "error": self.status.canonical_reason().unwrap_or("Error"),
            "response": { "message": self.messages },
        });
        (self.status, Json(body)).into_response()
    }
}

/// The error answer, as the OpenAPI document shows it.
#[derive(serde::Serialize, utoipa::ToSchema)]
#[schema(example = json!({"status": 404, "error": "Not Found", "response": {"message": ["The \"sales\" instance does not exist"]}}))]
pub struct EvoErrorBody {
    pub status: u16,
    pub error: String,
    pub response: EvoErrorMessages,
}

#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct EvoErrorMessages {
    pub message: Vec<String>,
}
