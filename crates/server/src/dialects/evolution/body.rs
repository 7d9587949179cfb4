//! Request bodies read as Evolution reads them: JSON (a bad one is Evolution's 400), and
//! query strings.

use super::error::{EvoError, EvoResult};
use axum::body::Bytes;
use serde::de::DeserializeOwned;

/// A JSON body; an empty one reads as `{}` so routes with optional fields take no body.
pub fn json<T: DeserializeOwned>(bytes: &Bytes) -> EvoResult<T> {
    let bytes: &[u8] = if bytes.iter().all(u8::is_ascii_whitespace) {
        b"{}"
    } else {
        bytes
    };
    serde_json::from_slice(bytes).map_err(|error| {
        EvoError::bad_request(format!(
            "the request body is not valid JSON for this route: {error}"
        ))
    })
}
