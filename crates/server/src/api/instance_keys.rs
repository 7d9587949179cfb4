//! `/api/v1/instances/{id}/keys`: further keys of one instance, each reaching only it — made
//! (shown once), listed without their secrets, and revoked, with the account key.

use super::AppState;
use super::envelope::{self, Envelope};
use super::error::{ApiResult, ErrorBody};
use super::json::ApiJson;
use super::views::time;
use crate::services::Principal;
use axum::extract::{Path, State};
use axum::response::Response;
use serde::{Deserialize, Serialize};
use wagate_store::AccountKeyRecord;

/// `POST /api/v1/instances/{id}/keys`.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct NewInstanceKeyRequest {
    /// What the key is for, up to 100 characters.
    #[schema(example = "front desk kiosk")]
    pub name: Option<String>,
}

/// A key, without its secret.
#[derive(Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct InstanceKeyView {
    #[schema(example = "key_0192f0c5e2b47a39b1d2c3e4f5a6b7c8")]
    pub id: String,
    pub name: Option<String>,
    pub created_at: String,
}

impl From<&AccountKeyRecord> for InstanceKeyView {
    fn from(key: &AccountKeyRecord) -> Self {
        Self {
            id: key.id.to_string(),
            name: key.name.clone(),
            created_at: time(key.created_at),
        }
    }
}

/// A new key with its secret, shown only in this answer.
#[derive(Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CreatedInstanceKeyView {
    #[serde(flatten)]
    pub key: InstanceKeyView,
    #[schema(example = "wgi_9c2e…")]
    pub api_key: String,
}

/// Make another key for the instance (account key). It reaches this instance only; the
/// answer holds it, shown once.
#[utoipa::path(
    post, path = "/api/v1/instances/{id}/keys", tag = "instances",
    params(("id" = String, Path, description = "Instance id or name")),
    request_body(content = NewInstanceKeyRequest, description = "Optional"),
    responses(
        (status = 201, body = Envelope<CreatedInstanceKeyView>),
        (status = 401, body = ErrorBody), (status = 403, description = "An instance key cannot make keys", body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 422, body = ErrorBody),
    )
)]
pub async fn create_key(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<String>,
    ApiJson(request): ApiJson<NewInstanceKeyRequest>,
) -> ApiResult<Response> {
    let (key, api_key) = state
        .gateway
        .create_instance_key(&principal, &id, request.name.as_deref())
        .await?;
    Ok(envelope::created(CreatedInstanceKeyView {
        key: InstanceKeyView::from(&key),
        api_key,
    }))
}

/// The instance's keys, oldest first (the one it was created with too), without secrets.
#[utoipa::path(
    get, path = "/api/v1/instances/{id}/keys", tag = "instances",
    params(("id" = String, Path, description = "Instance id or name")),
    responses(
        (status = 200, body = Envelope<Vec<InstanceKeyView>>),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
    )
)]
pub async fn list_keys(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    let keys = state.gateway.list_instance_keys(&principal, &id).await?;
    Ok(envelope::ok(
        keys.iter().map(InstanceKeyView::from).collect::<Vec<_>>(),
    ))
}

/// Revoke one of the instance's keys: it stops working at once.
#[utoipa::path(
    delete, path = "/api/v1/instances/{id}/keys/{keyId}", tag = "instances",
    params(
        ("id" = String, Path, description = "Instance id or name"),
        ("keyId" = String, Path, description = "The key's id, as listed"),
    ),
    responses(
        (status = 200, body = Envelope<serde_json::Value>, example = json!({ "success": true, "data": { "id": "key_0192f0c5…", "revoked": true } })),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
    )
)]
pub async fn revoke_key(
    State(state): State<AppState>,
    principal: Principal,
    Path((id, key_id)): Path<(String, String)>,
) -> ApiResult<Response> {
    state
        .gateway
        .revoke_instance_key(&principal, &id, &key_id)
        .await?;
    Ok(envelope::ok(
        serde_json::json!({ "id": key_id, "revoked": true }),
    ))
}
