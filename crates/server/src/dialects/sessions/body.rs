//! Request bodies: JSON, an empty one read as `{}`; a bad one is the seed's 422.

use super::error::{SessionsError, SessionsResult};
use axum::body::Bytes;
use serde::de::DeserializeOwned;

pub fn json<T: DeserializeOwned>(bytes: &Bytes) -> SessionsResult<T> {
    let bytes: &[u8] = if bytes.iter().all(u8::is_ascii_whitespace) {
        b"{}"
    } else {
        bytes
    };
    serde_json::from_slice(bytes).map_err(SessionsError::bad_body)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_empty_body_is_an_empty_object_and_a_bad_one_is_422() {
        let empty: serde_json::Value = json(&Bytes::from_static(b"")).unwrap();
        assert_eq!(empty, serde_json::json!({}));
        let error = json::<serde_json::Value>(&Bytes::from_static(b"{nope")).unwrap_err();
        assert_eq!(error.status.as_u16(), 422);
    }
}
