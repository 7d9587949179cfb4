//! The sessions API's success answer: the native envelope `{success: true, data}`.

use super::error::SessionsResult;
use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, SecondsFormat, Utc};
use serde_json::{Value, json};

pub fn ok(data: Value) -> SessionsResult<Response> {
    Ok(Json(json!({ "success": true, "data": data })).into_response())
}

pub fn created(data: Value) -> SessionsResult<Response> {
    Ok((
        StatusCode::CREATED,
        Json(json!({ "success": true, "data": data })),
    )
        .into_response())
}

/// A time as RFC 3339, UTC.
pub fn time(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Millis, true)
}
