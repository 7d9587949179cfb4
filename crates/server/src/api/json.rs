//! Request bodies: JSON parsed with errors users can act on.
//!
//! Malformed JSON is 400; a body over the configured limit is 413; one that pauses past the
//! body idle timeout is 408; a field of the wrong type is 422 naming the field. Missing fields
//! are left to the services, which report all of them.

use super::error::ApiError;
use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use axum::http::StatusCode;
use serde::de::DeserializeOwned;
use wagate_core::{ErrorCode, FieldError};

pub struct ApiJson<T>(pub T);

impl<S, T> FromRequest<S> for ApiJson<T>
where
    S: Send + Sync,
    T: DeserializeOwned,
{
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &S) -> Result<Self, Self::Rejection> {
        let bytes = Bytes::from_request(request, state)
            .await
            .map_err(|rejection| {
                if super::error::body_timed_out(&rejection) {
                    ApiError::body_timeout()
                } else if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
                    ApiError::new(
                        ErrorCode::PayloadTooLarge,
                        "the request body is larger than this server accepts",
                    )
                } else {
                    ApiError::new(
                        ErrorCode::BadRequest,
                        format!("could not read the request body: {rejection}"),
                    )
                }
            })?;
        parse(&bytes).map(ApiJson)
    }
}

/// Parses a JSON object body; an empty body counts as `{}`.
pub fn parse<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    let value: serde_json::Value = if bytes.iter().all(u8::is_ascii_whitespace) {
        serde_json::Value::Object(Default::default())
    } else {
        serde_json::from_slice(bytes).map_err(|e| {
            ApiError::new(
                ErrorCode::BadRequest,
                format!("the body is not valid JSON: {e}"),
            )
        })?
    };
    if !value.is_object() {
        return Err(ApiError::new(
            ErrorCode::BadRequest,
            "the body must be a JSON object",
        ));
    }
    serde_path_to_error::deserialize(value).map_err(|error| {
        let field = error.path().to_string();
        let message = error.inner().to_string();
        ApiError {
            code: ErrorCode::ValidationError,
            message: "the request has invalid fields; see details".to_owned(),
            details: vec![FieldError::new(field, message)],
            retry_after_secs: None,
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(serde::Deserialize, Debug)]
    struct Body {
        #[allow(dead_code)]
        to: Option<String>,
    }

    #[test]
    fn errors_say_what_is_wrong() {
        assert_eq!(
            parse::<Body>(b"{oops").unwrap_err().code,
            ErrorCode::BadRequest
        );
        assert_eq!(
            parse::<Body>(b"[1]").unwrap_err().code,
            ErrorCode::BadRequest
        );
        let wrong_type = parse::<Body>(br#"{"to": 5}"#).unwrap_err();
        assert_eq!(wrong_type.code, ErrorCode::ValidationError);
        assert_eq!(wrong_type.details[0].field, "to");
        assert!(parse::<Body>(b"").is_ok());
    }
}
