//! `POST /{version}/{phone-number-id}/messages`: sending a message, or marking one read.
//!
//! The body must be what Meta's description allows ([`spec::MESSAGE`], or [`spec::MARK_READ`]
//! for a body with `status`); anything else is refused with Meta's error 100 and recorded as
//! a violation. A send then meets the failures a test injected, or is accepted with a fresh
//! `wamid`.

use super::{json_body, record, refusal};
use crate::state::{SentMessage, State, Violation};
use crate::{errors, spec};
use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State as Shared};
use axum::http::{HeaderMap, Uri};
use axum::response::{IntoResponse, Response};
use base64::Engine as _;
use serde_json::{Value, json};
use std::sync::Arc;
use std::sync::atomic::Ordering;

pub(super) async fn post(
    Shared(state): Shared<Arc<State>>,
    headers: HeaderMap,
    uri: Uri,
    Path((_version, id)): Path<(String, String)>,
    body: Bytes,
) -> Response {
    let body = json_body(&body);
    let answer = answer(&state, &headers, &uri, &id, &body);
    record(&state, "POST", &uri, body, &answer);
    answer
}

fn answer(state: &State, headers: &HeaderMap, uri: &Uri, id: &str, body: &Value) -> Response {
    let access = state.access(super::bearer(headers), |number| {
        number.phone_number_id == id
    });
    if let Some(refused) = refusal(access, "POST", id) {
        return refused;
    }
    let schema = if body.get("status").is_some() {
        spec::MARK_READ
    } else {
        spec::MESSAGE
    };
    let errors = if body.is_object() {
        spec::violations(schema, body)
    } else {
        vec!["the body is not a JSON object".to_owned()]
    };
    if !errors.is_empty() {
        let details = errors.join("; ");
        state.refuse(Violation {
            method: "POST".to_owned(),
            path: uri.path().to_owned(),
            body: body.clone(),
            errors,
        });
        return errors::invalid_parameter(&details);
    }
    if schema == spec::MARK_READ {
        return Json(json!({"success": true})).into_response();
    }
    let to = body["to"].as_str().unwrap_or_default();
    if let Some(failure) = state.failure_for(to) {
        return errors::injected(
            failure.code,
            failure.http_status,
            &failure.title,
            &failure.details,
        );
    }
    let wamid = wamid(to);
    state.sent.lock().expect("sent lock").push(SentMessage {
        phone_number_id: id.to_owned(),
        wamid: wamid.clone(),
        body: body.clone(),
    });
    state.sent_count.fetch_add(1, Ordering::Relaxed);
    Json(json!({
        "messaging_product": "whatsapp",
        "contacts": [{"input": to, "wa_id": to}],
        "messages": [{"id": wamid}],
    }))
    .into_response()
}

/// A fresh message id shaped like Meta's: `wamid.` and base64 naming the recipient.
pub(crate) fn wamid(to: &str) -> String {
    let raw = format!("{to}:{}", uuid::Uuid::new_v4().simple());
    format!(
        "wamid.{}",
        base64::engine::general_purpose::STANDARD.encode(raw)
    )
}
