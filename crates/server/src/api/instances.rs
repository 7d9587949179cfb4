//! `/api/v1/instances`: create, list, show and delete WhatsApp numbers.

use super::AppState;
use super::envelope::{self, Envelope};
use super::error::{ApiResult, ErrorBody};
use super::json::ApiJson;
use super::views::{CreatedInstanceView, InstanceView};
use crate::services::{InstanceUpdateRequest, NewInstanceRequest, Principal};
use axum::extract::{Path, State};
use axum::response::Response;

/// Create an instance (account key). The answer holds the instance's own API key, shown once.
#[utoipa::path(
    post, path = "/api/v1/instances", tag = "instances", request_body = NewInstanceRequest,
    responses(
        (status = 201, body = Envelope<CreatedInstanceView>),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 409, description = "An instance with this name exists", body = ErrorBody),
        (status = 422, body = ErrorBody),
    )
)]
pub async fn create_instance(
    State(state): State<AppState>,
    principal: Principal,
    ApiJson(request): ApiJson<NewInstanceRequest>,
) -> ApiResult<Response> {
    let created = state.gateway.create_instance(&principal, request).await?;
    let capabilities = state.gateway.capabilities(created.instance.engine);
    Ok(envelope::created(CreatedInstanceView {
        instance: InstanceView::new(&created.instance, capabilities, state.gateway.now()),
        api_key: created.api_key,
        webhook: created.webhook.as_ref().map(|webhook| {
            serde_json::json!({ "id": webhook.webhook.id, "url": webhook.webhook.url, "events": webhook.webhook.events, "secret": webhook.secret.as_str() })
        }),
        cloud: created
            .cloud
            .as_ref()
            .map(crate::services::CloudNumberView::new),
    }))
}

/// List the account's instances (an instance key sees only its own).
#[utoipa::path(
    get, path = "/api/v1/instances", tag = "instances",
    responses((status = 200, body = Envelope<Vec<InstanceView>>), (status = 401, body = ErrorBody))
)]
pub async fn list_instances(
    State(state): State<AppState>,
    principal: Principal,
) -> ApiResult<Response> {
    let instances = state.gateway.list_instances(&principal).await?;
    let views: Vec<_> = instances
        .iter()
        .map(|instance| {
            InstanceView::new(
                instance,
                state.gateway.capabilities(instance.engine),
                state.gateway.now(),
            )
        })
        .collect();
    Ok(envelope::ok(views))
}

/// Show an instance, with its engine's capabilities.
#[utoipa::path(
    get, path = "/api/v1/instances/{id}", tag = "instances",
    params(("id" = String, Path, description = "Instance id or name")),
    responses((status = 200, body = Envelope<InstanceView>), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody))
)]
pub async fn get_instance(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    let instance = state.gateway.resolve_instance(&principal, &id).await?;
    Ok(envelope::ok(InstanceView::new(
        &instance,
        state.gateway.capabilities(instance.engine),
        state.gateway.now(),
    )))
}

/// Change an instance's settings (account key): its pacing overrides.
#[utoipa::path(
    patch, path = "/api/v1/instances/{id}", tag = "instances", request_body = InstanceUpdateRequest,
    params(("id" = String, Path, description = "Instance id or name")),
    responses(
        (status = 200, body = Envelope<InstanceView>),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 422, body = ErrorBody),
    )
)]
pub async fn update_instance(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<String>,
    ApiJson(request): ApiJson<InstanceUpdateRequest>,
) -> ApiResult<Response> {
    let instance = state
        .gateway
        .update_instance(&principal, &id, request)
        .await?;
    Ok(envelope::ok(InstanceView::new(
        &instance,
        state.gateway.capabilities(instance.engine),
        state.gateway.now(),
    )))
}

/// Delete an instance with its messages and key (account key).
#[utoipa::path(
    delete, path = "/api/v1/instances/{id}", tag = "instances",
    params(("id" = String, Path, description = "Instance id or name")),
    responses(
        (status = 200, description = "Deleted", body = Envelope<serde_json::Value>, example = json!({ "success": true, "data": { "deleted": true } })),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
    )
)]
pub async fn delete_instance(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    state.gateway.delete_instance(&principal, &id).await?;
    Ok(envelope::ok(serde_json::json!({ "deleted": true })))
}
