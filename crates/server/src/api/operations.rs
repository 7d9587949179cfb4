//! `/api/v1/messages/{id}/…`: acting on messages already in a chat.

use super::AppState;
use super::envelope::{self, Envelope};
use super::error::{ApiResult, ErrorBody};
use super::json::ApiJson;
use super::views::{AcceptedMessageView, MessageJson};
use crate::services::{EditRequest, ForwardRequest, PinRequest, Principal, ReactRequest};
use axum::extract::{Path, State};
use axum::response::Response;

/// React to a message (sent or received) with one emoji; an empty emoji removes the reaction.
#[utoipa::path(
    post, path = "/api/v1/messages/{id}/react", tag = "messages",
    params(("id" = String, Path, description = "Message id")), request_body = ReactRequest,
    responses(
        (status = 200, body = Envelope<MessageJson>), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, description = "Not sent yet, or the instance is not connected", body = ErrorBody),
        (status = 422, body = ErrorBody), (status = 501, body = ErrorBody),
    )
)]
pub async fn react(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<String>,
    ApiJson(request): ApiJson<ReactRequest>,
) -> ApiResult<Response> {
    state
        .gateway
        .react_to_message(&principal, &id, request)
        .await?;
    detailed(&state, &principal, &id).await
}

/// Edit the text of one of your own text messages, within WhatsApp's 15 minutes.
#[utoipa::path(
    post, path = "/api/v1/messages/{id}/edit", tag = "messages",
    params(("id" = String, Path, description = "Message id")), request_body = EditRequest,
    responses(
        (status = 200, body = Envelope<MessageJson>), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, description = "Not your message, not text, deleted, or too late", body = ErrorBody),
        (status = 422, body = ErrorBody), (status = 501, body = ErrorBody),
    )
)]
pub async fn edit(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<String>,
    ApiJson(request): ApiJson<EditRequest>,
) -> ApiResult<Response> {
    state.gateway.edit_message(&principal, &id, request).await?;
    detailed(&state, &principal, &id).await
}

/// Delete one of your own messages for everyone.
#[utoipa::path(
    post, path = "/api/v1/messages/{id}/revoke", tag = "messages",
    params(("id" = String, Path, description = "Message id")),
    responses(
        (status = 200, body = Envelope<MessageJson>), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, description = "Not your message, already deleted, or too late", body = ErrorBody),
        (status = 501, body = ErrorBody),
    )
)]
pub async fn revoke(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    state.gateway.revoke_message(&principal, &id).await?;
    detailed(&state, &principal, &id).await
}

/// Mark a received message read; the sender sees blue ticks.
#[utoipa::path(
    post, path = "/api/v1/messages/{id}/read", tag = "messages",
    params(("id" = String, Path, description = "Message id")),
    responses(
        (status = 200, body = Envelope<MessageJson>), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, description = "Not a received message", body = ErrorBody), (status = 501, body = ErrorBody),
    )
)]
pub async fn read(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    state.gateway.mark_read(&principal, &id).await?;
    detailed(&state, &principal, &id).await
}

/// Forward a message's content to another chat: a new message, queued like any send.
#[utoipa::path(
    post, path = "/api/v1/messages/{id}/forward", tag = "messages",
    params(("id" = String, Path, description = "Message id")), request_body = ForwardRequest,
    responses(
        (status = 202, body = Envelope<AcceptedMessageView>), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, description = "Deleted for everyone, or a reaction", body = ErrorBody), (status = 422, body = ErrorBody),
    )
)]
pub async fn forward(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<String>,
    ApiJson(request): ApiJson<ForwardRequest>,
) -> ApiResult<Response> {
    let message = state
        .gateway
        .forward_message(&principal, &id, request)
        .await?;
    Ok(envelope::accepted(AcceptedMessageView::from(&message)))
}

/// Pin a message in its chat (`duration`: 24h, 7d or 30d).
#[utoipa::path(
    post, path = "/api/v1/messages/{id}/pin", tag = "messages",
    params(("id" = String, Path, description = "Message id")), request_body(content = PinRequest, description = "Optional"),
    responses(
        (status = 200, body = Envelope<MessageJson>), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody), (status = 501, body = ErrorBody),
    )
)]
pub async fn pin(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<String>,
    ApiJson(request): ApiJson<PinRequest>,
) -> ApiResult<Response> {
    state
        .gateway
        .pin_message(&principal, &id, Some(request))
        .await?;
    detailed(&state, &principal, &id).await
}

/// Unpin a pinned message.
#[utoipa::path(
    post, path = "/api/v1/messages/{id}/unpin", tag = "messages",
    params(("id" = String, Path, description = "Message id")),
    responses(
        (status = 200, body = Envelope<MessageJson>), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, description = "Not pinned", body = ErrorBody), (status = 501, body = ErrorBody),
    )
)]
pub async fn unpin(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    state.gateway.pin_message(&principal, &id, None).await?;
    detailed(&state, &principal, &id).await
}

/// Cancel a message that has not been sent yet (`queued`, `scheduled` or `retrying`).
#[utoipa::path(
    post, path = "/api/v1/messages/{id}/cancel", tag = "messages",
    params(("id" = String, Path, description = "Message id")),
    responses(
        (status = 200, description = "Cancelled; it will not be sent", body = Envelope<MessageJson>),
        (status = 401, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, description = "Already being sent, sent, failed or cancelled", body = ErrorBody),
    )
)]
pub async fn cancel(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    state.gateway.cancel_message(&principal, &id).await?;
    detailed(&state, &principal, &id).await
}

/// Queue a failed message again; it is sent as soon as the queue allows.
#[utoipa::path(
    post, path = "/api/v1/messages/{id}/retry", tag = "messages",
    params(("id" = String, Path, description = "Message id")),
    responses(
        (status = 200, description = "Queued again", body = Envelope<MessageJson>),
        (status = 401, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, description = "The message has not failed", body = ErrorBody),
    )
)]
pub async fn retry(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    state.gateway.retry_message(&principal, &id).await?;
    detailed(&state, &principal, &id).await
}

async fn detailed(state: &AppState, principal: &Principal, id: &str) -> ApiResult<Response> {
    let details = state.gateway.get_message(principal, id).await?;
    Ok(envelope::ok(MessageJson::detailed(&details)))
}
