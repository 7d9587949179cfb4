//! whatsapi.cc's success answer: `{success: true, data}` with the status the seed gives.

use super::error::WaResult;
use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, SecondsFormat, Utc};
use serde_json::{Value, json};

pub fn ok(data: Value) -> WaResult<Response> {
    Ok(Json(json!({ "success": true, "data": data })).into_response())
}

/// 202: stored and queued, sent in the background.
pub fn accepted(data: Value) -> WaResult<Response> {
    Ok((
        StatusCode::ACCEPTED,
        Json(json!({ "success": true, "data": data })),
    )
        .into_response())
}

/// A time as the seed prints it (RFC 3339, UTC).
pub fn time(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Millis, true)
}
