//! Presence: "typing…" or "recording…" in a chat, and the number online or offline.

use super::AppState;
use super::envelope::{self, Envelope};
use super::error::{ApiResult, ErrorBody};
use super::json::ApiJson;
use crate::services::Principal;
use axum::extract::{Path, State};
use axum::response::Response;
use serde::{Deserialize, Serialize};

#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ChatPresenceRequest {
    /// `composing` ("typing…"), `recording` ("recording audio…") or `paused`.
    #[schema(example = "composing")]
    #[serde(default)]
    pub state: String,
}

#[derive(Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ChatPresenceView {
    #[schema(example = "15550002222@s.whatsapp.net")]
    pub chat: String,
    #[schema(example = "composing")]
    pub state: String,
}

#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PresenceRequest {
    /// `available` (online) or `unavailable`.
    #[schema(example = "available")]
    #[serde(default)]
    pub presence: String,
}

#[derive(Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct PresenceView {
    #[schema(example = "available")]
    pub presence: String,
}

/// Show "typing…" or "recording audio…" in a chat, or stop it. (Sends show typing by
/// themselves, paced; this is for bots that want to show it while they work.)
#[utoipa::path(
    post, path = "/api/v1/instances/{id}/chats/{jid}/presence", tag = "chats",
    request_body = ChatPresenceRequest,
    params(
        ("id" = String, Path, description = "Instance id or name"),
        ("jid" = String, Path, description = "The chat: a phone number, or a user or group JID", example = "15550002222"),
    ),
    responses(
        (status = 200, body = Envelope<ChatPresenceView>),
        (status = 401, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, description = "The number is not open", body = ErrorBody),
        (status = 422, body = ErrorBody), (status = 501, body = ErrorBody),
        (status = 503, body = ErrorBody),
    )
)]
pub async fn chat_presence(
    State(state): State<AppState>,
    principal: Principal,
    Path((id, jid)): Path<(String, String)>,
    ApiJson(request): ApiJson<ChatPresenceRequest>,
) -> ApiResult<Response> {
    let (chat, _) = state
        .gateway
        .set_chat_presence(&principal, &id, &jid, &request.state)
        .await?;
    Ok(envelope::ok(ChatPresenceView {
        chat: chat.to_string(),
        state: request.state,
    }))
}

/// Show the number online or offline to its contacts.
#[utoipa::path(
    put, path = "/api/v1/instances/{id}/presence", tag = "profile",
    request_body = PresenceRequest,
    params(("id" = String, Path, description = "Instance id or name")),
    responses(
        (status = 200, body = Envelope<PresenceView>),
        (status = 401, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, description = "The number is not open", body = ErrorBody),
        (status = 422, body = ErrorBody), (status = 501, body = ErrorBody),
        (status = 503, body = ErrorBody),
    )
)]
pub async fn presence(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<String>,
    ApiJson(request): ApiJson<PresenceRequest>,
) -> ApiResult<Response> {
    state
        .gateway
        .set_presence(&principal, &id, &request.presence)
        .await?;
    Ok(envelope::ok(PresenceView {
        presence: request.presence,
    }))
}
