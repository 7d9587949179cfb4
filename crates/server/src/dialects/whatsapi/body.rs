//! Request bodies read as whatsapi.cc reads them: JSON, a bad one answered with the seed's 400.

use super::error::{WaError, WaResult};
use axum::body::Bytes;
use serde::de::DeserializeOwned;

/// A JSON body; an empty one reads as `{}` so routes with optional fields take no body.
pub fn json<T: DeserializeOwned>(bytes: &Bytes) -> WaResult<T> {
    let bytes: &[u8] = if bytes.iter().all(u8::is_ascii_whitespace) {
        b"{}"
    } else {
        bytes
    };
    serde_json::from_slice(bytes).map_err(WaError::bad_body)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_empty_body_is_an_empty_object_and_a_bad_one_is_400() {
        let empty: serde_json::Value = json(&Bytes::from_static(b" ")).unwrap();
        assert_eq!(empty, serde_json::json!({}));
        let error = json::<serde_json::Value>(&Bytes::from_static(b"{nope")).unwrap_err();
        assert_eq!(error.status, axum::http::StatusCode::BAD_REQUEST);
    }
}
