//! `GET/POST /webhooks/whatsapp`: Meta's callback URL as seed 004 documents it. The URL
//! names no number, so the services find it — by the verify token Meta presents in its
//! handshake, and by the number id of what a delivery is about — and then treat it as they
//! treat `/webhooks/meta/{instanceId}`: no API key, Meta proves itself with the token and the
//! `X-Hub-Signature-256` of each delivery under that number's app secret.

use super::TAG;
use super::error::{WaErrorBody, WaResult};
use super::reply;
use crate::services::{Gateway, MetaHandshake};
use axum::body::Bytes;
use axum::extract::{FromRef, Query, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};

use serde_json::json;
use std::sync::Arc;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn routes<S>() -> OpenApiRouter<S>
where
    S: Clone + Send + Sync + 'static,
    Arc<Gateway>: FromRef<S>,
{
    OpenApiRouter::new().routes(routes!(handshake, receive))
}

/// Meta's webhook verification: answers `hub.challenge` as plain text when
/// `hub.verify_token` is the token of one of this server's numbers, 403 otherwise.
#[utoipa::path(
    get, path = "/webhooks/whatsapp", tag = TAG, security(()), params(MetaHandshake),
    responses(
        (status = 200, description = "The challenge", body = String, content_type = "text/plain"),
        (status = 403, body = WaErrorBody),
    )
)]
pub async fn handshake(
    State(gateway): State<Arc<Gateway>>,
    Query(query): Query<MetaHandshake>,
) -> WaResult<Response> {
    let challenge = gateway
        .meta_handshake_by_token(
            query.mode.as_deref(),
            query.verify_token.as_deref(),
            query.challenge.as_deref(),
        )
        .await?;
    Ok(challenge.into_response())
}

/// A delivery of Meta's webhooks (delivery receipts, received messages) for the number it is
/// about; only bodies signed with that number's app secret are accepted (401 otherwise).
/// Answered after everything in it is stored; a repeated delivery changes nothing.
#[utoipa::path(
    post, path = "/webhooks/whatsapp", tag = TAG, security(()),
    params(("X-Hub-Signature-256" = String, Header, description = "sha256=<hex HMAC-SHA256 of the body under the app secret>")),
    request_body(content = Object, description = "Meta's `whatsapp_business_account` webhook payload",
        example = json!({ "object": "whatsapp_business_account", "entry": [{ "id": "102290129340398", "changes": [{ "field": "messages", "value": { "messaging_product": "whatsapp", "metadata": { "display_phone_number": "15550001111", "phone_number_id": "106540352242922" }, "statuses": [{ "id": "wamid.HBgL…", "status": "delivered", "timestamp": "1764400000", "recipient_id": "15550002222" }] } }] }] })),
    responses(
        (status = 200, description = "Stored", body = Object, example = json!({ "success": true, "data": { "messages": 0, "statuses": 1, "ignored": 0 } })),
        (status = 400, body = WaErrorBody),
        (status = 401, description = "Missing or wrong signature", body = WaErrorBody),
        (status = 404, description = "No number of this server", body = WaErrorBody),
        (status = 503, description = "A file could not be fetched from Meta; Meta delivers again", body = WaErrorBody),
    )
)]
pub async fn receive(
    State(gateway): State<Arc<Gateway>>,
    headers: HeaderMap,
    body: Bytes,
) -> WaResult<Response> {
    let signature = headers
        .get("x-hub-signature-256")
        .and_then(|value| value.to_str().ok());
    let delivery = gateway
        .receive_meta_webhook_by_number(signature, &body)
        .await?;
    reply::ok(json!({
        "messages": delivery.messages,
        "statuses": delivery.statuses,
        "ignored": delivery.ignored,
    }))
}
