//! Statuses (stories): `POST …/status` queues one like a message; `DELETE …/status/{id}`
//! deletes it for everyone who was sent it.

use super::AppState;
use super::envelope::{self, Envelope};
use super::error::{ApiResult, ErrorBody};
use super::json::ApiJson;
use super::views::{AcceptedMessageView, MessageJson};
use crate::services::{Principal, StatusRequest};
use axum::extract::{Path, State};
use axum::response::Response;

/// Post a status (story): a text on a coloured background, an image, a video or a voice note,
/// for the listed numbers or for everyone in the number's address book. It is queued,
/// paced, retried and tracked like a message (`GET /api/v1/messages/{id}`; its `to` is
/// `status@broadcast`). The audience is fixed now: contacts saved later do not see it.
#[utoipa::path(
    post, path = "/api/v1/instances/{id}/status", tag = "status",
    params(
        ("id" = String, Path, description = "Instance id or name"),
        ("Idempotency-Key" = Option<String>, Header, description = "The same key with the same request within 24 hours answers the first response again instead of posting twice"),
    ),
    request_body(content(
        (StatusRequest = "application/json", examples(
            ("text" = (value = json!({ "text": "Open until 8pm today", "backgroundColor": "#1E6E4F", "font": "calistoga", "recipients": ["15550002222", "+44 7911 123456"] }))),
            ("image to the address book" = (value = json!({ "image": { "url": "https://example.com/offer.jpg", "caption": "This week only" }, "allContacts": true }))),
            ("voice note" = (value = json!({ "audio": { "mediaId": "med_…" }, "recipients": ["15550002222"] }))),
        )),
    )),
    responses(
        (status = 202, description = "Queued", body = Envelope<AcceptedMessageView>),
        (status = 401, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, description = "The instance was never linked (INSTANCE_NOT_CONNECTED)", body = ErrorBody),
        (status = 413, body = ErrorBody), (status = 415, body = ErrorBody),
        (status = 422, description = "No content or two, a text over 700 characters, a look on media, no audience or two, a bad number, an empty address book", body = ErrorBody),
        (status = 501, description = "The engine cannot post statuses", body = ErrorBody),
    )
)]
pub async fn post_status(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<String>,
    ApiJson(request): ApiJson<StatusRequest>,
) -> ApiResult<Response> {
    let message = state.gateway.post_status(&principal, &id, request).await?;
    Ok(envelope::accepted(AcceptedMessageView::from(&message)))
}

/// Delete a status for everyone who was sent it (within the 24 hours it lives).
#[utoipa::path(
    delete, path = "/api/v1/instances/{id}/status/{statusId}", tag = "status",
    params(
        ("id" = String, Path, description = "Instance id or name"),
        ("statusId" = String, Path, description = "The status's message id (from `POST …/status`)"),
    ),
    responses(
        (status = 200, description = "Deleted; the message shows `revokedAt`", body = Envelope<MessageJson>),
        (status = 401, body = ErrorBody),
        (status = 404, description = "No such status of this number", body = ErrorBody),
        (status = 409, description = "Not posted yet, already deleted, or expired", body = ErrorBody),
        (status = 501, body = ErrorBody),
    )
)]
pub async fn delete_status(
    State(state): State<AppState>,
    principal: Principal,
    Path((id, status_id)): Path<(String, String)>,
) -> ApiResult<Response> {
    let message = state
        .gateway
        .delete_status(&principal, &id, &status_id)
        .await?;
    let details = state
        .gateway
        .get_message(&principal, &message.id.to_string())
        .await?;
    Ok(envelope::ok(MessageJson::detailed(&details)))
}
