//! `/api/v1/webhooks` and `/api/v1/auth/me/webhook`.

use super::AppState;
use super::envelope::{self, Envelope};
use super::error::{ApiResult, ErrorBody};
use super::json::ApiJson;
use crate::services::{
    CreatedWebhook, DefaultWebhook, DefaultWebhookRequest, DeliveriesQuery, Principal,
    ReplayRequest, WebhookRequest,
};
use axum::extract::{Path, Query, State};
use axum::response::Response;
use chrono::SecondsFormat;
use serde::Serialize;
use std::collections::HashMap;
use wagate_core::WebhookFormat;
use wagate_store::{AttemptRecord, DeliveryRecord, WebhookRecord};

fn time(at: chrono::DateTime<chrono::Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Millis, true)
}

#[derive(Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct WebhookView {
    #[schema(example = "whk_0192f0c5e2b47a39b1d2c3e4f5a6b7c8")]
    pub id: String,
    pub url: String,
    pub events: Vec<String>,
    pub instance_id: Option<String>,
    /// The names of the custom headers sent with every delivery; their values are kept sealed
    /// and never shown.
    #[schema(example = json!(["Authorization"]))]
    pub header_names: Vec<String>,
    pub description: Option<String>,
    pub enabled: bool,
    /// Why wagate disabled the endpoint (410 Gone, failing for days, or the API).
    pub disabled_reason: Option<String>,
    /// When the current run of failed deliveries began.
    pub failing_since: Option<String>,
    /// The account's default endpoint (`PUT /api/v1/auth/me/webhook`).
    pub is_default: bool,
    /// `native` (wagate's envelope) or `evolution` (Evolution API's envelope, event names and
    /// data).
    pub format: WebhookFormat,
    /// Evolution format: the event's name is appended to the URL (`…/messages-upsert`).
    pub by_events: bool,
    /// Evolution format: received media comes inline as base64.
    pub base64: bool,
    /// Deliveries still to be made (pending, or waiting to be retried): its backlog. Shown
    /// when listing and showing endpoints.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(example = 0)]
    pub pending_deliveries: Option<i64>,
    pub created_at: String,
    pub updated_at: String,
}

impl WebhookView {
    fn with_backlog(webhook: &WebhookRecord, backlog: &HashMap<String, i64>) -> Self {
        Self {
            pending_deliveries: Some(backlog.get(&webhook.id).copied().unwrap_or(0)),
            ..Self::from(webhook)
        }
    }
}

impl From<&WebhookRecord> for WebhookView {
    fn from(webhook: &WebhookRecord) -> Self {
        Self {
            id: webhook.id.clone(),
            url: webhook.url.clone(),
            events: webhook.events.clone(),
            instance_id: webhook.instance_id.as_ref().map(ToString::to_string),
            header_names: webhook.headers.keys().cloned().collect(),
            description: webhook.description.clone(),
            enabled: webhook.enabled,
            disabled_reason: webhook.disabled_reason.clone(),
            failing_since: webhook.failing_since.map(time),
            is_default: webhook.is_default,
            format: webhook.format,
            by_events: webhook.by_events,
            base64: webhook.inline_media,
            pending_deliveries: None,
            created_at: time(webhook.created_at),
            updated_at: time(webhook.updated_at),
        }
    }
}

/// An endpoint with its signing secret (`whsec_…`), shown only when created or rotated.
#[derive(Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct WebhookWithSecret {
    #[serde(flatten)]
    pub webhook: WebhookView,
    #[schema(example = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")]
    pub secret: String,
}

fn with_secret(created: &CreatedWebhook) -> WebhookWithSecret {
    WebhookWithSecret {
        webhook: WebhookView::from(&created.webhook),
        secret: created.secret.as_str().to_owned(),
    }
}

/// The account's default endpoint; its signing secret only when this call created it.
#[derive(Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct DefaultWebhookView {
    #[serde(flatten)]
    pub webhook: WebhookView,
    /// Only when the endpoint was created by this call; kept from then on.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(example = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")]
    pub secret: Option<String>,
}

#[derive(Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AttemptView {
    pub at: String,
    pub status_code: Option<i64>,
    pub duration_ms: i64,
    /// The first 4 KB of the answer.
    pub response_body: Option<String>,
    pub error: Option<String>,
    /// Where the attempt was posted, for an endpoint whose format renders its own URL
    /// (Evolution's `byEvents`); absent: the endpoint's URL.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(example = "https://example.com/hooks/evolution/messages-upsert")]
    pub request_url: Option<String>,
    /// The body the attempt sent, for an endpoint whose format renders it at delivery time
    /// (inline media left out); absent: the event's native envelope.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Object>)]
    pub request_body: Option<serde_json::Value>,
}

