//! The account routes at the root: `GET /auth/me`, the account's own Cloud API credentials
//! (`PUT/DELETE /auth/me/credentials`, `POST /auth/me/credentials/verify`) and its default
//! webhook (`PUT/DELETE /auth/me/webhook`, delivering seed 004's status webhook).

use super::TAG;
use super::auth::WaCaller;
use super::body;
use super::error::{WaErrorBody, WaResult};
use super::reply;
use crate::services::{
    AccountCredentialsRequest, CloudNumberView, DefaultWebhook, DefaultWebhookRequest, Gateway,
    InstanceRecord,
};
use axum::body::Bytes;
use axum::extract::{FromRef, State};
use axum::response::Response;
use serde_json::{Value, json};
use std::sync::Arc;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use wagate_core::WebhookFormat;

pub fn routes<S>() -> OpenApiRouter<S>
where
    S: Clone + Send + Sync + 'static,
    Arc<Gateway>: FromRef<S>,
{
    OpenApiRouter::new()
        .routes(routes!(me))
        .routes(routes!(set_credentials, delete_credentials))
        .routes(routes!(verify_credentials))
        .routes(routes!(set_webhook, delete_webhook))
}

/// The account of the calling key (never the key itself).
#[utoipa::path(
    get, path = "/auth/me", tag = TAG,
    responses(
        (status = 200, description = "The account", body = Object, example = json!({ "success": true, "data": {
            "id": "acc_0192f0c5e2b47a39b1d2c3e4f5a6b7c8", "name": "Your Name", "email": "you@example.com",
            "plan": "free", "messagesSent": 42, "byocConfigured": false, "webhookUrl": null
        } })),
        (status = 401, body = WaErrorBody), (status = 403, body = WaErrorBody),
    )
)]
pub async fn me(State(gateway): State<Arc<Gateway>>, caller: WaCaller) -> WaResult<Response> {
    let principal = caller.principal();
    let account = gateway.current_account(principal).await?;
    let byoc = gateway.byoc_state(principal).await?;
    let messages_sent = gateway.messages_sent(principal).await?;
    let webhook_url = match principal.account_manager() {
        Ok(_) => gateway
            .list_webhooks(principal)
            .await?
            .into_iter()
            .find(|webhook| webhook.is_default)
            .map(|webhook| webhook.url),
        // An instance key does not reach the account's endpoints.
        Err(_) => None,
    };
    reply::ok(json!({
        "id": account.id,
        "name": account.name,
        "email": account.email,
        "plan": account.plan,
        "messagesSent": messages_sent,
        "byocConfigured": byoc.configured,
        "webhookUrl": webhook_url,
        "createdAt": reply::time(account.created_at),
    }))
}

/// The account's number as the credentials routes answer it.
fn number_view(instance: &InstanceRecord, number: &CloudNumberView) -> Value {
    json!({
        "byocConfigured": true,
        "instance": instance.name.as_str(),
        "instanceId": instance.id,
        "status": instance.status,
        "verified": instance.status == wagate_core::InstanceStatus::Open,
        "whatsappPhoneNumberId": number.phone_number_id,
        "displayPhoneNumber": number.display_phone_number,
        "verifiedName": number.verified_name,
        "qualityRating": number.quality_rating,
        "webhookPath": "/webhooks/whatsapp",
        "verifyToken": number.verify_token,
    })
}

/// Save the account's own Meta credentials. They become the account's number, which sends
/// once they are verified (`POST /auth/me/credentials/verify`). Point Meta's callback at
/// `/webhooks/whatsapp` with the `verifyToken` answered here.
#[utoipa::path(
    put, path = "/auth/me/credentials", tag = TAG,
    request_body(content = AccountCredentialsRequest, example = json!({ "whatsappAccessToken": "EAAc...", "whatsappPhoneNumberId": "1234567890" })),
    responses(
        (status = 200, description = "Saved", body = Object, example = json!({ "success": true, "data": {
            "byocConfigured": true, "instance": "cloud-1234567890", "instanceId": "ins_0192f0c5e2b47a39b1d2c3e4f5a6b7c8",
            "status": "disconnected", "verified": false, "whatsappPhoneNumberId": "1234567890",
            "displayPhoneNumber": null, "verifiedName": null, "qualityRating": null,
            "webhookPath": "/webhooks/whatsapp", "verifyToken": "3f1a…"
        } })),
        (status = 400, body = WaErrorBody), (status = 401, body = WaErrorBody),
        (status = 403, body = WaErrorBody), (status = 409, description = "Another instance uses this number", body = WaErrorBody),
    )
)]
pub async fn set_credentials(
    State(gateway): State<Arc<Gateway>>,
    caller: WaCaller,
    bytes: Bytes,
) -> WaResult<Response> {
    let request: AccountCredentialsRequest = body::json(&bytes)?;
    let (instance, number) = gateway
        .set_account_credentials(caller.principal(), request)
        .await?;
    reply::ok(number_view(&instance, &CloudNumberView::new(&number)))
}

