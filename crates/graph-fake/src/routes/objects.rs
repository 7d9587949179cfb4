//! `GET /{version}/{id}`: a phone number (its name, display number and quality), or a file
//! (where to download it, its type, hash and size).

use super::{record, refusal};
use crate::errors;
use crate::state::State;
use axum::Json;
use axum::extract::{Path, Query, State as Shared};
use axum::http::{HeaderMap, Uri};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::sync::Arc;

pub(super) async fn read(
    Shared(state): Shared<Arc<State>>,
    headers: HeaderMap,
    uri: Uri,
    Path((_version, id)): Path<(String, String)>,
    Query(query): Query<HashMap<String, String>>,
) -> Response {
    let token = super::bearer(&headers);
    let answer = if let Some(number) = state.number(&id) {
        let access = state.access(token, |n| n.phone_number_id == id);
        refusal(access, "GET", &id).unwrap_or_else(|| {
            Json(json!({
                "id": number.phone_number_id,
                "display_phone_number": number.display_phone_number,
                "verified_name": number.verified_name,
                "quality_rating": number.quality_rating,
                "code_verification_status": "VERIFIED",
                "platform_type": "CLOUD_API",
                "throughput": {"level": "STANDARD"},
            }))
            .into_response()
        })
    } else {
        media_info(&state, token, &id, query.get("phone_number_id"))
    };
    record(&state, "GET", &uri, Value::Null, &answer);
    answer
}

/// A file's description. With `phone_number_id`, the token must be that number's.
fn media_info(state: &State, token: Option<&str>, id: &str, number: Option<&String>) -> Response {
    let access = state.access(token, |n| number.is_none_or(|id| &n.phone_number_id == id));
    if let Some(refused) = refusal(access, "GET", id) {
        return refused;
    }
    let files = state.files.lock().expect("files lock");
    let Some(file) = files.get(id) else {
        return errors::no_such_object("GET", id);
    };
    Json(json!({
        "messaging_product": "whatsapp",
        "url": format!("{}/files/{id}", state.base_url),
        "mime_type": file.mime_type,
        "sha256": hex::encode(Sha256::digest(&file.bytes)),
        "file_size": file.bytes.len().to_string(),
        "id": id,
    }))
    .into_response()
}
