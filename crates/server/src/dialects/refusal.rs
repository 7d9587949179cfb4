//! The refusal the sessions (seed 002), multipart (seed 003) and whatsapi.cc (seed 004)
//! dialects share: `{success: false, error, code, details}`, with `Retry-After` when the
//! caller should come back later. What differs between them — the status a service error gets,
//! the code's name, the sentence for invalid fields — is each dialect's [`RefusalStyle`];
//! turning a service error into a refusal, and a refusal into a response, is written here once.

use crate::services::ServiceError;
use axum::Json;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};
use std::marker::PhantomData;
use wagate_core::{ErrorCode, FieldError};

/// What a 5xx says: the details are in the server log, never in the answer.
const INTERNAL_SENTENCE: &str = "internal error; the server log has the details";

/// How one dialect answers a service error.
pub trait RefusalStyle {
    /// Names the dialect in the server log.
    const DIALECT: &'static str;
    /// What a refusal for invalid fields says (`details` lists them); `None` lists them in
    /// the sentence too.
    const INVALID_FIELDS: Option<&'static str>;

    /// The status for wagate's `code` of `error`; the native API's by default.
    fn status(error: &ServiceError, code: ErrorCode) -> StatusCode {
        let _ = error;
        native_status(code)
    }

    /// The code the body names; wagate's by default.
    fn code(error: &ServiceError, code: ErrorCode) -> &'static str {
        let _ = error;
        code.as_str()
    }

    /// A sentence of the dialect's own for `error`, instead of the service's.
    fn sentence(error: &ServiceError) -> Option<&'static str> {
        let _ = error;
        None
    }
}

/// The native API's status for a code.
pub fn native_status(code: ErrorCode) -> StatusCode {
    StatusCode::from_u16(code.http_status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
}

/// A refused request, in dialect `S`'s statuses and codes.
pub struct Refusal<S> {
    pub status: StatusCode,
    pub code: &'static str,
    pub message: String,
    pub details: Vec<FieldError>,
    pub retry_after_secs: Option<u64>,
    style: PhantomData<fn() -> S>,
}

impl<S> std::fmt::Debug for Refusal<S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Refusal")
            .field("status", &self.status)
            .field("code", &self.code)
            .field("message", &self.message)
            .field("details", &self.details)
            .field("retry_after_secs", &self.retry_after_secs)
            .finish()
    }
}

impl<S> Refusal<S> {
    /// A refusal with this status, code and sentence, and no details.
    pub fn coded(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        Self {
            status,
            code,
            message: message.into(),
            details: Vec::new(),
            retry_after_secs: None,
            style: PhantomData,
        }
    }

    /// The same refusal, naming one more field that is wrong.
    pub fn with_field(mut self, field: &str, message: impl Into<String>) -> Self {
        self.details.push(FieldError::new(field, message));
        self
    }
}

impl<S: RefusalStyle> From<ServiceError> for Refusal<S> {
    fn from(error: ServiceError) -> Self {
        let code = error.code();
        let mut refusal = Self::coded(
            S::status(&error, code),
            S::code(&error, code),
            match S::sentence(&error) {
                Some(sentence) => sentence.to_owned(),
                None => error.to_string(),
            },
        );
        if let Some(what) = error.duplicate() {
            refusal.message = format!("{what} already exists");
            return refusal;
        }
        match error {
            ServiceError::Validation(errors) => {
                refusal.message = match S::INVALID_FIELDS {
                    Some(sentence) => sentence.to_owned(),
                    None => errors.to_string(),
                };
                refusal.details = errors.0;
            }
            ServiceError::Paused {
                retry_after_secs, ..
            } => refusal.retry_after_secs = Some(retry_after_secs),
            ServiceError::Store(store) => {
                tracing::error!(error = %store, dialect = S::DIALECT, "a dialect's route failed on the database");
                refusal.message = INTERNAL_SENTENCE.to_owned();
            }
            _ => {}
        }
        refusal
    }
}

impl<S> IntoResponse for Refusal<S> {
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

#[cfg(test)]
mod tests {
    use super::*;

    struct Plain;

    impl RefusalStyle for Plain {
        const DIALECT: &'static str = "plain";
        const INVALID_FIELDS: Option<&'static str> = Some("see details");
    }

    #[test]
    fn a_refusal_keeps_its_details_and_retry_time() {
        let refusal = Refusal::<Plain>::from(ServiceError::field("to", "is required"));
        assert_eq!(refusal.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(
            (refusal.code, refusal.message.as_str()),
            ("VALIDATION_ERROR", "see details")
        );
        assert_eq!(refusal.details[0].field, "to");
        let paused = Refusal::<Plain>::from(ServiceError::Paused {
            message: "paused".to_owned(),
            retry_after_secs: 30,
        });
        assert_eq!(paused.into_response().headers()[header::RETRY_AFTER], "30");
    }
}