/// Check the saved credentials with Meta; the number sends once Meta accepts them.
#[utoipa::path(
    post, path = "/auth/me/credentials/verify", tag = TAG,
    responses(
        (status = 200, description = "Meta accepted them", body = Object, example = json!({ "success": true, "data": {
            "byocConfigured": true, "instance": "cloud-1234567890", "instanceId": "ins_0192f0c5e2b47a39b1d2c3e4f5a6b7c8",
            "status": "open", "verified": true, "whatsappPhoneNumberId": "1234567890",
            "displayPhoneNumber": "+1 555-078-3881", "verifiedName": "Jaspers Market", "qualityRating": "GREEN",
            "webhookPath": "/webhooks/whatsapp", "verifyToken": "3f1a…"
        } })),
        (status = 401, body = WaErrorBody),
        (status = 409, description = "No credentials saved", body = WaErrorBody),
        (status = 422, description = "Meta refused them", body = WaErrorBody),
        (status = 503, description = "Meta could not be reached", body = WaErrorBody),
    )
)]
pub async fn verify_credentials(
    State(gateway): State<Arc<Gateway>>,
    caller: WaCaller,
) -> WaResult<Response> {
    let (instance, number) = gateway
        .verify_account_credentials(caller.principal())
        .await?;
    reply::ok(number_view(&instance, &CloudNumberView::new(&number)))
}

/// Remove the saved credentials. The number's history stays; it sends nothing until new
/// credentials are saved and verified.
#[utoipa::path(
    delete, path = "/auth/me/credentials", tag = TAG,
    responses(
        (status = 200, description = "Removed", body = Object, example = json!({ "success": true, "data": { "byocConfigured": false } })),
        (status = 401, body = WaErrorBody), (status = 403, body = WaErrorBody),
        (status = 409, description = "No credentials saved", body = WaErrorBody),
    )
)]
pub async fn delete_credentials(
    State(gateway): State<Arc<Gateway>>,
    caller: WaCaller,
) -> WaResult<Response> {
    gateway
        .delete_account_credentials(caller.principal())
        .await?;
    reply::ok(json!({ "byocConfigured": false }))
}

/// Register the URL that gets a POST every time a message's status changes, in seed 004's
/// shape: `{event: "message.status_updated", timestamp, data: {messageId, status, to,
/// deliveredAt, readAt, failedAt, errorMessage, metadata}}`. Deliveries are signed (Standard
/// Webhooks headers); the signing secret is answered once, when the endpoint is made.
#[utoipa::path(
    put, path = "/auth/me/webhook", tag = TAG,
    request_body(content = DefaultWebhookRequest, example = json!({ "url": "https://yourapp.com/webhooks/whatsapi" })),
    responses(
        (status = 200, description = "Saved", body = Object, example = json!({ "success": true, "data": {
            "id": "whk_0192f0c5e2b47a39b1d2c3e4f5a6b7c8", "webhookUrl": "https://yourapp.com/webhooks/whatsapi",
            "secret": "whsec_…"
        } })),
        (status = 400, body = WaErrorBody), (status = 401, body = WaErrorBody), (status = 403, body = WaErrorBody),
    )
)]
pub async fn set_webhook(
    State(gateway): State<Arc<Gateway>>,
    caller: WaCaller,
    bytes: Bytes,
) -> WaResult<Response> {
    let request: DefaultWebhookRequest = body::json(&bytes)?;
    let answer = match gateway
        .set_default_webhook_as(caller.principal(), request, WebhookFormat::Whatsapi)
        .await?
    {
        DefaultWebhook::Created(created) => json!({
            "id": created.webhook.id,
            "webhookUrl": created.webhook.url,
            "secret": created.secret.as_str(),
        }),
        DefaultWebhook::Updated(webhook) => json!({
            "id": webhook.id,
            "webhookUrl": webhook.url,
        }),
    };
    reply::ok(answer)
}

/// Remove the webhook URL.
#[utoipa::path(
    delete, path = "/auth/me/webhook", tag = TAG,
    responses(
        (status = 200, description = "Removed", body = Object, example = json!({ "success": true, "data": { "webhookUrl": null } })),
        (status = 401, body = WaErrorBody), (status = 404, description = "No webhook set", body = WaErrorBody),
    )
)]
pub async fn delete_webhook(
    State(gateway): State<Arc<Gateway>>,
    caller: WaCaller,
) -> WaResult<Response> {
    gateway.delete_default_webhook(caller.principal()).await?;
    reply::ok(json!({ "webhookUrl": null }))
}
