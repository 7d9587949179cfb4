//! WhatsApp Business labels: list, create, rename, delete, and put on chats.

use super::AppState;
use super::envelope::{self, Envelope};
use super::error::{ApiResult, ErrorBody};
use super::json::ApiJson;
use crate::services::Principal;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use wagate_store::LabelRecord;

/// `POST …/labels` and `PUT …/labels/{labelId}`.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct LabelRequest {
    /// 1 to 100 characters (required to create).
    #[schema(example = "New customer")]
    pub name: Option<String>,
    /// An index into WhatsApp's palette, 0 to 19 (default: the next colour).
    #[schema(example = 4)]
    pub color: Option<i64>,
}

#[derive(Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct LabelView {
    #[schema(example = "3")]
    pub id: String,
    #[schema(example = "New customer")]
    pub name: String,
    /// An index into WhatsApp's palette of 20 colours.
    #[schema(example = 4)]
    pub color: u8,
    /// How many chats carry it.
    pub chats: i64,
}

impl From<LabelRecord> for LabelView {
    fn from(label: LabelRecord) -> Self {
        Self {
            id: label.id,
            name: label.name,
            color: label.color,
            chats: label.chats,
        }
    }
}

/// A chat a label was put on or taken off.
#[derive(Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ChatLabelView {
    #[schema(example = "15550002222@s.whatsapp.net")]
    pub jid: String,
    #[schema(example = "3")]
    pub label_id: String,
    pub labeled: bool,
}

#[derive(Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct LabelDeletedView {
    #[schema(example = "3")]
    pub id: String,
    pub deleted: bool,
}

/// The number's labels by name (WhatsApp Business), with how many chats carry each: those
/// created here and those synced from its phone.
#[utoipa::path(
    get, path = "/api/v1/instances/{id}/labels", tag = "labels",
    params(("id" = String, Path, description = "Instance id or name")),
    responses(
        (status = 200, body = Envelope<Vec<LabelView>>),
        (status = 401, body = ErrorBody), (status = 404, body = ErrorBody),
    )
)]
pub async fn list_labels(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    let labels = state.gateway.list_labels(&principal, &id).await?;
    Ok(envelope::ok(
        labels.into_iter().map(LabelView::from).collect::<Vec<_>>(),
    ))
}

/// Create a label on the number's WhatsApp Business.
#[utoipa::path(
    post, path = "/api/v1/instances/{id}/labels", tag = "labels",
    request_body(content = LabelRequest, example = json!({ "name": "New customer", "color": 4 })),
    params(("id" = String, Path, description = "Instance id or name")),
    responses(
        (status = 201, body = Envelope<LabelView>),
        (status = 401, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, description = "The number is not open", body = ErrorBody),
        (status = 422, body = ErrorBody), (status = 501, body = ErrorBody),
        (status = 503, body = ErrorBody),
    )
)]
pub async fn create_label(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<String>,
    ApiJson(request): ApiJson<LabelRequest>,
) -> ApiResult<Response> {
    let label = state
        .gateway
        .create_label(
            &principal,
            &id,
            request.name.as_deref().unwrap_or_default(),
            request.color,
        )
        .await?;
    Ok((StatusCode::CREATED, envelope::ok(LabelView::from(label))).into_response())
}

/// Rename or recolour a label.
#[utoipa::path(
    put, path = "/api/v1/instances/{id}/labels/{labelId}", tag = "labels",
    request_body(content = LabelRequest, example = json!({ "name": "Paid" })),
    params(
        ("id" = String, Path, description = "Instance id or name"),
        ("labelId" = String, Path, description = "The label's id", example = "3"),
    ),
    responses(
        (status = 200, body = Envelope<LabelView>),
        (status = 401, body = ErrorBody),
        (status = 404, description = "No such instance or label", body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody),
        (status = 501, body = ErrorBody), (status = 503, body = ErrorBody),
    )
)]
pub async fn update_label(
    State(state): State<AppState>,
    principal: Principal,
    Path((id, label)): Path<(String, String)>,
    ApiJson(request): ApiJson<LabelRequest>,
) -> ApiResult<Response> {
    let label = state
        .gateway
        .update_label(
            &principal,
            &id,
            &label,
            request.name.as_deref(),
            request.color,
        )
        .await?;
    Ok(envelope::ok(LabelView::from(label)))
}

