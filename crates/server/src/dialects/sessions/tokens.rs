//! `/api/v1/auth/tokens`: personal access tokens, the account keys the seed sends as
//! `X-API-Token`. Each is shown once, when created; the list shows them without the secret.

use super::TAG;
use super::auth::SessionsKey;
use super::body;
use super::error::{SessionsError, SessionsErrorBody, SessionsResult};
use super::reply;
use crate::services::{AccountKeyRecord, Caller, Gateway};
use axum::body::Bytes;
use axum::extract::{FromRef, Path, Query, State};
use axum::http::{HeaderValue, header};
use axum::response::Response;
use serde::Deserialize;
use serde_json::{Value, json};
use std::sync::Arc;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn routes<S>() -> OpenApiRouter<S>
where
    S: Clone + Send + Sync + 'static,
    Arc<Gateway>: FromRef<S>,
{
    OpenApiRouter::new()
        .routes(routes!(create_token, list_tokens, revoke_token))
        .routes(routes!(revoke_token_by_path))
}

fn token_view(token: &AccountKeyRecord) -> Value {
    json!({
        "id": token.id,
        "name": token.name,
        "createdAt": reply::time(token.created_at),
    })
}

/// `POST /api/v1/auth/tokens`.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
pub struct CreateTokenRequest {
    /// What the token is for, up to 100 characters.
    #[schema(example = "CI deploys")]
    pub name: Option<String>,
}

/// Create a personal access token (an account key). The token is shown only in this answer.
#[utoipa::path(
    post, path = "/api/v1/auth/tokens", tag = TAG,
    request_body(content = CreateTokenRequest, description = "Optional", example = json!({ "name": "CI deploys" })),
    responses(
        (status = 201, description = "The token, shown once", body = Object, example = json!({ "success": true, "data": {
            "id": "key_0192f0c5…", "name": "CI deploys", "createdAt": "2026-03-28T10:00:00.000Z", "token": "wgk_9b1e…"
        } })),
        (status = 401, body = SessionsErrorBody), (status = 403, description = "A session key cannot create tokens", body = SessionsErrorBody),
        (status = 422, body = SessionsErrorBody),
    )
)]
pub async fn create_token(
    State(gateway): State<Arc<Gateway>>,
    SessionsKey(caller): SessionsKey,
    bytes: Bytes,
) -> SessionsResult<Response> {
    let request: CreateTokenRequest = body::json(&bytes)?;
    let (token, secret) = gateway
        .create_access_token(&caller, request.name.as_deref())
        .await?;
    let mut view = token_view(&token);
    view["token"] = json!(secret);
    let mut response = reply::created(view)?;
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(response)
}

/// The account's tokens, oldest first, without their secrets (the account's first key too).
#[utoipa::path(
    get, path = "/api/v1/auth/tokens", tag = TAG,
    responses(
        (status = 200, description = "The tokens", body = Object, example = json!({ "success": true, "data": [
            { "id": "key_0192f0a1…", "name": null, "createdAt": "2026-03-01T09:00:00.000Z" },
            { "id": "key_0192f0c5…", "name": "CI deploys", "createdAt": "2026-03-28T10:00:00.000Z" }
        ] })),
        (status = 401, body = SessionsErrorBody), (status = 403, body = SessionsErrorBody),
    )
)]
pub async fn list_tokens(
    State(gateway): State<Arc<Gateway>>,
    SessionsKey(caller): SessionsKey,
) -> SessionsResult<Response> {
    let tokens = gateway.list_access_tokens(&caller).await?;
    reply::ok(tokens.iter().map(token_view).collect())
}

/// Which token `DELETE /api/v1/auth/tokens` revokes.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RevokeTokenRequest {
    /// The token's id (as listed).
    #[schema(example = "key_0192f0c5…")]
    pub id: Option<String>,
}

async fn revoke(gateway: &Gateway, caller: &Caller, id: &str) -> SessionsResult<Response> {
    gateway.revoke_access_token(caller, id).await?;
    reply::ok(json!({ "id": id, "revoked": true }))
}

/// Revoke a token by its id, given as `?id=` or in the body; it stops working at once.
#[utoipa::path(
    delete, path = "/api/v1/auth/tokens", tag = TAG, params(RevokeTokenRequest),
    request_body(content = RevokeTokenRequest, description = "Or `?id=`", example = json!({ "id": "key_0192f0c5…" })),
    responses(
        (status = 200, description = "Revoked", body = Object, example = json!({ "success": true, "data": { "id": "key_0192f0c5…", "revoked": true } })),
        (status = 401, body = SessionsErrorBody), (status = 404, body = SessionsErrorBody),
        (status = 409, description = "A token cannot revoke itself", body = SessionsErrorBody),
        (status = 422, description = "No id given", body = SessionsErrorBody),
    )
)]
pub async fn revoke_token(
    State(gateway): State<Arc<Gateway>>,
    SessionsKey(caller): SessionsKey,
    Query(query): Query<RevokeTokenRequest>,
    bytes: Bytes,
) -> SessionsResult<Response> {
    let request: RevokeTokenRequest = body::json(&bytes)?;
    let id = query
        .id
        .or(request.id)
        .ok_or_else(|| SessionsError::field("id", "is required"))?;
    revoke(&gateway, &caller, &id).await
}

/// Revoke a token by its id; it stops working at once.
#[utoipa::path(
    delete, path = "/api/v1/auth/tokens/{id}", tag = TAG,
    params(("id" = String, Path, description = "The token's id (as listed)")),
    responses(
        (status = 200, description = "Revoked", body = Object, example = json!({ "success": true, "data": { "id": "key_0192f0c5…", "revoked": true } })),
        (status = 401, body = SessionsErrorBody), (status = 404, body = SessionsErrorBody),
        (status = 409, description = "A token cannot revoke itself", body = SessionsErrorBody),
    )
)]
pub async fn revoke_token_by_path(
    State(gateway): State<Arc<Gateway>>,
    SessionsKey(caller): SessionsKey,
    Path(id): Path<String>,
) -> SessionsResult<Response> {
    revoke(&gateway, &caller, &id).await
}
