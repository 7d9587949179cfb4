//! The success envelope: `{"success": true, "data": …}`, lists with `pagination`.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Serialize;

#[derive(Serialize, utoipa::ToSchema)]
pub struct Envelope<T> {
    /// Always true.
    pub success: bool,
    pub data: T,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pagination: Option<Pagination>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct Pagination {
    pub page: i64,
    pub limit: i64,
    pub total: i64,
}

/// The events listing pages by sequence number instead of page number.
#[derive(Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct EventCursor {
    pub limit: i64,
    /// Events after this page (not counting it).
    pub remaining: i64,
    /// Pass as `after` to read on; the same `after` again when the page was empty.
    pub next_after: i64,
}

pub fn ok<T: Serialize>(data: T) -> Response {
    respond(StatusCode::OK, data)
}

pub fn created<T: Serialize>(data: T) -> Response {
    respond(StatusCode::CREATED, data)
}

pub fn accepted<T: Serialize>(data: T) -> Response {
    respond(StatusCode::ACCEPTED, data)
}

pub fn respond<T: Serialize>(status: StatusCode, data: T) -> Response {
    (
        status,
        Json(Envelope {
            success: true,
            data,
            pagination: None,
        }),
    )
        .into_response()
}

pub fn page<T: Serialize>(data: T, pagination: Pagination) -> Response {
    Json(Envelope {
        success: true,
        data,
        pagination: Some(pagination),
    })
    .into_response()
}

/// A page of events with its cursor.
#[derive(Serialize, utoipa::ToSchema)]
pub struct EventPage<T> {
    pub success: bool,
    pub data: T,
    pub cursor: EventCursor,
}