/// Delete a label; it comes off every chat.
#[utoipa::path(
    delete, path = "/api/v1/instances/{id}/labels/{labelId}", tag = "labels",
    params(
        ("id" = String, Path, description = "Instance id or name"),
        ("labelId" = String, Path, description = "The label's id", example = "3"),
    ),
    responses(
        (status = 200, body = Envelope<LabelDeletedView>),
        (status = 401, body = ErrorBody),
        (status = 404, description = "No such instance or label", body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 501, body = ErrorBody),
        (status = 503, body = ErrorBody),
    )
)]
pub async fn delete_label(
    State(state): State<AppState>,
    principal: Principal,
    Path((id, label)): Path<(String, String)>,
) -> ApiResult<Response> {
    state.gateway.delete_label(&principal, &id, &label).await?;
    Ok(envelope::ok(LabelDeletedView {
        id: label.trim().to_owned(),
        deleted: true,
    }))
}

/// The chats that carry a label, in the order it was put on them.
#[utoipa::path(
    get, path = "/api/v1/instances/{id}/labels/{labelId}/chats", tag = "labels",
    params(
        ("id" = String, Path, description = "Instance id or name"),
        ("labelId" = String, Path, description = "The label's id", example = "3"),
    ),
    responses(
        (status = 200, body = Envelope<Vec<String>>, example = json!({ "success": true, "data": ["15550002222@s.whatsapp.net"] })),
        (status = 401, body = ErrorBody),
        (status = 404, description = "No such instance or label", body = ErrorBody),
    )
)]
pub async fn labeled_chats(
    State(state): State<AppState>,
    principal: Principal,
    Path((id, label)): Path<(String, String)>,
) -> ApiResult<Response> {
    let chats = state.gateway.labeled_chats(&principal, &id, &label).await?;
    Ok(envelope::ok(chats))
}

async fn label_chat(
    state: &AppState,
    principal: &Principal,
    (id, jid, label): (String, String, String),
    labeled: bool,
) -> ApiResult<Response> {
    let chat = state
        .gateway
        .label_chat(principal, &id, &jid, &label, labeled)
        .await?;
    Ok(envelope::ok(ChatLabelView {
        jid: chat.to_string(),
        label_id: label.trim().to_owned(),
        labeled,
    }))
}

/// Put a label on a chat.
#[utoipa::path(
    post, path = "/api/v1/instances/{id}/chats/{jid}/labels/{labelId}", tag = "labels",
    params(
        ("id" = String, Path, description = "Instance id or name"),
        ("jid" = String, Path, description = "The chat: a phone number, or a user or group JID", example = "15550002222"),
        ("labelId" = String, Path, description = "The label's id", example = "3"),
    ),
    responses(
        (status = 200, body = Envelope<ChatLabelView>),
        (status = 401, body = ErrorBody),
        (status = 404, description = "No such instance or label", body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody),
        (status = 501, body = ErrorBody), (status = 503, body = ErrorBody),
    )
)]
pub async fn add_chat_label(
    State(state): State<AppState>,
    principal: Principal,
    Path(path): Path<(String, String, String)>,
) -> ApiResult<Response> {
    label_chat(&state, &principal, path, true).await
}

/// Take a label off a chat.
#[utoipa::path(
    delete, path = "/api/v1/instances/{id}/chats/{jid}/labels/{labelId}", tag = "labels",
    params(
        ("id" = String, Path, description = "Instance id or name"),
        ("jid" = String, Path, description = "The chat: a phone number, or a user or group JID", example = "15550002222"),
        ("labelId" = String, Path, description = "The label's id", example = "3"),
    ),
    responses(
        (status = 200, body = Envelope<ChatLabelView>),
        (status = 401, body = ErrorBody),
        (status = 404, description = "No such instance or label", body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody),
        (status = 501, body = ErrorBody), (status = 503, body = ErrorBody),
    )
)]
pub async fn remove_chat_label(
    State(state): State<AppState>,
    principal: Principal,
    Path(path): Path<(String, String, String)>,
) -> ApiResult<Response> {
    label_chat(&state, &principal, path, false).await
}