#[derive(Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct DeliveryView {
    #[schema(example = "dlv_0192f0c5e2b47a39b1d2c3e4f5a6b7c8")]
    pub id: String,
    /// The event's id, also the `webhook-id` header: receivers deduplicate on it.
    pub event_id: String,
    pub event: String,
    /// `pending`, `succeeded` or `failed`.
    pub status: String,
    pub attempts: i64,
    pub next_attempt_at: Option<String>,
    pub last_status_code: Option<i64>,
    pub last_error: Option<String>,
    pub created_at: String,
    /// Every attempt, oldest first.
    pub attempt_log: Vec<AttemptView>,
}

fn delivery_view((delivery, attempts): &(DeliveryRecord, Vec<AttemptRecord>)) -> DeliveryView {
    DeliveryView {
        id: delivery.id.clone(),
        event_id: delivery.event_id.clone(),
        event: delivery.event_kind.clone(),
        status: delivery.status.as_str().to_owned(),
        attempts: delivery.attempts,
        next_attempt_at: (delivery.status == wagate_store::DeliveryStatus::Pending)
            .then(|| time(delivery.next_attempt_at)),
        last_status_code: delivery.last_status_code,
        last_error: delivery.last_error.clone(),
        created_at: time(delivery.created_at),
        attempt_log: attempts
            .iter()
            .map(|a| AttemptView {
                at: time(a.at),
                status_code: a.status_code,
                duration_ms: a.duration_ms,
                response_body: a.response_body.clone(),
                error: a.error.clone(),
                request_url: a.request_url.clone(),
                request_body: a
                    .request_body
                    .as_deref()
                    .map(|body| serde_json::from_str(body).unwrap_or_else(|_| body.into())),
            })
            .collect(),
    }
}

/// Register an endpoint. Deliveries are signed per Standard Webhooks with the `secret` of the
/// answer (shown only now): `webhook-id`, `webhook-timestamp`, `webhook-signature`.
#[utoipa::path(
    post, path = "/api/v1/webhooks", tag = "webhooks", request_body = WebhookRequest,
    responses(
        (status = 201, body = Envelope<WebhookWithSecret>), (status = 401, body = ErrorBody),
        (status = 422, description = "Bad URL (or a private address), unknown event names, bad headers", body = ErrorBody),
    )
)]
pub async fn create(
    State(state): State<AppState>,
    principal: Principal,
    ApiJson(request): ApiJson<WebhookRequest>,
) -> ApiResult<Response> {
    let webhook = state.gateway.create_webhook(&principal, request).await?;
    Ok(envelope::created(with_secret(&webhook)))
}

/// List the account's endpoints (an instance key: its instance's).
#[utoipa::path(get, path = "/api/v1/webhooks", tag = "webhooks",
    responses((status = 200, body = Envelope<Vec<WebhookView>>), (status = 401, body = ErrorBody)))]
pub async fn list(State(state): State<AppState>, principal: Principal) -> ApiResult<Response> {
    let webhooks = state.gateway.list_webhooks(&principal).await?;
    let backlog = state.gateway.webhook_backlog(&principal).await?;
    Ok(envelope::ok(
        webhooks
            .iter()
            .map(|webhook| WebhookView::with_backlog(webhook, &backlog))
            .collect::<Vec<_>>(),
    ))
}

/// Show an endpoint.
#[utoipa::path(get, path = "/api/v1/webhooks/{id}", tag = "webhooks", params(("id" = String, Path)),
    responses((status = 200, body = Envelope<WebhookView>), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn get(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    let webhook = state.gateway.get_webhook(&principal, &id).await?;
    let backlog = state.gateway.webhook_backlog(&principal).await?;
    Ok(envelope::ok(WebhookView::with_backlog(&webhook, &backlog)))
}

/// Change an endpoint; `enabled: true` re-enables a disabled one.
#[utoipa::path(patch, path = "/api/v1/webhooks/{id}", tag = "webhooks", params(("id" = String, Path)), request_body = WebhookRequest,
    responses((status = 200, body = Envelope<WebhookView>), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn update(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<String>,
    ApiJson(request): ApiJson<WebhookRequest>,
) -> ApiResult<Response> {
    let webhook = state
        .gateway
        .update_webhook(&principal, &id, request)
        .await?;
    Ok(envelope::ok(WebhookView::from(&webhook)))
}

/// Remove an endpoint and its delivery log.
#[utoipa::path(delete, path = "/api/v1/webhooks/{id}", tag = "webhooks", params(("id" = String, Path)),
    responses((status = 200, description = "Deleted", body = Envelope<serde_json::Value>, example = json!({ "success": true, "data": { "deleted": true } })), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn delete(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    state.gateway.delete_webhook(&principal, &id).await?;
    Ok(envelope::ok(serde_json::json!({ "deleted": true })))
}

/// A new signing secret (shown only now); the old one stops signing at once.
#[utoipa::path(post, path = "/api/v1/webhooks/{id}/rotate-secret", tag = "webhooks", params(("id" = String, Path)),
    responses((status = 200, body = Envelope<WebhookWithSecret>), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn rotate_secret(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    let webhook = state.gateway.rotate_webhook_secret(&principal, &id).await?;
    Ok(envelope::ok(with_secret(&webhook)))
}

/// Send a `webhook.test` event to this endpoint.
#[utoipa::path(post, path = "/api/v1/webhooks/{id}/test", tag = "webhooks", params(("id" = String, Path)),
    responses((status = 202, description = "Queued for delivery", body = Envelope<serde_json::Value>, example = json!({ "success": true, "data": { "eventId": "evt_0192f0c5e2b47a39b1d2c3e4f5a6b7c8" } })), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn test(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    let event_id = state.gateway.test_webhook(&principal, &id).await?;
    Ok(envelope::accepted(
        serde_json::json!({ "eventId": event_id }),
    ))
}

/// The endpoint's deliveries with every attempt, newest first.
#[utoipa::path(get, path = "/api/v1/webhooks/{id}/deliveries", tag = "webhooks", params(("id" = String, Path), DeliveriesQuery),
    responses((status = 200, body = Envelope<Vec<DeliveryView>>), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn deliveries(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<String>,
    Query(query): Query<DeliveriesQuery>,
) -> ApiResult<Response> {
    let deliveries = state
        .gateway
        .webhook_deliveries(&principal, &id, query)
        .await?;
    Ok(envelope::ok(
        deliveries.iter().map(delivery_view).collect::<Vec<_>>(),
    ))
}

/// Deliver one delivery again now (whatever its status).
#[utoipa::path(post, path = "/api/v1/webhooks/{id}/deliveries/{delivery_id}/retry", tag = "webhooks",
    params(("id" = String, Path), ("delivery_id" = String, Path)),
    responses((status = 202, description = "Due now", body = Envelope<serde_json::Value>, example = json!({ "success": true, "data": { "deliveryId": "dlv_0192f0c5e2b47a39b1d2c3e4f5a6b7c8", "status": "pending" } })), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn retry(
    State(state): State<AppState>,
    principal: Principal,
    Path((id, delivery_id)): Path<(String, String)>,
) -> ApiResult<Response> {
    state
        .gateway
        .retry_webhook_delivery(&principal, &id, &delivery_id)
        .await?;
    Ok(envelope::accepted(
        serde_json::json!({ "deliveryId": delivery_id, "status": "pending" }),
    ))
}

/// Deliver again every event the endpoint wants from a point in time (same event ids).
#[utoipa::path(post, path = "/api/v1/webhooks/{id}/replay", tag = "webhooks", params(("id" = String, Path)), request_body = ReplayRequest,
    responses((status = 202, description = "Queued", body = Envelope<serde_json::Value>, example = json!({ "success": true, "data": { "queued": 42 } })), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn replay(
    State(state): State<AppState>,
    principal: Principal,
    Path(id): Path<String>,
    ApiJson(request): ApiJson<ReplayRequest>,
) -> ApiResult<Response> {
    let queued = state
        .gateway
        .replay_webhook(&principal, &id, request)
        .await?;
    Ok(envelope::accepted(serde_json::json!({ "queued": queued })))
}

/// Set the account's default endpoint for every event (seed 004's `PUT /auth/me/webhook`).
/// The answer carries the signing secret when this call created the endpoint, not after.
#[utoipa::path(put, path = "/api/v1/auth/me/webhook", tag = "webhooks", request_body = DefaultWebhookRequest,
    responses((status = 200, body = Envelope<DefaultWebhookView>), (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
pub async fn set_default(
    State(state): State<AppState>,
    principal: Principal,
    ApiJson(request): ApiJson<DefaultWebhookRequest>,
) -> ApiResult<Response> {
    let view = match state
        .gateway
        .set_default_webhook(&principal, request)
        .await?
    {
        DefaultWebhook::Created(created) => DefaultWebhookView {
            webhook: WebhookView::from(&created.webhook),
            secret: Some(created.secret.as_str().to_owned()),
        },
        DefaultWebhook::Updated(webhook) => DefaultWebhookView {
            webhook: WebhookView::from(&webhook),
            secret: None,
        },
    };
    Ok(envelope::ok(view))
}

/// Remove the account's default endpoint.
#[utoipa::path(delete, path = "/api/v1/auth/me/webhook", tag = "webhooks",
    responses((status = 200, description = "Removed", body = Envelope<serde_json::Value>, example = json!({ "success": true, "data": { "deleted": true } })), (status = 401, body = ErrorBody), (status = 404, body = ErrorBody)))]
pub async fn delete_default(
    State(state): State<AppState>,
    principal: Principal,
) -> ApiResult<Response> {
    state.gateway.delete_default_webhook(&principal).await?;
    Ok(envelope::ok(serde_json::json!({ "deleted": true })))
}
